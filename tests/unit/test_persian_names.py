"""How Persian names and dates vary between two records of one person: honorifics, compound names, surname
affixes, spellings written back from Latin, and the slips between the calendars."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sabt.core.jalali import DateProblem, jalali_parts, parse_date, parse_date_unswapping
from sabt.core.linkage import gregorian_year_slip, slipped_birth_dates, sound_key
from sabt.core.persian_names import is_compound_part, skeleton, split_honorific, surname_stem

LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
NAMES = st.text(alphabet=LETTERS, min_size=3, max_size=12)
DAYS = st.dates(min_value=dt.date(1900, 3, 21), max_value=dt.date(2100, 1, 1))
KNOWN = frozenset({"عماد", "رضا", "علی"})


@pytest.mark.parametrize(
    ("typed", "honorific", "name"),
    [
        ("سیدرضا", "سید", "رضا"),
        ("سید رضا", "سید", "رضا"),
        ("سیده فاطمه", "سیده", "فاطمه"),
        ("سیدهفاطمه", "سیده", "فاطمه"),
        ("فاطمه سادات", "سادات", "فاطمه"),
        ("سیده زهرا سادات", "سیده سادات", "زهرا"),
        ("میرعماد", "میر", "عماد"),  # joined, before a known name
        ("میرا", "", "میرا"),  # a name of its own
        ("میران", "", "میران"),  # joined, before what is not a known name
        ("حاج علی", "حاج", "علی"),
        ("سیده", "", "سیده"),  # nothing after it: the name itself
    ],
)
def test_an_honorific_is_kept_apart_from_the_name(typed, honorific, name):
    assert split_honorific(typed, KNOWN) == (honorific, name)


@given(NAMES)
def test_a_name_with_سید_before_it_is_that_name(name):
    rest = split_honorific(name, KNOWN)[1]
    assert split_honorific(f"سید {name}", KNOWN)[1] == rest
    assert split_honorific(f"سید{name}", KNOWN) == ("سید", name) or name.startswith(("ه", "سید"))


@pytest.mark.parametrize(
    ("one", "other", "part"),
    [
        ("علی", "محمدعلی", True),
        ("رضا", "علیرضا", True),
        ("محمد", "محمدرضا", True),
        ("حسین", "امیرحسین", True),
        ("حسن", "حسنا", False),  # a letter more is another name, not a part
        ("فرید", "فریده", False),
        ("فرید", "فریدون", False),
        ("مه", "مهسا", False),  # too short to be a part
    ],
)
def test_a_compound_names_part_is_a_whole_part(one, other, part):
    assert is_compound_part(one, other) is part


@given(NAMES, NAMES)
def test_a_name_with_a_part_added_contains_that_part(name, part):
    assert is_compound_part(name, part + name) and is_compound_part(name, name + part)
    assert not is_compound_part(name + part, name)


@pytest.mark.parametrize(
    ("one", "other"),
    [("کریمیپور", "کریمی"), ("حسینزاده", "حسین"), ("حاجمحمدی", "محمدی"), ("احمدینیا", "احمدی"), ("میرحسینی", "حسینی")],
)
def test_a_surnames_affix_leaves_its_stem(one, other):
    assert surname_stem(one) == surname_stem(other)


def test_a_stem_is_never_shorter_than_a_part():
    assert surname_stem("فرزاده") == "فرزاده" and surname_stem("فرپور") == "فرپور"


@pytest.mark.parametrize(
    ("persian", "from_latin"),
    [
        ("فاطمه", "فاتیمه"),
        ("حسین", "هوسین"),
        ("مرتضی", "مورتزا"),
        ("محمد", "موهامد"),
        ("علی", "آلی"),
        ("معصومه", "ماسومه"),
    ],
)
def test_a_spelling_written_back_from_latin_has_the_names_skeleton(persian, from_latin):
    assert skeleton(sound_key(persian)) == skeleton(sound_key(from_latin))


def test_names_that_differ_in_a_consonant_keep_different_skeletons():
    for one, other in (("مهران", "مهراد"), ("پریا", "پرنیا"), ("مهدی", "مهری"), ("فرید", "فریده")):
        assert skeleton(sound_key(one)) != skeleton(sound_key(other))


def test_a_swap_past_the_twelfth_is_read_back_and_others_are_not():
    assert parse_date_unswapping("1366/23/11") == (parse_date("1366/11/23"), True)
    assert parse_date_unswapping("1370/03/08") == (parse_date("1370/03/08"), False)
    for impossible in ("1366/23/13", "1366/11/32", "1366/00/05", "not a date"):
        with pytest.raises(DateProblem):
            parse_date_unswapping(impossible)


def test_the_gregorian_year_with_the_jalali_month_and_day():
    born = parse_date("1388/01/24")
    assert gregorian_year_slip(born) == dt.date(2009, 1, 24)
    assert gregorian_year_slip(parse_date("1388/04/31")) is None  # there is no 31 April
    assert dt.date(2009, 1, 24) in slipped_birth_dates(born)
    assert born in slipped_birth_dates(dt.date(2009, 1, 24))  # and from the record that holds the slip


@given(DAYS)
def test_the_slips_of_a_day_include_its_neighbours_and_never_itself(day):
    slipped = slipped_birth_dates(day)
    assert day not in slipped
    assert {day - dt.timedelta(days=1), day + dt.timedelta(days=1)} <= slipped
    year, month, day_of_month = jalali_parts(day)
    if day_of_month <= 12 and month != day_of_month:
        assert parse_date(f"{year}/{day_of_month}/{month}") in slipped
