"""Vital-statistics arithmetic and disclosure control."""

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from sabt.core.stats import (
    SMALL_COUNT,
    completeness_percent,
    median_from_counts,
    periods,
    rate_per_thousand,
    suppress,
    total_fertility,
    week_start,
)


def test_jalali_months_seasons_and_years_cut_to_the_range():
    months = periods(dt.date(2025, 4, 21), dt.date(2025, 6, 1), "month")
    assert [(p.key, p.first, p.last, p.label_fa) for p in months] == [
        ("1404-02", dt.date(2025, 4, 21), dt.date(2025, 5, 21), "اردیبهشت 1404"),
        ("1404-03", dt.date(2025, 5, 22), dt.date(2025, 6, 1), "خرداد 1404"),
    ]
    seasons = periods(dt.date(2025, 3, 1), dt.date(2025, 12, 31), "season")
    assert [p.key for p in seasons] == ["1403-S4", "1404-S1", "1404-S2", "1404-S3", "1404-S4"]
    assert seasons[1].first == dt.date(2025, 3, 21) and seasons[1].last == dt.date(2025, 6, 21)
    [year] = periods(dt.date(2025, 3, 21), dt.date(2026, 3, 20), "year")
    assert (year.key, year.days) == ("1404", 365)


@given(
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2080, 1, 1)),
    st.integers(0, 800),
    st.sampled_from(["month", "season", "year"]),
)
def test_periods_tile_the_range_without_gap_or_overlap(start, length, grain):
    end = start + dt.timedelta(days=length)
    found = periods(start, end, grain)
    assert found[0].first == start and found[-1].last == end
    assert all(a.last + dt.timedelta(days=1) == b.first for a, b in itertools.pairwise(found))
    assert len({p.key for p in found}) == len(found)


def test_rates_are_annual_per_thousand_and_fertility_sums_five_year_groups():
    assert rate_per_thousand(10, 1000, 365) == 10 * 365.2425 / 365
    assert rate_per_thousand(10, 0, 365) is None
    women = {f"{age}-{age + 4}": 1000 for age in range(15, 50, 5)}
    births = {"20-24": 100, "25-29": 100}
    assert round(total_fertility(births, women, 365), 6) == round(5 * 0.2 * 365.2425 / 365, 6)
    assert total_fertility(births, {}, 365) is None


def test_the_median_of_counted_values():
    assert median_from_counts({2: 3, 37: 1}) == 2.0
    assert median_from_counts({2: 1, 4: 1}) == 3.0
    assert median_from_counts({}) is None


def test_a_small_county_is_hidden_with_the_next_smallest_so_the_total_does_not_reveal_it():
    cells = {"23": 25, "2301": 3, "2302": 10, "2303": 12, "2304": 0}
    hidden = suppress(cells, [("23", ["2301", "2302", "2303", "2304"])])
    assert hidden == {"2301", "2302"}  # 2304 (zero) is shown: it reveals no one


def test_with_nothing_else_to_hide_the_total_goes():
    assert suppress({"23": 3, "2301": 3, "2302": 0}, [("23", ["2301", "2302"])]) == {"23", "2301"}


groups_of_cells = st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=6), min_size=1, max_size=5)


@given(groups_of_cells)
def test_no_published_total_ever_leaves_a_single_hidden_member(table):
    cells: dict[str, int] = {}
    groups = []
    for g, members in enumerate(table):
        names = [f"{g}/{m}" for m in range(len(members))]
        cells |= dict(zip(names, members, strict=True))
        cells[f"{g}"] = sum(members)
        groups.append((f"{g}", names))
    cells["all"] = sum(sum(members) for members in table)
    groups.append(("all", [f"{g}" for g in range(len(table))]))
    hidden = suppress(cells, groups)
    assert {name for name, count in cells.items() if 0 < count < SMALL_COUNT} <= hidden
    assert not any(cells[name] == 0 for name in hidden)
    for total, members in groups:
        if total not in hidden:
            assert sum(1 for name in members if name in hidden) != 1


def test_an_iranian_week_starts_on_saturday():
    friday, saturday = dt.date(2026, 11, 27), dt.date(2026, 11, 28)
    assert week_start(friday) == dt.date(2026, 11, 21) and week_start(saturday) == saturday


@given(st.dates(min_value=dt.date(1900, 1, 8), max_value=dt.date(2200, 1, 1)))
def test_every_day_falls_in_the_week_of_the_saturday_before_it(day):
    start = week_start(day)
    assert start.weekday() == 5 and 0 <= (day - start).days < 7


def test_completeness_is_registered_against_the_expected_events_of_the_period():
    # 10,000 people at 12 per 1,000 a year expect 120 births a year (365.2425 days), 60 in half of one.
    assert round(completeness_percent(120, 10_000, 12, 365), 1) == 100.1
    assert round(completeness_percent(30, 10_000, 12, 183), 1) == 49.9
    assert completeness_percent(5, 0, 12, 365) is None
