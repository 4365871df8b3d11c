"""The base of every request model, whoever fills it in: the API, a page's form, or a JSON file given to the
command line. The HTTP guard (`http.refuse_forbidden_characters`) checks everything a request carries; this
checks what reaches a use case by any other way, with the same rule and the same refusal."""

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from .core.errors import (
    DateOutOfRange,
    RequestAboveMaximum,
    RequestBelowMinimum,
    RequestExtra,
    RequestInvalid,
    RequestMissing,
    RequestNotAChoice,
    RequestNotANumber,
    RequestNotJson,
    RequestTooFew,
    RequestTooLong,
    RequestTooMany,
    RequestTooShort,
    SabtError,
    refusal,
)
from .core.text import forbidden_character, is_ascii_number, to_ascii_digits


def _refuse_forbidden(value: Any) -> Any:
    waiting = [value]
    while waiting:
        node = waiting.pop()
        if isinstance(node, str):
            if character := forbidden_character(node):
                raise PydanticCustomError(
                    "text.bad_character", "forbidden character {character}", {"character": character}
                )
        elif isinstance(node, dict):
            waiting.extend(node.keys())
            waiting.extend(node.values())
        elif isinstance(node, list | tuple):
            waiting.extend(node)
    return value


def _one_line(value: str) -> str:
    _refuse_forbidden(value)
    if forbidden_character(value, line_breaks=False):
        raise PydanticCustomError("text.line_break", "one line: no line breaks or tabs")
    return value


class Strict(BaseModel):
    """No field it does not declare; every string trimmed (so that a reason of spaces is as empty as it looks)
    and free of the characters no text may hold."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return _refuse_forbidden(value)


class Secret(Strict):
    """Strict, for models holding a password: a password is taken exactly as typed, spaces and all."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


Line = Annotated[str, AfterValidator(_one_line)]  # a code, a place, a document number: one line of text


def _ascii_digits(value: Any) -> Any:
    return to_ascii_digits(value).strip() if isinstance(value, str) else value


# A number typed with Persian or Arabic-Indic digits too. After the number's Field in an Annotated, so that
# its bounds stay the integer's own (the OpenAPI document then shows them as its maximum and minimum).
AsciiDigits = BeforeValidator(_ascii_digits)


OWN_CODES = {"text.bad_character", "text.line_break", "webhook.url"}


def numbered_lists(node: Any) -> Any:
    """Nested fields named by dotted paths, `{"witnesses": {"0": …, "1": …}}`, with their numbered parts
    as lists, `{"witnesses": [… , …]}`: how a form's fields (or a FHIR resource's) become a request."""
    if not isinstance(node, dict):
        return node
    converted = {key: numbered_lists(value) for key, value in node.items()}
    if converted and all(is_ascii_number(key) for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def validation_problem(item: Any) -> SabtError:
    """One of pydantic's complaints as Sabt's refusal of the field, for the API, the pages and the command
    line alike: this module's own codes as they are, the rest as missing, unexpected or invalid."""
    location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = ".".join(part for part in location if not part.startswith("function-")) or None
    kind = item.get("type", "")
    if kind == "json_invalid":
        return RequestNotJson()
    if kind == "missing":
        return RequestMissing(field=field)
    if kind == "extra_forbidden":
        return RequestExtra(field=field)
    if kind in OWN_CODES:
        return refusal(kind, field=field, **item.get("ctx", {}))
    return _value_problem(kind, item.get("ctx") or {}, field) or RequestInvalid(
        field=field, detail=item.get("msg", "invalid value")
    )


def _value_problem(kind: str, context: dict[str, Any], field: str | None) -> SabtError | None:
    """The refusals a person can act on, for the complaints pydantic makes most: none of its English
    reaches a page."""
    listed = context.get("field_type") in ("List", "Tuple", "Set", "Dictionary")
    if kind in ("string_too_long", "too_long"):
        return (RequestTooMany if listed else RequestTooLong)(field=field, limit=context["max_length"])
    if kind in ("string_too_short", "too_short"):
        return (RequestTooFew if listed else RequestTooShort)(field=field, limit=context["min_length"])
    bound = context.get("ge", context.get("gt", context.get("le", context.get("lt"))))
    if _is_day(bound):  # the calendar the registry keeps (1800 to 2199)
        return DateOutOfRange(field=field)
    if kind in ("greater_than_equal", "greater_than"):
        return RequestBelowMinimum(field=field, limit=context.get("ge", context.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return RequestAboveMaximum(field=field, limit=context.get("le", context.get("lt")))
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return RequestNotANumber(field=field)
    if kind in ("literal_error", "enum"):
        return RequestNotAChoice(field=field, choices=context.get("expected", ""))
    if kind in ("bool_parsing", "bool_type"):
        return RequestNotAChoice(field=field, choices="true, false")
    return None


def _is_day(bound: Any) -> bool:
    """Whether a bound is a day (the HTTP layer hands the complaint over as JSON, the day as ISO text)."""
    if isinstance(bound, dt.date):
        return True
    try:
        dt.date.fromisoformat(str(bound))
    except ValueError:
        return False
    return True
