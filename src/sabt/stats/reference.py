"""What rates and completeness are worked out against: census populations (or the registry's living
persons), women by age group, and the Persian names of places."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cache

from ..context import Context
from ..geo import service as geo
from ..registry import service as registry

UNKNOWN = "????"  # a county no one recorded (a province "??"): counted in the country, never lost


@dataclass(frozen=True)
class Reference:
    """What rates are worked out against, read once per table: census populations, women by age, names."""

    populations: dict[str, int]
    women: dict[str, dict[str, int]]
    names: dict[str, str]
    # Births and deaths a year per 1,000 people that completeness expects (SABT_EXPECTED_*_RATE).
    expected_rates: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, ctx: Context, *, population_on: dt.date | None) -> "Reference":
        """The census reference, with the registry's living persons as populations when `population_on`."""
        rates = {"birth": ctx.settings.expected_birth_rate, "death": ctx.settings.expected_death_rate}
        census = replace(_census(), expected_rates=rates)
        if population_on is None:
            return census
        with ctx.db.snapshot() as session:
            living = registry.count_living_on_days(session, days=[(population_on, population_on)])
        return replace(census, populations=_with_totals({county: counts[0] for county, counts in living.items()}))


@cache
def _census() -> Reference:
    """Read once per process from the shipped 1395 census files (the same the geography tables hold)."""
    counties, provinces = geo.reference_rows("counties.csv"), geo.reference_rows("provinces.csv")
    women: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in geo.reference_rows("age_sex.csv"):  # the census has ages by province only
        for code in (row["province_code"], ""):
            women[code][row["age_group"]] += int(row["female"])
    names = {row["code"]: row["name_fa"] for row in (*counties, *provinces)}
    names |= {"": "کل کشور", "??": "استان نامعلوم", UNKNOWN: "شهرستان نامعلوم"}
    return Reference(_with_totals({row["code"]: int(row["population"]) for row in counties}), women, names)


def _with_totals(by_county: dict[str, int]) -> dict[str, int]:
    """County populations with their provinces' and the country's ("") sums."""
    totals = dict(by_county)
    for county, people in by_county.items():
        totals[county[:2]] = totals.get(county[:2], 0) + people
        totals[""] = totals.get("", 0) + people
    return totals
