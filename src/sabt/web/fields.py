"""How a declaration's fields are named and shown on every page: the form's labels, the words for each
choice, and each value as people read it (Jalali dates and Persian digits, counties by name; a document's
number as it was typed)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..context import Context
from ..core import causes
from ..core.jalali import DateProblem, parse_date, to_jalali
from ..core.text import to_persian_digits
from ..geo import service as geo

# How each field is named, on the form, the confirmation screen and the event's page.
LABELS = {
    "first_name": "نام",
    "last_name": "نام خانوادگی",
    "sex": "جنس",
    "birth_date": "تاریخ تولد",
    "birth_time": "ساعت تولد",
    "county": "شهرستان",
    "place": "محل (بخش، شهر یا روستا)",
    "birth_order": "ترتیب تولد",
    "father.national_code": "کد ملی پدر",
    "father.first_name": "نام پدر",
    "father.last_name": "نام خانوادگی پدر",
    "mother.national_code": "کد ملی مادر",
    "mother.first_name": "نام مادر",
    "mother.last_name": "نام خانوادگی مادر",
    "declarant.relation": "نسبت اعلام‌کننده",
    "declarant.national_code": "کد ملی اعلام‌کننده",
    "declarant.first_name": "نام اعلام‌کننده",
    "declarant.last_name": "نام خانوادگی اعلام‌کننده",
    "evidence.kind": "مدرک",
    "evidence.issuer": "صادرکننده گواهی",
    "evidence.issuer_name": "نام صادرکننده",
    "evidence.document_number": "شماره مدرک",
    "arrival_date": "تاریخ رسیدن از سفر",
    "national_code": "کد ملی متوفی",
    "death_date": "تاریخ وفات",
    "death_time": "ساعت وفات",
    "cause": "علت وفات",
    "learned_on": "تاریخ اطلاع از وفات",
    "husband_national_code": "کد ملی زوج",
    "wife_national_code": "کد ملی زوجه",
    "marriage_date": "تاریخ ازدواج",
    "divorce_date": "تاریخ طلاق",
    "notary_office": "دفترخانه",
    "document_number": "شماره سند",
    "court_permission": "شماره اجازه دادگاه",
    "divorce_type": "نوع طلاق",
    **{
        f"evidence.witnesses.{i}.{part}": f"{label} شاهد {'اول' if i == 0 else 'دوم'}"
        for i in (0, 1)
        for part, label in (("national_code", "کد ملی"), ("first_name", "نام"), ("last_name", "نام خانوادگی"))
    },
}
# The medical certificate of cause of death: part I's lines a to d (Persian letters), part II's three lines
# (as many as the declaration takes).
CAUSE_LINES = (
    *((f"cause_of_death.part1.{i}", f"بخش یک، سطر {letter}") for i, letter in enumerate(("الف", "ب", "ج", "د"))),
    *((f"cause_of_death.part2.{i}", f"بخش دو، بیماری {nth}") for i, nth in enumerate(("اول", "دوم", "سوم"))),
)
LABELS |= {
    **{
        f"{line}.{part}": f"{label}: {what}"
        for line, label in CAUSE_LINES
        for part, what in (
            ("condition", "بیماری یا حالت"),
            ("icd10", "کد ICD-10"),
            ("interval.amount", "فاصله شروع تا مرگ"),
            ("interval.unit", "واحد فاصله"),
        )
    },
    "cause_of_death.underlying": "علت زمینه‌ای مرگ (کد ICD-10)",
    "cause_of_death.manner": "نحوه مرگ",
    "cause_of_death.pregnancy": "بارداری",
    "cause_of_death.autopsy": "کالبدگشایی",
}
INTERVAL_UNITS = {"minutes": "دقیقه", "hours": "ساعت", "days": "روز", "months": "ماه", "years": "سال"}
CHOICES = {
    **{f"{line}.interval.unit": INTERVAL_UNITS for line, _ in CAUSE_LINES},
    "cause_of_death.manner": {
        "disease": "بیماری",
        "accident": "حادثه",
        "self_harm": "خودکشی",
        "assault": "قتل یا ضرب و جرح",
        "legal_intervention": "اقدام قانونی",
        "war": "جنگ",
        "pending": "در دست بررسی",
        "undetermined": "نامعلوم",
    },
    "cause_of_death.pregnancy": {
        "not_pregnant": "باردار نبوده است",
        "pregnant": "هنگام مرگ باردار بوده است",
        "within_42_days": "تا ۴۲ روز پیش از مرگ باردار بوده است",
        "43_days_to_1_year": "۴۳ روز تا یک سال پیش از مرگ باردار بوده است",
        "unknown": "نامعلوم",
    },
    "cause_of_death.autopsy": {
        "not_done": "انجام نشده",
        "findings_used": "انجام شده و یافته‌ها در گواهی آمده است",
        "findings_not_used": "انجام شده و یافته‌ها در گواهی نیامده است",
        "unknown": "نامعلوم",
    },
    "sex": {"female": "زن", "male": "مرد"},
    "declarant.relation": {
        "father": "پدر",
        "mother": "مادر",
        "grandparent": "جد",
        "sibling": "خواهر یا برادر",
        "guardian": "قیم",
        "physician": "پزشک",
        "other": "دیگر",
    },
    "evidence.kind": {
        "medical_certificate": "گواهی پزشک، ماما یا زایشگاه",
        "witnesses": "گواهی دو شاهد",
        "burial_permit": "جواز دفن",
        "court_order": "حکم دادگاه",
    },
    "evidence.issuer": {
        "physician": "پزشک",
        "midwife": "ماما",
        "facility": "بیمارستان یا زایشگاه",
        "cemetery": "آرامستان",
        "court": "دادگاه",
    },
    "divorce_type": {"revocable": "رجعی", "irrevocable": "بائن", "khul": "خلع", "mubarat": "مبارات"},
}
# A refusal of a part of the form as a whole (pydantic finds `declarant` missing when none of its inputs was
# filled in) is shown next to the input that is missing first.
INPUT_FOR = {
    "declarant": "declarant.relation",
    "evidence": "evidence.kind",
    "evidence.witnesses": "evidence.witnesses.1.first_name",
    "father": "father.first_name",
    "mother": "mother.first_name",
}
# Copied from a paper as typed, letters and digits alike (BC-2026-77): never translated, read left to right.
AS_TYPED = ("document_number", "notary_office", "court_permission")


@dataclass(frozen=True)
class ShownField:
    label: str
    value: str
    left_to_right: bool = False


def county_names(ctx: Context) -> dict[str, str]:
    return {county.code: f"{county.name_fa} ({to_persian_digits(county.code)})" for county in geo.list_counties(ctx)}


def flattened(data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """A stored declaration as the form's field names: `father.first_name`, `evidence.witnesses.0.first_name`."""
    fields: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            fields |= flattened(value, f"{name}.")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    fields |= flattened(item, f"{name}.{index}.")
                else:
                    fields[f"{name}.{index}"] = str(item)
        elif value not in (None, ""):
            fields[name] = str(value)
    return fields


