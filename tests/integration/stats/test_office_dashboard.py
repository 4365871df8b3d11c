"""The office head's dashboard, against figures counted by hand on a small registry, on both databases."""

import datetime as dt

import pytest

from sabt.core.errors import Forbidden, InvalidInput
from sabt.core.stats import DAYS_PER_YEAR
from sabt.geo.service import reference_rows
from sabt.registry import service as registry
from sabt.stats import service as stats

from ..conftest import TEST_NOW
from ..registry.factories import BirthDeclaration, DeathDeclaration, adult, birth, death, register

TEHRAN = "2301"


@pytest.fixture
def office_work(ctx, staff):
    """At the Tehran office, on TEST_NOW (Sunday 1 June 2025, 11 Khordad 1404): two births declared on time
    and one 37 days late (approved), a death; then one declaration rejected and two waiting, one of them
    declared nine days ago. An old man's birth was registered years ago, in another week."""
    old = adult(ctx, staff, "male", year=1950)  # registered on his birthday's second day, in 1950
    for born in ("2025-05-25", "2025-05-28"):
        register(ctx, staff, BirthDeclaration(**birth(birth_date=born)))
    register(ctx, staff, BirthDeclaration(**birth(birth_date="2025-04-25", first_name="کیان", sex="male")))
    register(ctx, staff, DeathDeclaration(**death(old, death_date="2025-05-30")))
    rejected = registry.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth(first_name="رها")))
    registry.reject_event(ctx, actor=staff["registrar"], event_id=rejected.id, reason="گواهی ناخوانا")
    ctx.clock.current = TEST_NOW - dt.timedelta(days=9)
    registry.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth(birth_date="2025-05-20")))
    ctx.clock.current = TEST_NOW
    registry.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth(first_name="مینا")))


def test_the_dashboard_counts_the_office_s_registrations_timeliness_waits_and_staff(ctx, staff, office_work):
    figures = stats.office_dashboard(ctx, actor=staff["head"])
    assert figures.office == "THR" and len(figures.weeks) == 12
    this_week = figures.weeks[-1]
    assert (this_week.week_start, this_week.week_start_jalali) == (dt.date(2025, 5, 31), "1404/03/10")  # a Saturday
    assert this_week.registered == {"birth": 3, "death": 1, "marriage": 0, "divorce": 0}
    assert sum(sum(week.registered.values()) for week in figures.weeks[:-1]) == 0  # 1950 is long before
    births, deaths = figures.timeliness
    assert (births.kind, births.registered, births.on_time, births.on_time_percent) == ("birth", 3, 2, 66.7)
    assert births.median_delay_days == 7  # declared on 1 June: 4, 7 and 37 days after
    assert (deaths.registered, deaths.on_time, deaths.median_delay_days) == (1, 1, 2)
    waiting = {row.queue: row for row in figures.waiting}
    assert (waiting["to-correct"].count, waiting["to-validate"].count) == (1, 2)
    assert (waiting["to-validate"].oldest_days, waiting["to-validate"].median_days) == (9, 4.5)
    assert (waiting["to-register"].count, waiting["to-approve"].count) == (0, 0)
    work = {row.username: row.steps for row in figures.staff}
    assert work["clerk"] == {"declare": 7}  # four registered, one rejected, two waiting
    assert work["registrar"] == {"validate": 4, "register": 4, "reject": 1}
    assert work["head"] == {"approve_late": 1}


def test_completeness_is_the_county_s_registered_births_against_those_its_population_expects(ctx, staff, office_work):
    [tehran] = stats.office_dashboard(ctx, actor=staff["head"]).completeness  # the office registered only here
    population = next(int(row["population"]) for row in reference_rows("counties.csv") if row["code"] == TEHRAN)
    expected = population * 12.2 / 1000 * 365 / DAYS_PER_YEAR
    assert (tehran.county, tehran.county_fa, tehran.population) == (TEHRAN, "تهران", population)
    assert tehran.registered_births == 3 and tehran.expected_births == round(expected, 1)
    assert tehran.completeness_percent == round(100 * 3 / expected, 1)


def test_the_dashboard_is_the_office_head_s_and_the_national_roles(ctx, staff, office_work):
    with pytest.raises(Forbidden) as refused:
        stats.office_dashboard(ctx, actor=staff["registrar"])
    assert refused.value.code == "role.forbidden"
    with pytest.raises(Forbidden) as elsewhere:
        stats.office_dashboard(ctx, actor=staff["isf_head"], office_code="THR")
    assert elsewhere.value.code == "office.forbidden"
    with pytest.raises(InvalidInput) as unnamed:
        stats.office_dashboard(ctx, actor=staff["auditor"])
    assert (unnamed.value.code, unnamed.value.field) == ("office.required", "office")
    assert stats.office_dashboard(ctx, actor=staff["auditor"], office_code="THR").weeks[-1].registered["birth"] == 3
