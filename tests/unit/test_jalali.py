import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sabt.core.jalali import DateProblem, parse_date, to_jalali, year_span
from sabt.core.text import to_persian_digits


def test_nowruz_1403_is_20_march_2024():
    assert parse_date("1403/01/01") == dt.date(2024, 3, 20)
    assert to_jalali(dt.date(2024, 3, 20)) == "1403/01/01"


def test_persian_digits_and_separators_are_accepted():
    assert parse_date("۱۴۰۳/۰۵/۱۲") == parse_date("1403-5-12") == parse_date("1403.05.12") == dt.date(2024, 8, 2)


def test_gregorian_text_is_read_as_gregorian():
    assert parse_date("2024-08-02") == dt.date(2024, 8, 2)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("yesterday", "format"),
        ("1403/13/01", "no_such_day"),
        ("1402/12/30", "no_such_day"),
        ("2023-02-29", "no_such_day"),
        ("14030512", "format"),
        ("２０２４-０８-０２", "format"),  # fullwidth digits
        ("२०२४-०८-०२", "format"),  # Devanagari digits
        ("1403/05/12\u200f", "format"),
        ("\t1403/05/12", "format"),
    ],
)
def test_impossible_dates_are_refused_with_a_reason(text, reason):
    with pytest.raises(DateProblem) as raised:
        parse_date(text)
    assert raised.value.reason == reason


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_jalali_text_round_trips(day):
    assert parse_date(to_jalali(day)) == day
    assert parse_date(to_persian_digits(to_jalali(day))) == day
    assert parse_date(day.isoformat()) == day


@given(st.integers(1300, 1480))
def test_a_jalali_year_spans_from_nowruz_to_the_day_before_the_next(year):
    first, last = year_span(year)
    assert to_jalali(first) == f"{year}/01/01"
    assert to_jalali(last).startswith(f"{year}/")
    assert to_jalali(last + dt.timedelta(days=1)) == f"{year + 1}/01/01"
