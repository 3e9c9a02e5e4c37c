"""Checks an answer against the app's own OpenAPI document: status, media type, body schema."""

from __future__ import annotations

import json
import re
from typing import Any

from jsonschema import Draft202012Validator

from ota_web.openapi import openapi_spec

PROBLEM_JSON = "application/problem+json"
_PARAMETER = re.compile(r"\{[^}/]+\}")


def _pattern(template: str) -> re.Pattern[str]:
    """`/a/{id}` -> a pattern matching `/a/` and one path segment."""
    return re.compile("[^/]+".join(re.escape(part) for part in _PARAMETER.split(template)) + "$")


class Document:
    """`/openapi.json` as the app serves it, ready to judge answers."""

    def __init__(self, spec: dict[str, Any] | None = None) -> None:
        self.spec = openapi_spec() if spec is None else spec
        self._routes = [(_pattern(path), path) for path in self.spec["paths"]]

    def operation(self, method: str, path: str) -> dict[str, Any] | None:
        """The operation serving `method` on `path` (no query string), if the document has one."""
        for pattern, template in self._routes:
            if pattern.match(path):
                found: dict[str, Any] | None = self.spec["paths"][template].get(method.lower())
                return found
        return None

    def schema_errors(self, schema: dict[str, Any], instance: object) -> list[str]:
        root = {"components": self.spec["components"], **schema}
        return [error.message for error in Draft202012Validator(root).iter_errors(instance)]

    def problem_errors(self, status: int, media_type: str, body: bytes) -> list[str]:
        """What is wrong with a body that should be a problem document of `status`."""
        if media_type != PROBLEM_JSON:
            return [f"{status} answered as {media_type!r}, not {PROBLEM_JSON}"]
        model = "InvalidRequestProblem" if status == 400 else "Problem"
        document = json.loads(body)
        errors = self.schema_errors({"$ref": f"#/components/schemas/{model}"}, document)
        if document.get("status") != status:
            errors.append(f"the body says status {document.get('status')}, the answer {status}")
        return errors

    def answer_errors(
        self, method: str, path: str, status: int, media_type: str, body: bytes
    ) -> list[str]:
        """What the document does not allow in this answer (empty: a documented answer).

        An answer on a route the document does not describe (an unknown path, a
        wrong method) must be a 4xx problem.
        """
        if status >= 500:
            return [f"a server error: {status}"]
        operation = self.operation(method, path.split("?", 1)[0])
        if operation is None:
            if status < 400:
                return [f"{status} on a route the document does not describe"]
            return self.problem_errors(status, media_type, body)
        described = operation["responses"].get(str(status))
        if described is None:
            return [f"{method} {path}: status {status} is not documented"]
        return self._content_errors(status, described.get("content", {}), media_type, body)

    def _content_errors(
        self, status: int, content: dict[str, Any], media_type: str, body: bytes
    ) -> list[str]:
        if not content:
            return [f"{status} has a body the document does not describe"] if body else []
        if media_type not in content and "*/*" not in content:
            return [f"{status} answered as {media_type!r}, documented as {sorted(content)}"]
        if media_type == PROBLEM_JSON:
            return self.problem_errors(status, media_type, body)
        if media_type == "application/json":
            return self.schema_errors(content[media_type]["schema"], json.loads(body))
        return []
