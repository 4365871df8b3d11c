"""Writing the synthetic nation to files, streamed row by row.

- `persons.csv`: everyone alive when the window opens, in the legacy person-record format that
  `sabt import` reads (Jalali dates, as Iranian registers keep them), parents before children;
- `events.csv`: the window's births, deaths, marriages and divorces in the order they were declared,
  with the declaration date (most on time, some late); a person born in the window is `new:N`; a death's
  `cause` is the underlying cause its medical certificate names (`synth.causes`), empty when it has none;
  `facility` is 1 for an event in a health facility, which notifies it (most births, half the deaths);
  a `stillbirth` is a child born dead in a facility, which notifies it and nobody declares;
- with `legacy`, `legacy.csv` and `legacy_truth.csv`: the same records as an old register would hold
  them, with known defects, and which true person (and defect) each row is.
"""

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..core.jalali import to_jalali
from .causes import draw_cause
from .population import NO_PARENT, Couple, Geography, Names, Population

PERSON_COLUMNS = [
    "national_code",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "birth_county",
    "father_national_code",
    "father_first_name",
    "father_last_name",
    "mother_national_code",
    "mother_first_name",
    "mother_last_name",
    "death_date",
]
EVENT_COLUMNS = [
    "kind",
    "event_date",
    "declared_on",
    "county",
    "subject",
    "partner",
    "first_name",
    "last_name",
    "sex",
    "father",
    "mother",
    "father_first_name",
    "father_last_name",
    "mother_first_name",
    "mother_last_name",
    "birth_order",
    "evidence",
    "cause",
    "facility",
]
# Iran: nearly every birth happens in a health facility; about half of deaths happen in a hospital.
FACILITY_BIRTHS = 0.96
FACILITY_DEATHS = 0.55
# Stillbirths per live birth: Iran reports about 8 per 1,000 births (UN IGME estimates for 2021: 7.6).
STILLBIRTHS = 0.008
# A mother's stillbirth comes this many days (at least) before one of her live births: a pregnancy apart.
STILLBIRTH_BEFORE = (300, 900)
SEX = ("male", "female")


def jalali(day: int) -> str:
    return to_jalali(dt.date.fromordinal(day))


class Nation:
    """The generated arrays with what is needed to write them as records."""

    def __init__(
        self, population: Population, names: Names, codes: list[str], couples: list[Couple], geo: Geography
    ) -> None:
        self.people, self.names, self.codes, self.couples, self.geo = population, names, codes, couples, geo

    def ref(self, person: int) -> str:
        return self.codes[person] or f"new:{person}"

    def first_name(self, person: int) -> str:
        table = self.names.male if self.people.sex[person] == 0 else self.names.female
        return table.names[int(self.names.first[person])]

    def surname(self, person: int) -> str:
        return self.names.surnames.names[int(self.names.surname[person])]

    def parent_names(self, child: int) -> tuple[str, str, str, str]:
        father, mother = self.people.father[child], self.people.mother[child]
        father_first = (
            self.first_name(father) if father != NO_PARENT else self.names.male.names[self.names.father_first[child]]
        )
        father_last = self.surname(father) if father != NO_PARENT else self.surname(child)
        mother_first = (
            self.first_name(mother) if mother != NO_PARENT else self.names.female.names[self.names.mother_first[child]]
        )
        mother_last = (
            self.surname(mother) if mother != NO_PARENT else self.names.surnames.names[self.names.mother_surname[child]]
        )
        return father_first, father_last, mother_first, mother_last

    def person_record(self, i: int) -> dict[str, str]:
        father, mother = self.people.father[i], self.people.mother[i]
        father_first, father_last, mother_first, mother_last = self.parent_names(i)
        return {
            "national_code": self.codes[i],
            "first_name": self.first_name(i),
            "last_name": self.surname(i),
            "sex": SEX[self.people.sex[i]],
            "birth_date": jalali(int(self.people.birth[i])),
            "birth_county": self.geo.county_codes[self.people.county[i]],
            "father_national_code": self.codes[father] if father != NO_PARENT else "",
            "father_first_name": father_first,
            "father_last_name": father_last,
            "mother_national_code": self.codes[mother] if mother != NO_PARENT else "",
            "mother_first_name": mother_first,
            "mother_last_name": mother_last,
            "death_date": "",
        }

    def legacy_people(self) -> Iterator[int]:
        return (i for i in range(len(self.people)) if not self.people.born_in_window(i))


def write_persons(nation: Nation, path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, PERSON_COLUMNS)
        writer.writeheader()
        for i in nation.legacy_people():
            writer.writerow(nation.person_record(i))
            count += 1
    return count


