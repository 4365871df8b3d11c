"""What each kind of certificate certifies: the facts that are signed into its code, and the Persian rows
printed on paper and shown by verifiers.

Facts are a small CBOR-friendly map with short keys (the QR must stay readable from paper): dates as ISO
text, a person's own names as typed in Persian letters (`printed_name`: a compound name keeps its
non-joiner), parents' names as the registry stores them (normalized), national codes as text. The full key list is
in docs/certificates.md, so that a third party can read them without Sabt.
"""

import datetime as dt
import hashlib
from typing import Any

import cbor2
from sqlalchemy.orm import Session

from ..core.jalali import to_jalali
from ..core.text import printed_name, to_persian_digits
from ..geo.errors import CountyUnknown
from ..geo.service import require_county
from ..registry.schemas import DatePair, EventOut, PersonOut
from .schemas import COUPLE_KINDS, PERSON_KINDS

FACTS_VERSION = 1
KINDS = PERSON_KINDS + COUPLE_KINDS
SEX_FA = {"m": "مرد", "f": "زن"}


def person_facts(*, serial: str, kind: str, office: str, person: PersonOut, death: EventOut | None) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "v": FACTS_VERSION,
        "s": serial,
        "k": kind,
        "o": office,
        "n": person.national_code,
        "fn": printed_name(person.first_name_typed),
        "ln": printed_name(person.last_name_typed),
        "sx": person.sex[0],
        "bd": person.birth_date.gregorian.isoformat(),
        "bc": person.birth_county_code,
        "f": f"{person.father.first_name} {person.father.last_name}",
        "fc": person.father.national_code,
        "m": f"{person.mother.first_name} {person.mother.last_name}",
        "mc": person.mother.national_code,
        "r": person.revision,
    }
    if person.birth_time:
        facts["bt"] = person.birth_time
    if kind != "birth" and person.died_on is not None:
        facts["dd"] = person.died_on.gregorian.isoformat()
    if kind == "death" and death is not None:
        facts["dc"] = str(death.data.get("county", ""))
    return facts


def couple_facts(
    *, serial: str, kind: str, office: str, event: EventOut, husband: PersonOut, wife: PersonOut
) -> dict[str, Any]:
    return {
        "v": FACTS_VERSION,
        "s": serial,
        "k": kind,
        "o": office,
        "h": _spouse(husband),
        "w": _spouse(wife),
        "d": event.event_date.gregorian.isoformat(),
        "c": str(event.data.get("county", "")),
        "no": str(event.data.get("notary_office", "")),
        "doc": str(event.data.get("document_number", "")),
        "e": event.id,
    }


def _spouse(person: PersonOut) -> dict[str, str]:
    return {
        "n": person.national_code,
        "fn": printed_name(person.first_name_typed),
        "ln": printed_name(person.last_name_typed),
    }


def person_details(person: PersonOut) -> dict[str, Any]:
    """What a birth certificate or an extract prints beside the signed facts: place names, later events."""
    return {
        "birth_county": person.birth_county_name_fa,
        "birth_place": person.birth_place,
        "marriages": [
            [m.spouse_name, m.spouse_national_code, m.married_on.jalali, _ended(m.ended_on, m.end_reason)]
            for m in person.marriages
        ],
        "children": [[f"{c.first_name} {c.last_name}", c.national_code, c.birth_date.jalali] for c in person.children],
    }


def _ended(ended_on: DatePair | None, reason: str | None) -> str:
    if ended_on is None:
        return ""
    return f"{ended_on.jalali} ({'طلاق' if reason == 'divorce' else 'فوت'})"


def fa(text: object) -> str:
    return to_persian_digits(str(text))


def jalali_fa(iso_date: str) -> str:
    return fa(to_jalali(dt.date.fromisoformat(iso_date)))


def fact_rows(facts: dict[str, Any], county_names: dict[str, str]) -> list[tuple[str, str]]:
    """The certified facts as Persian label/value rows, in the order a reader expects them."""
    kind = facts.get("k")
    if kind in COUPLE_KINDS:
        return _couple_rows(facts, county_names)
    rows = [
        ("کد ملی", fa(facts["n"])),
        ("نام", facts["fn"]),
        ("نام خانوادگی", facts["ln"]),
        ("جنسیت", SEX_FA.get(facts["sx"], "")),
        ("تاریخ تولد", jalali_fa(facts["bd"])),
        *([("ساعت تولد", fa(facts["bt"]))] if facts.get("bt") else []),
        ("محل تولد", county_names.get(facts["bc"], fa(facts["bc"]))),
        ("نام و نام خانوادگی پدر", facts["f"]),
        ("کد ملی پدر", fa(facts["fc"] or "—")),
        ("نام و نام خانوادگی مادر", facts["m"]),
        ("کد ملی مادر", fa(facts["mc"] or "—")),
    ]
    if "dd" in facts:
        rows.append(("تاریخ فوت", jalali_fa(facts["dd"])))
    if facts.get("dc"):
        rows.append(("محل فوت", county_names.get(facts["dc"], fa(facts["dc"]))))
    return rows


def readable_rows(facts: dict[str, Any], county_names: dict[str, str]) -> list[tuple[str, str]]:
    """fact_rows for facts from outside: a genuinely signed map of another shape (a key used outside the
    service) is shown as nothing rather than failing."""
    try:
        return fact_rows(facts, county_names)
    except (KeyError, TypeError, ValueError, AttributeError):
        return []


def _couple_rows(facts: dict[str, Any], county_names: dict[str, str]) -> list[tuple[str, str]]:
    husband, wife = facts["h"], facts["w"]
    date_label = "تاریخ ازدواج" if facts["k"] == "marriage" else "تاریخ طلاق"
    return [
        ("زوج", f"{husband['fn']} {husband['ln']}"),
        ("کد ملی زوج", fa(husband["n"])),
        ("زوجه", f"{wife['fn']} {wife['ln']}"),
        ("کد ملی زوجه", fa(wife["n"])),
        (date_label, jalali_fa(facts["d"])),
        ("محل ثبت", county_names.get(facts["c"], fa(facts["c"]))),
        ("دفترخانه", str(facts["no"])),  # references as they are written on the deed, not translated
        ("شماره سند", str(facts["doc"])),
    ]


def county_codes(facts: dict[str, Any]) -> set[str]:
    return {str(facts[key]) for key in ("bc", "dc", "c") if facts.get(key)}


def facts_digest(facts: dict[str, Any]) -> str:
    return hashlib.sha256(cbor2.dumps(facts, canonical=True)).hexdigest()


def county_names(session: Session, facts: dict[str, Any]) -> dict[str, str]:
    """Persian names of the counties the facts mention; a code the registry does not know is left out
    (and shown as the code itself)."""
    names = {}
    for code in county_codes(facts):
        try:
            names[code] = require_county(session, code, field="county").name_fa
        except CountyUnknown:
            continue
    return names
