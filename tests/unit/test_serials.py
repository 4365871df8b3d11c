"""Certificate serials: the check character catches every single mistyped character and every swap of two
different neighbouring digits (Luhn mod 36 misses only swaps of 0 and Z, which never neighbour in a number)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sabt.core.serials import (
    ALPHABET,
    KIND_LETTERS,
    NUMBER_LIMIT,
    compose_serial,
    normalize_serial,
    serial_kind,
    serial_problem,
)

kinds = st.sampled_from(sorted(KIND_LETTERS))
numbers = st.integers(min_value=1, max_value=NUMBER_LIMIT - 1)


@given(kinds, numbers)
def test_a_composed_serial_is_well_formed_and_names_its_kind(kind, number):
    serial = compose_serial(kind, number)
    assert serial_problem(serial) is None
    assert serial_kind(serial) == kind
    assert int(serial[1:-1]) == number


@given(kinds, numbers, st.integers(min_value=0, max_value=10), st.sampled_from(ALPHABET))
def test_any_single_changed_character_is_caught(kind, number, position, replacement):
    serial = compose_serial(kind, number)
    changed = serial[:position] + replacement + serial[position + 1 :]
    if changed != serial:
        assert serial_problem(changed) is not None


@given(kinds, numbers, st.integers(min_value=1, max_value=8))
def test_swapping_two_different_neighbouring_digits_is_caught(kind, number, position):
    serial = compose_serial(kind, number)
    swapped = serial[:position] + serial[position + 1] + serial[position] + serial[position + 2 :]
    if swapped != serial:
        assert serial_problem(swapped) == "check"


def test_people_may_type_persian_digits_lower_case_spaces_and_hyphens():
    serial = compose_serial("death", 4521)
    typed = f"{serial[0].lower()}-{serial[1:5]} {serial[5:-1]}-{serial[-1].lower()}".translate(
        str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    )
    assert normalize_serial(typed) == serial


@pytest.mark.parametrize("text", ["", "B12", "X0000001230", "B00000012A0", "B0000001234567"])
def test_malformed_serials_are_format_problems(text):
    assert serial_problem(text) == "format"


def test_numbers_out_of_range_are_refused():
    with pytest.raises(ValueError, match="out of range"):
        compose_serial("birth", NUMBER_LIMIT)
