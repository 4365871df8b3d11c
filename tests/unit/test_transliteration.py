"""The Latin transliteration of Persian names comes back to the same Persian, in A–Z alone."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sabt.core import transliteration
from sabt.core.text import PERSIAN_LETTERS
from sabt.synth.names import given_names, surnames

WORDS = st.text(alphabet=PERSIAN_LETTERS + "\u200c", min_size=1, max_size=20)
NAMES = st.lists(WORDS, min_size=1, max_size=4).map(" ".join)


def synthetic_names() -> set[str]:
    tables = [given_names("male"), given_names("female"), surnames()]
    return {name for table in tables for name in table.names}


def test_every_name_of_the_synthetic_nation_comes_back_from_latin_and_from_a_machine_readable_zone():
    names = synthetic_names()
    assert len(names) > 300
    for name in names:
        assert transliteration.from_latin(transliteration.to_latin(name)) == name
        assert transliteration.from_mrz(transliteration.to_mrz(name, name)) == (name, name)


@given(NAMES, NAMES)
def test_any_name_comes_back_and_a_machine_readable_zone_holds_only_capitals_and_fillers(last, first):
    assert transliteration.from_latin(transliteration.to_latin(last)) == last
    field = transliteration.to_mrz(last, first)
    assert re.fullmatch("[A-Z<]+", field)
    assert transliteration.from_mrz(field + "<<<<") == (last, first)


def test_letters_that_would_read_as_one_get_a_break_and_the_common_ones_read_as_usual():
    assert transliteration.to_latin("محمد") == "Mhwmd"
    assert transliteration.to_latin("سهیل") == "Sxhil"  # S then H, not SH (ش)
    assert transliteration.to_latin("شیرین") == "Shirin"
    assert transliteration.to_mrz("رضایی", "زهرا") == "RZWWAII<<ZXHRA"


@pytest.mark.parametrize(("text", "character"), [("Ali", "A"), ("علي", "\u064a"), ("۱۲", "۱")])
def test_what_is_not_a_stored_name_is_refused_by_its_character(text, character):
    with pytest.raises(transliteration.NotTransliterable) as refused:
        transliteration.to_latin(text)
    assert refused.value.character == character


def test_latin_that_no_name_was_written_as_is_refused_by_its_character():
    with pytest.raises(transliteration.NotTransliterable) as refused:
        transliteration.from_latin("MHWMD1")
    assert refused.value.character == "1"
