"""Card histories for the synthetic nation, and their replay through the card use cases.

Each province gets its own coverage (between 55% and 97% of the people eligible hold a card, as provinces
report very different figures), people apply at some point in the last six years after turning 15, a few
lose a card and apply again, and the newest applications are still on their way. `cards.csv` has one row
per card; replaying it takes every card through the same steps as at an office, on the day each happened:
application and enrolment, a batch per office and day, production, hand-over, and any report of a loss.
"""

import csv
import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..cards import service as cards
from ..cards.schemas import ApplicationIn, EnrolmentIn, ProducedCard, ProductionIn, ReportIn
from ..clock import FixedClock
from ..context import Context
from ..core.cards import CARD_AGE
from ..core.permissions import Actor
from .files import Nation
from .replay import StaffFor

CARD_COLUMNS = [
    "national_code",
    "county",
    "applied_on",
    "sent_on",
    "produced_on",
    "handed_over_on",
    "reported_on",
    "report",
]
HISTORY_DAYS = 6 * 365
STILL_WAITING = 0.03  # of eligible people without a card, an application in progress
LOSS = 0.04  # of card holders, a card lost or stolen and replaced


def write_cards(nation: Nation, rng: np.random.Generator, path: Path) -> int:
    """One row per card of the people alive at the end and 15 or older; days as ISO dates, empty when the
    step has not happened by the end."""
    people, end = nation.people, nation.people.end
    coverage = rng.uniform(0.55, 0.97, size=int(nation.geo.province_of.max()) + 1)
    rows: list[list[str]] = []
    for i in nation.legacy_people():
        eligible = _fifteenth_birthday(int(people.birth[i]))
        alive = people.death[i] == 0 or people.death[i] > end
        if not alive or eligible > end - 30:
            continue
        county = int(people.county[i])
        roll, first_day = rng.random(), max(eligible, end - HISTORY_DAYS)
        if roll < coverage[nation.geo.province_of[county]]:
            applied = int(rng.integers(first_day, end - 25))
            if rng.random() < LOSS and applied + 200 < end:
                lost_on = int(rng.integers(applied + 60, end - 100))
                rows.append(_card(nation, i, applied, end, rng, reported=(lost_on, "lost")))
                applied = lost_on + int(rng.integers(1, 15))
            rows.append(_card(nation, i, applied, end, rng))
        elif rng.random() < STILL_WAITING:
            rows.append(_card(nation, i, int(rng.integers(end - 60, end)), end, rng))
    rows.sort(key=lambda row: (row[2], row[0]))
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(CARD_COLUMNS)
        writer.writerows(rows)
    return len(rows)


def _fifteenth_birthday(birth: int) -> int:
    day = dt.date.fromordinal(birth)
    try:
        return day.replace(year=day.year + CARD_AGE).toordinal()
    except ValueError:
        return dt.date(day.year + CARD_AGE, 3, 1).toordinal()


def _card(
    nation: Nation, i: int, applied: int, end: int, rng: np.random.Generator, reported: tuple[int, str] | None = None
) -> list[str]:
    sent = applied + 2
    produced = sent + 14 + sent % 11  # every card sent on one day is made together
    handed = produced + int(rng.integers(3, 21))
    steps = [applied, sent, produced, handed]
    if reported is not None and reported[0] <= handed:
        reported = None
    days = ["" if day > end else dt.date.fromordinal(day).isoformat() for day in steps]
    report_day, report = (dt.date.fromordinal(reported[0]).isoformat(), reported[1]) if reported else ("", "")
    return [nation.codes[i], nation.geo.county_codes[nation.people.county[i]], *days, report_day, report]


@dataclass
class CardReplay:
    cards: int = 0
    batches: int = 0
    card_ids: dict[int, int] = field(default_factory=dict)  # row -> card id
    batch_of: dict[int, int] = field(default_factory=dict)  # row -> batch id


def replay_cards(ctx: Context, *, path: Path, staff_for: StaffFor, producer: Actor) -> CardReplay:
    """Take every card of `cards.csv` through the use cases on its days (09:00 in Tehran)."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    days: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, row in enumerate(rows):
        for column in CARD_COLUMNS[2:7]:
            if row[column]:
                days[row[column]][column].append(index)
    clock = FixedClock(ctx.now())
    at_the_time = replace(ctx, clock=clock)
    replay = CardReplay()
    for day in sorted(days):
        clock.current = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(5, 30), dt.UTC)
        _replay_day(at_the_time, rows, days[day], staff_for, producer, replay)
    return replay


def _replay_day(
    ctx: Context,
    rows: list[dict[str, str]],
    steps: dict[str, list[int]],
    staff_for: StaffFor,
    producer: Actor,
    replay: CardReplay,
) -> None:
    """One day's steps in the order an office and the factory take them."""
    for index in steps["applied_on"]:
        registrar = staff_for(rows[index]["county"])[1]
        application = ApplicationIn(national_code=rows[index]["national_code"])
        card_id = cards.apply_for_card(ctx, actor=registrar, application=application).id
        template = hashlib.sha256(f"fingerprint template {index}".encode()).hexdigest()
        enrolment = EnrolmentIn(photo_ref=f"capture-{index}", template_sha256=template)
        cards.enrol(ctx, actor=registrar, card_id=card_id, enrolment=enrolment)
        replay.card_ids[index], replay.cards = card_id, replay.cards + 1
    sent: dict[str, tuple[Actor, list[int]]] = {}
    for index in steps["sent_on"]:
        office, registrar, _ = staff_for(rows[index]["county"])
        sent.setdefault(office, (registrar, []))[1].append(index)
    for _, (registrar, indexes) in sorted(sent.items()):
        batch = cards.send_batch(ctx, actor=registrar, card_ids=[replay.card_ids[i] for i in indexes])
        replay.batch_of |= dict.fromkeys(indexes, batch.id)
        replay.batches += 1
    made: dict[int, list[int]] = defaultdict(list)
    for index in steps["produced_on"]:
        made[replay.batch_of[index]].append(replay.card_ids[index])
    for batch_id, ids in sorted(made.items()):
        manifest = [ProducedCard(card_id=card_id, chip_id=f"04{card_id:012X}") for card_id in ids]
        cards.record_production(ctx, actor=producer, batch_id=batch_id, production=ProductionIn(cards=manifest))
    for index in steps["handed_over_on"]:
        cards.hand_over(ctx, actor=staff_for(rows[index]["county"])[1], card_id=replay.card_ids[index])
    for index in steps["reported_on"]:
        report = ReportIn.model_validate({"what": rows[index]["report"]})
        cards.report_card(ctx, actor=staff_for(rows[index]["county"])[1], card_id=replay.card_ids[index], report=report)
