"""Vital-statistics arithmetic: Jalali periods, rates, fertility, medians, and disclosure control.

Pure functions over counts; the statistics feature fetches the counts and names the indicators.
"""

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import jdatetime

Grain = Literal["month", "season", "year"]
GRAINS: tuple[Grain, ...] = ("month", "season", "year")
MONTHS_FA = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
SEASONS_FA = ("بهار", "تابستان", "پاییز", "زمستان")
# Age groups of the dead (WHO's usual breaks), with the first day of life each starts at, in completed years.
DEATH_AGE_GROUPS = (("0", 0), ("1-4", 1), ("5-14", 5), ("15-24", 15), ("25-44", 25), ("45-64", 45), ("65+", 65))
# Mothers' five-year age groups for age-specific fertility (15–49, as the census counts women).
MOTHER_AGE_GROUPS = tuple((f"{age}-{age + 4}", age) for age in range(15, 50, 5))
DAYS_PER_YEAR = 365.2425
SATURDAY = 5  # date.weekday() of the first day of the Iranian week
SMALL_COUNT = 5  # public cells counting 1 to 4 are suppressed


@dataclass(frozen=True)
class Period:
    key: str  # "1404-03" (month), "1404-S1" (season), "1404" (year)
    first: dt.date
    last: dt.date
    label_fa: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def periods(start: dt.date, end: dt.date, grain: Grain) -> list[Period]:
    """The Jalali months, seasons or years that overlap [start, end], each cut to the range."""
    found: list[Period] = []
    day = start
    while day <= end:
        whole = _period_of(day, grain)
        last = min(whole.last, end)
        found.append(Period(whole.key, day, last, whole.label_fa))
        day = last + dt.timedelta(days=1)
    return found


def _period_of(day: dt.date, grain: Grain) -> Period:
    jalali = jdatetime.date.fromgregorian(date=day)
    if grain == "year":
        first_month, months, key, label = 1, 12, f"{jalali.year}", f"{jalali.year}"
    elif grain == "season":
        season = (jalali.month - 1) // 3
        first_month, months = 3 * season + 1, 3
        key, label = f"{jalali.year}-S{season + 1}", f"{SEASONS_FA[season]} {jalali.year}"
    else:
        first_month, months = jalali.month, 1
        key, label = f"{jalali.year}-{jalali.month:02d}", f"{MONTHS_FA[jalali.month - 1]} {jalali.year}"
    first = jdatetime.date(jalali.year, first_month, 1).togregorian()
    after = first_month + months
    following = jdatetime.date(jalali.year + (after > 12), (after - 1) % 12 + 1, 1).togregorian()
    return Period(key, first, following - dt.timedelta(days=1), label)


def rate_per_thousand(events: int, population: int, days: int) -> float | None:
    """Events per 1,000 people a year: the count over the population, scaled from `days` to a year."""
    if population <= 0 or days <= 0:
        return None
    return 1000 * events / population * DAYS_PER_YEAR / days


def ratio(numerator: float, denominator: float, scale: float) -> float | None:
    return scale * numerator / denominator if denominator else None


def total_fertility(births_by_group: Mapping[str, int], women_by_group: Mapping[str, int], days: int) -> float | None:
    """5 × the sum of the age-specific rates (births a year per woman of each five-year group, 15–49)."""
    if days <= 0 or any(women_by_group.get(name, 0) <= 0 for name, _ in MOTHER_AGE_GROUPS):
        return None
    scale = DAYS_PER_YEAR / days
    return 5 * sum(births_by_group.get(name, 0) / women_by_group[name] * scale for name, _ in MOTHER_AGE_GROUPS)


def week_start(day: dt.date) -> dt.date:
    """The Saturday that begins the Iranian week holding `day`."""
    return day - dt.timedelta(days=(day.weekday() - SATURDAY) % 7)


def completeness_percent(registered: int, population: int, rate_per_thousand: float, days: int) -> float | None:
    """Registered events as a share of those a population is expected to have in `days` at a crude rate
    (per 1,000 a year); None when nothing is expected."""
    expected = population * rate_per_thousand / 1000 * days / DAYS_PER_YEAR
    return 100 * registered / expected if expected > 0 else None


def median_from_counts(counts: Mapping[int, int]) -> float | None:
    """The median of values given as value → how many times it occurs."""
    total = sum(counts.values())
    if total == 0:
        return None
    ordered = sorted(counts.items())
    lower, upper = _nth(ordered, (total - 1) // 2), _nth(ordered, total // 2)
    return (lower + upper) / 2


def _nth(ordered: Sequence[tuple[int, int]], index: int) -> int:
    seen = 0
    for value, count in ordered:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)


def suppress(
    cells: Mapping[str, int], groups: Iterable[tuple[str | None, Sequence[str]]], *, threshold: int = SMALL_COUNT
) -> set[str]:
    """Which cells to hide from the public: every count from 1 to threshold − 1 (primary suppression), and
    enough more that no hidden count can be worked out by subtraction (secondary suppression).

    `groups` are (total, members): members add up to the total, which is published unless hidden itself
    (None when a group's total is not a cell). A group may never have exactly one hidden member while its
    total shows: the smallest other non-zero member is hidden with it, or, when there is none, the total.
    Zeros are shown: they reveal no one. Repeats until stable, as one hiding can expose another group."""
    hidden = {name for name, count in cells.items() if 0 < count < threshold}
    groups = [(total, list(members)) for total, members in groups]
    changed = True
    while changed:
        changed = False
        for total, members in groups:
            if (total is not None and total in hidden) or sum(1 for m in members if m in hidden) != 1:
                continue
            candidates = sorted((cells[m], m) for m in members if m not in hidden and cells[m] > 0)
            if candidates:
                hidden.add(candidates[0][1])
            elif total is not None:
                hidden.add(total)
            else:
                continue
            changed = True
    return hidden


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or math.isnan(value) else round(value, digits)
