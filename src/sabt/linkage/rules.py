"""The rules: records that cannot be true, or patterns that forgers leave, found over the whole registry.

Each finding has a key that names it (the rule and the records), so a later run finds the same case again
rather than adding it twice.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from ..core.linkage import (
    OLDEST_PLAUSIBLE_AGE,
    adult_registered_as_newborn,
    births_too_close,
    impossible_mother_age,
    older_than_plausible,
)
from ..registry import service as registry

SERIAL_DECLARANT_LATE_BIRTHS = 5  # late birth registrations by one declarant before it is a case
CHECKS_PLACES, CHECKS_WINDOW = 3, dt.timedelta(hours=1)  # one certificate checked from this many places


@dataclass(frozen=True)
class Finding:
    kind: str
    key: str
    person_id: int | None
    other_person_id: int | None = None
    event_id: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    match_weight: float | None = None  # for the model's findings
    match_probability: float | None = None


def run_rules(connection: Connection, *, today: dt.date) -> Iterator[Finding]:
    yield from _born_after_mothers_death(connection)
    yield from _mothers(connection)
    yield from _adults_as_newborns_and_serial_declarants(connection)
    yield from _too_old(connection, today)


def _born_after_mothers_death(connection: Connection) -> Iterator[Finding]:
    for child, mother, born, died in registry.births_after_mothers_death(connection):
        yield Finding(
            "born_after_mothers_death",
            f"rule:born_after_mothers_death:{child}",
            child,
            mother,
            evidence={"born": born.isoformat(), "mother_died": died.isoformat()},
        )


def _mothers(connection: Connection) -> Iterator[Finding]:
    """Births too close to the mother's previous one, and mothers too young or too old to give birth."""
    previous: tuple[int, int, dt.date] | None = None
    for mother, child, born, mother_born in registry.births_by_mother(connection):
        if impossible_mother_age(mother_born=mother_born, child_born=born):
            yield Finding(
                "impossible_mother_age",
                f"rule:impossible_mother_age:{child}",
                child,
                mother,
                evidence={"born": born.isoformat(), "mother_born": mother_born.isoformat()},
            )
        if previous and previous[0] == mother and births_too_close(previous[2], born):
            yield Finding(
                "births_too_close",
                f"rule:births_too_close:{previous[1]}:{child}",
                previous[1],
                child,
                evidence={
                    "mother_id": mother,
                    "first_born": previous[2].isoformat(),
                    "second_born": born.isoformat(),
                    "days": (born - previous[2]).days,
                },
            )
        previous = (mother, child, born)


def _adults_as_newborns_and_serial_declarants(connection: Connection) -> Iterator[Finding]:
    by_declarant: dict[str, list[int]] = defaultdict(list)
    for event, child, born, declared, data in registry.late_births(connection):
        if adult_registered_as_newborn(born=born, declared=declared):
            yield Finding(
                "adult_as_newborn",
                f"rule:adult_as_newborn:{event}",
                child,
                event_id=event,
                evidence={"born": born.isoformat(), "declared_on": declared.isoformat()},
            )
        if declarant := _declarant_code(data):
            by_declarant[declarant].append(event)
    for code, events in by_declarant.items():
        if len(events) >= SERIAL_DECLARANT_LATE_BIRTHS:
            evidence = {"declarant": code, "late_births": len(events), "events": sorted(events)[:50]}
            yield Finding(
                "serial_declarant", f"rule:serial_declarant:{code}", None, event_id=events[0], evidence=evidence
            )


def _declarant_code(data: dict[str, Any]) -> str | None:
    """The national code of whoever declared a birth: given outright, or that of the parent who declared."""
    declarant = data.get("declarant") or {}
    if code := declarant.get("national_code"):
        return str(code)
    parent = data.get(declarant.get("relation", "")) if declarant.get("relation") in {"father", "mother"} else None
    return str(parent["national_code"]) if isinstance(parent, dict) and parent.get("national_code") else None


def _too_old(connection: Connection, today: dt.date) -> Iterator[Finding]:
    born_before = today - dt.timedelta(days=365 * OLDEST_PLAUSIBLE_AGE)  # a little late; the rule decides
    for person, born in registry.living_born_before(connection, born_before):
        if older_than_plausible(born=born, on=today):
            yield Finding(
                "older_than_plausible",
                f"rule:older_than_plausible:{person}",
                person,
                evidence={"born": born.isoformat()},
            )


def certificate_findings(rows: Iterator[tuple[str, list[str], dt.datetime]]) -> Iterator[Finding]:
    """Certificates checked from many places within the window (rows: serial, places, first check)."""
    for serial, places, first in rows:
        yield Finding(
            "certificate_many_places",
            f"rule:certificate_many_places:{serial}:{first:%Y%m%d%H}",
            None,
            evidence={"serial": serial, "places": places[:20], "first_check": first.isoformat()},
        )
