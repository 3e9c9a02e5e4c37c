"""Who is asking: the principal a request acts for, and owns what it books."""

from __future__ import annotations

import re
import uuid

import attrs

# The token is a UUID in its usual 8-4-4-4-12 hex form, either case; `uuid.UUID` alone
# would also take braces, a `urn:uuid:` prefix or no hyphens, each another spelling.
_UUID_TEXT = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


@attrs.frozen
class Principal:
    """The identity behind an access token: the token's UUID.

    Upper- and lower-case spellings of one UUID are one principal; it is
    written in canonical lower case (`str`).
    """

    id: uuid.UUID = attrs.field(validator=attrs.validators.instance_of(uuid.UUID))

    @classmethod
    def parse(cls, text: str) -> Principal:
        """The principal of token `text`; `ValueError` unless it is a UUID written 8-4-4-4-12."""
        if not _UUID_TEXT.fullmatch(text):
            raise ValueError("a principal is a UUID written as 8-4-4-4-12 hexadecimal digits")
        return cls(uuid.UUID(text))

    def __str__(self) -> str:
        return str(self.id)
