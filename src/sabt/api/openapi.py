"""The OpenAPI document says every answer the API can give: each operation lists the problem+json refusals
that the shared machinery can make of it, and the problem's `code` lists every stable code there is.

Which refusals an operation can give follows from what it takes: a method with a body (unreadable 400, too
large 413, not JSON 415), a caller's credentials (401, 403), a partner's key (and its rate limit, 429), a
step of signing in (429 for a locked name or a throttled address), and what every use case may answer (404
for what it names but does not exist, 409 for a state that forbids it, 422 for a value it refuses, 503 for a
database connection lost under it). A test sends every operation the fuzzer's cases and fails on an answer
this document does not list.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from ..http import BODY_METHODS, PROBLEM_JSON, TOKEN_URL
from ..refusals import every_refusal

PROBLEM = "Problem"
ALSO_REFUSES_AS = "x-sabt-refuses-also-as"  # an operation's own media type for its refusals
_ALWAYS = {
    "404": "Something the request names does not exist",
    "409": "The record's state does not allow it",
    "422": "A value is refused; `field` names it",
    "503": "The database connection was lost; nothing was saved. Retry-After says when to try again",
}
_WITH_BODY = {
    "400": "The body could not be read (not UTF-8, or nested too deeply)",
    "413": "The body is too large",
    "415": "The body is not JSON",
}
_SIGNED_IN = {"401": "No valid credentials", "403": "The caller's role or office may not do this"}
_RATE_LIMITED = {"429": "Too many requests; Retry-After says when to try again"}
SIGN_IN_STEPS = ("/api/auth/",)  # a password or a second factor: a locked name or a throttled address gets 429


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            _document_problems(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document_problems(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas[PROBLEM] = _problem_schema()
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            content = {PROBLEM_JSON: {"schema": {"$ref": f"#/components/schemas/{PROBLEM}"}}}
            # An operation that answers its own refusals in another form (a FHIR OperationOutcome) says so;
            # what the shared machinery refuses before it runs is still problem+json.
            also = operation.pop(ALSO_REFUSES_AS, None)
            if also is not None:
                content = content | {also: {"schema": {"type": "object"}}}
            for status, description in _refusals(path, method, operation).items():
                responses[status] = {"description": description, "content": content}


def _refusals(path: str, method: str, operation: dict[str, Any]) -> dict[str, str]:
    refusals = dict(_ALWAYS)
    if method.upper() in BODY_METHODS:  # a body is read and limited even where the operation takes none
        refusals |= _WITH_BODY
    schemes = {name for requirement in operation.get("security", []) for name in requirement}
    if schemes or path == TOKEN_URL:  # signing in refuses a wrong password
        refusals |= _SIGNED_IN
    if "APIKeyHeader" in schemes or path.startswith(SIGN_IN_STEPS):  # partners' rate; failed sign-ins' lock-out
        refusals |= _RATE_LIMITED
    return refusals


def _problem_schema() -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "title": PROBLEM,
        "description": "RFC 9457 problem details, with Sabt's stable code, the field at fault and a Persian message",
        "type": "object",
        "required": ["type", "title", "status", "detail", "code", "message_fa", "instance"],
        "properties": {
            "type": text,
            "title": text,
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": text,
            "code": {"type": "string", "enum": list(every_refusal())},
            "field": {"anyOf": [text, {"type": "null"}]},
            "message_fa": text,
            "instance": text,
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "detail", "message_fa"],
                    "properties": {
                        "field": {"anyOf": [text, {"type": "null"}]},
                        "code": {"type": "string", "enum": list(every_refusal())},
                        "detail": text,
                        "message_fa": text,
                    },
                },
            },
        },
    }
