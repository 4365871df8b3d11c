"""The base of every request model, whoever fills it in: the API, a page's form, or a JSON file given to the
command line. The HTTP guard (`http.refuse_forbidden_characters`) checks everything a request carries; this
checks what reaches a use case by any other way, with the same rule and the same refusal."""

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from .core.errors import RequestExtra, RequestInvalid, RequestMissing, RequestNotJson, SabtError, refusal
from .core.text import forbidden_character, to_ascii_digits


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
    return RequestInvalid(field=field, detail=item.get("msg", "invalid value"))