def shown_fields(
    values: Mapping[str, str], counties: Mapping[str, str], names: Mapping[str, str] | None = None
) -> list[ShownField]:
    """Each filled field with its label and its value in words: the declaration a registrar confirms, or
    the one stored with an event (`names`: the name of each person it names by national code)."""
    shown = []
    for name, value in values.items():
        if name.startswith("_") or not value.strip():
            continue
        label, (text, left_to_right) = LABELS.get(name, name), _value(name, value.strip(), counties)
        if name.endswith("national_code") and names and value.strip() in names:
            text, left_to_right = f"{text} ({names[value.strip()]})", False
        shown.append(ShownField(label, text, left_to_right))
    return shown


def _value(name: str, value: str, counties: Mapping[str, str]) -> tuple[str, bool]:
    if name in CHOICES:
        return CHOICES[name].get(value, value), False
    if name == "county":
        return counties.get(value, to_persian_digits(value)), False
    if name.endswith((".icd10", ".underlying")):
        return causes.formatted(value), True  # as ICD-10 writes it, whichever way it was typed
    if name.rsplit(".", 1)[-1] in AS_TYPED:
        return value, True
    if name.endswith(("_date", "learned_on")):
        try:
            return to_persian_digits(to_jalali(parse_date(value))), False
        except DateProblem:
            return to_persian_digits(value), False
    return to_persian_digits(value), name.endswith(("national_code", "_time"))
