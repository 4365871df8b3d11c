"""HTML forms to the API's request models and back: fields named like the API's (`father.national_code`),
so that a refusal's field puts its Persian message next to the input it is about."""

from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import ValidationError

from ..core.errors import SabtError, describe

Errors = dict[str, str]


async def form_fields(request: Request) -> dict[str, str]:
    """A submitted form's text fields (read on the event loop, so the page itself can run in a worker)."""
    return {key: value for key, value in (await request.form()).items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(form_fields)]


def nest(form: dict[str, str]) -> dict[str, Any]:
    """`{"father.national_code": "…", "evidence.witnesses.0.first_name": "…"}` → nested dicts and lists.
    Empty fields are left out, as a person leaves out what does not apply."""
    root: dict[str, Any] = {}
    for name, raw in form.items():
        value = raw.strip()
        if not value or name.startswith("_") or name == "csrf":
            continue
        node = root
        *parents, last = name.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    nested: dict[str, Any] = _lists(root)
    return nested


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def refusal(error: SabtError) -> Errors:
    return {error.field or "_form": error.message_fa}


def invalid(error: ValidationError) -> Errors:
    """Pydantic's complaints, in Persian, by field (the first per field)."""
    messages: Errors = {}
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"] if not str(part).startswith("function-"))
        code = (
            "request.missing"
            if item["type"] == "missing"
            else "request.extra"
            if item["type"] == "extra_forbidden"
            else "request.invalid"
        )
        messages.setdefault(field or "_form", describe(code, detail=item["msg"])[1])
    return messages
