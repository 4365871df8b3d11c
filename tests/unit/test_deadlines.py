import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sabt.core.deadlines import assess_timeliness, declaration_deadline, iran_is_holiday
from sabt.core.workflow import EventKind


def no_holidays(_day: dt.date) -> bool:
    return False


def test_birth_deadline_is_fifteen_days_not_counting_the_day_of_birth():
    born = dt.date(2024, 8, 4)  # a Sunday
    assert declaration_deadline(EventKind.BIRTH, born, no_holidays) == dt.date(2024, 8, 19)


def test_death_deadline_is_ten_days():
    assert declaration_deadline(EventKind.DEATH, dt.date(2024, 8, 4), no_holidays) == dt.date(2024, 8, 14)


def test_a_deadline_on_a_friday_moves_to_saturday():
    born = dt.date(2024, 8, 1)  # +15 days = Friday 16 August 2024
    assert dt.date(2024, 8, 16).weekday() == 4
    assert declaration_deadline(EventKind.BIRTH, born) == dt.date(2024, 8, 17)


def test_a_deadline_in_the_nowruz_holidays_moves_past_them():
    # A birth on 7 March 2025: day 15 is Saturday 22 March (Nowruz holiday); 23 and 24 March are holidays too.
    deadline = declaration_deadline(EventKind.BIRTH, dt.date(2025, 3, 7))
    assert deadline == dt.date(2025, 3, 25)
    assert not iran_is_holiday(deadline)


def test_a_lunar_holiday_counts():
    assert iran_is_holiday(dt.date(2025, 7, 6))  # Ashura 1447, a Sunday
    assert not iran_is_holiday(dt.date(2025, 7, 7))


def test_declared_on_the_last_day_is_on_time_and_the_next_day_is_late():
    born = dt.date(2024, 8, 4)
    on_time = assess_timeliness(
        EventKind.BIRTH, event_date=born, declared_on=dt.date(2024, 8, 19), is_holiday=no_holidays
    )
    late = assess_timeliness(EventKind.BIRTH, event_date=born, declared_on=dt.date(2024, 8, 20), is_holiday=no_holidays)
    assert (on_time.late, late.late, late.days_late) == (False, True, 1)


def test_for_a_birth_during_travel_the_period_runs_from_arrival():
    born, arrived = dt.date(2024, 8, 4), dt.date(2024, 9, 1)
    result = assess_timeliness(
        EventKind.BIRTH,
        event_date=born,
        declared_on=dt.date(2024, 9, 10),
        period_starts=arrived,
        is_holiday=no_holidays,
    )
    assert result.late is False
    assert result.deadline == dt.date(2024, 9, 16)


def test_marriages_have_no_statutory_period_here():
    result = assess_timeliness(EventKind.MARRIAGE, event_date=dt.date(2000, 1, 1), declared_on=dt.date(2024, 1, 1))
    assert (result.late, result.deadline) == (False, None)


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31)),
    st.sampled_from([EventKind.BIRTH, EventKind.DEATH]),
)
def test_deadlines_fall_on_working_days_at_or_after_the_statutory_day(day, kind):
    deadline = declaration_deadline(kind, day)
    assert deadline >= day + dt.timedelta(days=15 if kind == EventKind.BIRTH else 10)
    assert not iran_is_holiday(deadline)
    assert (deadline - day).days < 30  # no holiday run is that long
