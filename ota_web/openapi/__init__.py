"""`/openapi.json`, built once from the pydantic models that validate and serialize.

Schemas come from `ota_web.schemas`; this package only says which route takes
and answers which of them, with which status.
"""

from ota_web.openapi.document import openapi_document, openapi_spec

__all__ = ["openapi_document", "openapi_spec"]
