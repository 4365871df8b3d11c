"""Every refusal is a class in its feature's errors module, owning one code, one status and its message in
English and Persian."""

import re
import string
from pathlib import Path

import pytest

from sabt.cards.errors import CardTemplate
from sabt.certificates.errors import CertificateNotCurrent
from sabt.core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidInput,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    SabtError,
    ServerFault,
    TooManyRequests,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
    refusal,
)
from sabt.refusals import every_refusal
from sabt.registry.errors import MarriageUnderAge

KINDS = (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidInput,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    ServerFault,
    TooManyRequests,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
)
SRC = Path(__file__).parents[2] / "src" / "sabt"
# Parameters the messages derive from another: {action_past} from action, {role_fa} from role, and so on.
DERIVED = {
    "action_past": "action",
    "role_fa": "role",
    "action_fa": "action",
    "status_fa": "status",
    "sex_fa": "sex",
    "needs_fa": "needs",
}


def _parameters(template: str) -> set[str]:
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return {DERIVED.get(name, name) for name in names}


def _subclasses(cls: type[SabtError]) -> set[type[SabtError]]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def test_every_refusal_class_is_in_the_catalogue_under_its_own_code():
    refusals = every_refusal()
    concrete = {cls for cls in _subclasses(SabtError) if "code" in cls.__dict__}
    assert set(refusals.values()) == concrete
    assert all(refusals[cls.code] is cls for cls in concrete)
    assert len(refusals) > 150


@pytest.mark.parametrize("cls", list(every_refusal().values()), ids=lambda cls: cls.code)
def test_a_refusal_has_one_status_from_its_kind_and_both_messages(cls):
    assert re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)?", cls.code)
    assert cls.__module__.endswith(".errors"), "a refusal lives in its feature's errors.py"
    kinds = [kind for kind in KINDS if issubclass(cls, kind)]
    assert len(kinds) == 1 and "status" not in cls.__dict__, "the status is its kind's, and only one"
    assert cls.en and cls.fa and any("\u0600" <= ch <= "\u06ff" for ch in cls.fa)
    assert _parameters(cls.fa) <= _parameters(cls.en), "the Persian message says nothing the English cannot"
    values = dict.fromkeys(_parameters(cls.en), "1")
    error = cls(field="x", **values)
    assert error.status == kinds[0].status and error.code == cls.code and "{" not in error.message_fa


def test_two_refusals_cannot_share_a_code():
    with pytest.raises(TypeError, match=r"share person\.unknown"):
        type("Again", (NotFound,), {"code": "person.unknown", "en": "again", "fa": "دوباره"})


def test_a_kind_is_not_a_refusal_of_its_own():
    with pytest.raises(TypeError):
        InvalidInput(field="x")


def test_no_code_raises_a_kind_with_a_code_string():
    kinds = "|".join(kind.__name__ for kind in (*KINDS, SabtError))
    pattern = re.compile(rf"(?<!class )\b(?:{kinds})\(")
    found = [
        f"{path.relative_to(SRC)}:{number}"
        for path in SRC.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and not line.lstrip().startswith("class ")
    ]
    assert found == []


def test_persian_messages_use_persian_digits():
    error = MarriageUnderAge(field="x", code="0499370899", age=15)
    assert "۰۴۹۹۳۷۰۸۹۹" in error.message_fa and "15" in error.message_en


def test_serials_and_names_of_techniques_keep_the_digits_they_are_typed_with():
    assert "B000000003J" in CertificateNotCurrent(field="serial", serial="B000000003J", status="revoked").message_fa
    assert "SHA-256" in CardTemplate(field="template_sha256").message_fa


def test_a_rule_that_names_its_reason_gets_that_refusal():
    assert isinstance(refusal("date.no_such_day", field="born"), InvalidInput)
    with pytest.raises(KeyError):
        refusal("no.such.code")
