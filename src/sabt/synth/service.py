"""`generate_nation`: write a deterministic synthetic nation (and optionally its legacy register) to a folder."""

import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from .cards import replay_cards as replay_cards
from .cards import write_cards
from .errors import SynthOut
from .files import Nation, write_events, write_persons
from .legacy import write_legacy
from .population import FamilyBuilder, Geography, generate_population, marry, name_everyone, national_codes
from .replay import replay_events as replay_events

DEFAULT_END = dt.date(2026, 3, 20)  # the last day of 1404; a fixed end keeps the output deterministic


class SynthRequest(BaseModel):
    people: int = Field(ge=10, le=200_000_000)
    years: int = Field(ge=1, le=15)
    seed: int = 1
    end: dt.date = DEFAULT_END
    legacy: bool = False


class SynthSummary(BaseModel):
    request: SynthRequest
    persons_file_rows: int
    events: dict[str, int]
    cards: int
    legacy_rows: dict[str, int]
    seconds: float
    files: list[str]


Step = Callable[[str], None]


def generate_nation(request: SynthRequest, out: Path, step: Step = lambda _: None) -> SynthSummary:
    """Everything derives from `request.seed`: the same request writes the same files."""
    if out.exists() and not out.is_dir():
        raise SynthOut(field="out")
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rng = np.random.default_rng(request.seed)
    geo = Geography.load()
    step("people")
    population = generate_population(rng, geo, request.people, request.years, request.end)
    step("families")
    families = FamilyBuilder(rng, population, len(geo.county_codes))
    families.build()
    step("marriages")
    couples = marry(rng, population, families, request.years, request.people)
    step("names and national codes")
    nation = Nation(population, name_everyone(rng, population), national_codes(population, geo), couples, geo)
    step("persons.csv")
    persons = write_persons(nation, out / "persons.csv")
    step("events.csv")
    # Where events happened and their causes of death, from a generator of their own (as the cards below).
    event_counts = write_events(
        nation,
        rng,
        out / "events.csv",
        health_rng=np.random.default_rng([request.seed, 24]),
        stillbirth_rng=np.random.default_rng([request.seed, 25]),
    )
    step("cards.csv")
    # A generator of their own: adding card histories leaves every other file as it was for the same seed.
    card_rows = write_cards(nation, np.random.default_rng([request.seed, 15]), out / "cards.csv")
    files = ["persons.csv", "events.csv", "cards.csv"]
    legacy: dict[str, int] = {}
    if request.legacy:
        step("legacy.csv")
        legacy = write_legacy(nation, rng, out / "legacy.csv", out / "legacy_truth.csv")
        files += ["legacy.csv", "legacy_truth.csv"]
    summary = SynthSummary(
        request=request,
        persons_file_rows=persons,
        events=event_counts,
        cards=card_rows,
        legacy_rows=legacy,
        seconds=round(time.perf_counter() - started, 2),
        files=files,
    )
    (out / "summary.json").write_text(json.dumps(summary.model_dump(mode="json"), indent=2), encoding="utf-8")
    return summary
