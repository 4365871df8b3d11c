import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sabt.core.national_code import (
    SERIAL_LIMIT,
    check_digit,
    compose_national_code,
    national_code_problem,
    normalize_national_code,
)
from sabt.core.text import to_persian_digits

VECTORS = json.loads((Path(__file__).parent.parent / "vectors" / "national_codes.json").read_text())
prefixes = st.integers(0, 999).map(lambda n: f"{n:03d}")
serials = st.integers(0, SERIAL_LIMIT - 1)


@pytest.mark.parametrize("code", VECTORS["valid"])
def test_published_valid_codes_are_valid(code):
    assert national_code_problem(code) is None


@pytest.mark.parametrize("code", VECTORS["invalid"])
def test_published_invalid_codes_are_invalid(code):
    assert national_code_problem(code) is not None


def test_check_digit_follows_the_mod_11_rule_by_hand():
    # 049937089: 0*10+4*9+9*8+9*7+3*6+7*5+0*4+8*3+9*2 = 266; 266 mod 11 = 2; 11-2 = 9
    assert check_digit("049937089") == 9


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("123", "length"),
        ("12345678901", "length"),
        ("12345abcde", "not_digits"),
        ("2222222222", "repeated_digit"),
        ("0499370898", "check_digit"),
    ],
)
def test_each_kind_of_bad_code_has_its_reason(code, reason):
    assert national_code_problem(code) == reason


@given(prefixes, serials)
def test_composed_codes_are_valid_unless_all_digits_repeat(prefix, serial):
    code = compose_national_code(prefix, serial)
    assert code.startswith(prefix)
    assert len(code) == 10
    assert (national_code_problem(code) is None) == (len(set(code)) > 1)


@given(prefixes, serials, st.integers(0, 8), st.integers(1, 9))
def test_changing_one_of_the_first_nine_digits_changes_the_check(prefix, serial, position, delta):
    code = compose_national_code(prefix, serial)
    digits = list(code)
    digits[position] = str((int(digits[position]) + delta) % 10)
    altered = "".join(digits)
    # r and r' differ (11 is prime and the weight is not a multiple of it); the rule maps both 1 and 10 to
    # check digit 1, the only case a single substitution can go unseen.
    weight = 10 - position
    remainders = {sum(int(d) * (10 - i) for i, d in enumerate(c[:9])) % 11 for c in (code, altered)}
    if remainders != {1, 10} and weight:
        assert check_digit(altered[:9]) != check_digit(code[:9])


@given(prefixes, serials)
def test_persian_and_arabic_digits_are_accepted(prefix, serial):
    code = compose_national_code(prefix, serial)
    arabic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert normalize_national_code(to_persian_digits(code)) == code
    assert normalize_national_code(arabic) == code
    assert national_code_problem(normalize_national_code(to_persian_digits(code))) == national_code_problem(code)


def test_leading_zeros_dropped_by_spreadsheets_are_restored():
    assert normalize_national_code("499370899") == "0499370899"


@pytest.mark.parametrize(("prefix", "serial"), [("12", 1), ("1234", 1), ("abc", 1), ("123", -1), ("123", SERIAL_LIMIT)])
def test_compose_refuses_impossible_parts(prefix, serial):
    with pytest.raises(ValueError, match="must be"):
        compose_national_code(prefix, serial)