def registration_delay(rng: np.random.Generator, kind: str) -> int:
    """Days from the event to its declaration: most on time, a realistic share late, a few very late."""
    roll = rng.random()
    if kind == "birth":
        return (
            int(rng.integers(1, 13))
            if roll < 0.86
            else int(rng.integers(16, 90))
            if roll < 0.97
            else int(rng.integers(90, 1500))
        )
    if kind == "death":
        return int(rng.integers(0, 9)) if roll < 0.9 else int(rng.integers(11, 400))
    return int(rng.integers(0, 20))  # notaries report marriages and divorces (art. 31)


def events(
    nation: Nation, rng: np.random.Generator, health_rng: np.random.Generator, stillbirth_rng: np.random.Generator
) -> list[dict[str, str]]:
    people, end = nation.people, nation.people.end
    rows: list[tuple[int, int, dict[str, str]]] = []
    birth_declared: dict[str, int] = {}

    def add(kind: str, day: int, county: int, **fields: str) -> None:
        declared = min(day + registration_delay(rng, kind), end)
        # A death (or marriage) of someone born in the window is declared after their birth was.
        declared = max(
            declared, birth_declared.get(fields["subject"], 0), birth_declared.get(fields.get("partner", ""), 0)
        )
        if kind == "birth":
            birth_declared[fields["subject"]] = declared
        row = (
            dict.fromkeys(EVENT_COLUMNS, "")
            | {
                "kind": kind,
                "event_date": jalali(day),
                "declared_on": jalali(declared),
                "county": nation.geo.county_codes[county],
            }
            | fields
        )
        rows.append((declared, day, row))

    for i in np.flatnonzero(people.birth >= people.window_start).tolist():
        father, mother = people.father[i], people.mother[i]
        father_first, father_last, mother_first, mother_last = nation.parent_names(i)
        add(
            "birth",
            int(people.birth[i]),
            int(people.county[i]),
            subject=nation.ref(i),
            first_name=nation.first_name(i),
            father_first_name=father_first,
            father_last_name=father_last,
            mother_first_name=mother_first,
            mother_last_name=mother_last,
            last_name=nation.surname(i),
            sex=SEX[people.sex[i]],
            father=nation.ref(father) if father != NO_PARENT else "",
            mother=nation.ref(mother) if mother != NO_PARENT else "",
            birth_order=str(people.birth_order[i]),
            evidence="witnesses" if rng.random() < 0.04 else "medical_certificate",
            facility="1" if health_rng.random() < FACILITY_BIRTHS else "",
        )
    rows.extend(_stillbirths(nation, stillbirth_rng))
    for i in np.flatnonzero(people.death > 0).tolist():
        age_days = int(people.death[i] - people.birth[i])
        cause = draw_cause(health_rng, sex=SEX[people.sex[i]], age_days=age_days)
        in_hospital = "1" if cause and health_rng.random() < FACILITY_DEATHS else ""
        add(
            "death",
            int(people.death[i]),
            int(people.county[i]),
            subject=nation.ref(i),
            cause=cause,
            facility=in_hospital,
        )
    for couple in nation.couples:
        add(
            "marriage",
            couple.married,
            couple.county,
            subject=nation.ref(couple.husband),
            partner=nation.ref(couple.wife),
        )
        if couple.divorced:
            add(
                "divorce",
                couple.divorced,
                couple.county,
                subject=nation.ref(couple.husband),
                partner=nation.ref(couple.wife),
            )
    rows.sort(key=lambda item: (item[0], item[1], item[2]["kind"] != "birth"))
    return [row for _, _, row in rows]


def _stillbirths(nation: Nation, rng: np.random.Generator) -> list[tuple[int, int, dict[str, str]]]:
    """Children born dead in a facility, to mothers of the registry, in the window: notified on the day,
    never declared (so they are sorted in by the day itself)."""
    people, found = nation.people, []
    for i in np.flatnonzero(people.birth >= people.window_start).tolist():
        mother = people.mother[i]
        if mother == NO_PARENT or not nation.codes[mother] or rng.random() >= STILLBIRTHS:
            continue
        day = int(people.birth[i]) - int(rng.integers(*STILLBIRTH_BEFORE))
        if day < people.window_start:
            continue
        row = dict.fromkeys(EVENT_COLUMNS, "") | {
            "kind": "stillbirth",
            "event_date": jalali(day),
            "declared_on": jalali(day),
            "county": nation.geo.county_codes[int(people.county[i])],
            "sex": SEX[int(rng.integers(2))],
            "mother": nation.codes[mother],
            "birth_order": "1",
            "facility": "1",
        }
        found.append((day, day, row))
    return found


def write_events(
    nation: Nation,
    rng: np.random.Generator,
    path: Path,
    *,
    health_rng: np.random.Generator,
    stillbirth_rng: np.random.Generator,
) -> dict[str, int]:
    counts: dict[str, int] = {}
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, EVENT_COLUMNS)
        writer.writeheader()
        for row in events(nation, rng, health_rng, stillbirth_rng):
            writer.writerow(row)
            counts[row["kind"]] = counts.get(row["kind"], 0) + 1
    return counts
