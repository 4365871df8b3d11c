"""HTML forms to the API's request models and back: fields named like the API's (`father.national_code`),
so that a refusal's field puts its Persian message next to the input it is about."""

from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import ValidationError

from ..core.errors import RequestInvalid, SabtError
from ..inputs import numbered_lists, validation_problem
from .fields import INPUT_FOR

Errors = dict[str, str]
MOST_NESTING = 4


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
        if len(parents) > MOST_NESTING:  # no page has a field nested deeper (evidence.witnesses.0.first_name)
            raise RequestInvalid(field=name[:60], detail="a field nested deeper than any form's")
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):  # `father=x` beside `father.first_name=…`: a form no page sends
                raise RequestInvalid(field=name, detail="a field and its parts sent together")
        if isinstance(node.get(last), dict):
            raise RequestInvalid(field=name, detail="a field and its parts sent together")
        node[last] = value
    nested: dict[str, Any] = numbered_lists(root)
    return nested


def refusal(error: SabtError) -> Errors:
    """A refusal shown next to its field. A step that needs the second factor again is not a refusal of
    the form: it goes on to the page that asks for the factor, keeping what was typed."""
    if error.code == "auth.step_up":
        raise error
    return {_input(error.field): error.message_fa}


def invalid(error: ValidationError) -> Errors:
    """Pydantic's complaints, in Persian, by field (the first per field)."""
    messages: Errors = {}
    for item in error.errors():
        problem = validation_problem(item)
        messages.setdefault(_input(problem.field), problem.message_fa)
    return messages


def _input(field: str | None) -> str:
    """The input a refusal is shown next to; `_form` for one about the whole form."""
    return INPUT_FOR.get(field, field) if field else "_form"
