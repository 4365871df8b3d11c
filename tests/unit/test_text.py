import pytest
from hypothesis import given
from hypothesis import strategies as st

from sabt.core.text import (
    forbidden_character,
    is_ascii_number,
    name_problem,
    normalize_name,
    printed_name,
    to_ascii_digits,
    to_persian_digits,
)

persianish = st.text(
    alphabet="ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكةۀ \u200c\u064e\u064f\u0650\u0651\u0640۰۱۲٣", max_size=30
)


def test_arabic_yeh_and_kaf_become_persian():
    assert normalize_name("علي") == "علی"
    assert normalize_name("كاظم") == "کاظم"


def test_diacritics_and_tatweel_are_removed():
    assert normalize_name("مُحَمَّد") == "محمد"
    assert normalize_name("محـــمد") == "محمد"


def test_zero_width_non_joiner_and_spaces_are_unified():
    assert normalize_name("محمد\u200cرضا") == normalize_name("محمد  رضا") == "محمد رضا"
    assert normalize_name("  زهرا ") == "زهرا"


def test_presentation_forms_from_pdfs_fold_to_letters():
    assert normalize_name("\ufee3\ufea3\ufee4\ufeaa") == "محمد"


def test_digits_become_ascii_and_back():
    assert to_ascii_digits("۱۴۰۳/٠٥/۱۲") == "1403/05/12"
    assert to_persian_digits("1403") == "۱۴۰۳"


@given(persianish)
def test_normalization_is_idempotent(text):
    once = normalize_name(text)
    assert normalize_name(once) == once


@given(persianish)
def test_normalized_names_hold_no_arabic_letters_or_marks(text):
    normalized = normalize_name(text)
    assert not set(normalized) & set("يكةۀ\u200c\u064e\u064f\u0650\u0651\u0640")
    assert "  " not in normalized


def test_name_problems():
    assert name_problem("") == "empty"
    assert name_problem("ع" * 61) == "too_long"
    assert name_problem("علی2") == "bad_characters"
    assert name_problem("علی@") == "bad_characters"
    assert name_problem("علی اکبر") is None


# --- the name profile (docs/text.md) ----------------------------------------------------------------------

PERSIAN_LETTERS = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیءئؤ"
# Names as a registrar writes them: Persian letters, in words of two or more, separated by one space.
persian_names = st.lists(st.text(alphabet=PERSIAN_LETTERS, min_size=2, max_size=8), min_size=1, max_size=3).map(
    " ".join
)
INVISIBLE = ["\u200b", "\u200d", "\u200e", "\u200f", "\ufeff", "\u00ad", "\u2060", "\u202b", "\u202c", "\u061c"]


@given(persian_names)
def test_normalization_never_changes_a_valid_persian_name(name):
    assert normalize_name(name) == name
    assert name_problem(name) is None or len(name) > 60


@given(persian_names, st.data())
def test_invisible_characters_change_nothing_a_comparison_sees(name, data):
    at = data.draw(st.integers(0, len(name)))
    invisible = data.draw(st.sampled_from(INVISIBLE))
    assert normalize_name(name[:at] + invisible + name[at:]) == name


@given(persian_names)
def test_a_zwnj_between_parts_compares_as_a_space(name):
    assert normalize_name(name.replace(" ", "\u200c")) == name


@given(persian_names)
def test_arabic_forms_of_persian_letters_compare_as_the_persian_ones(name):
    arabic = name.replace("ی", "\u064a").replace("ک", "\u0643")
    assert normalize_name(arabic) == name


@given(persianish)
def test_a_printed_name_compares_as_the_typed_one(text):
    assert normalize_name(printed_name(text)) == normalize_name(text)
    assert printed_name(printed_name(text)) == printed_name(text)


@given(persian_names)
def test_a_printed_name_keeps_the_non_joiner_between_parts_and_persian_letters(name):
    joined = name.replace(" ", "\u200c")
    assert printed_name(joined) == joined
    arabic = joined.replace("ی", "\u064a")
    assert printed_name(" \u200c" + arabic + "\u200c  ") == joined


def test_alef_with_hamza_compares_as_alef_and_alef_with_madda_stays():
    assert normalize_name("إبراهیمی") == normalize_name("أبراهیمی") == "ابراهیمی"
    assert normalize_name("آرش") == "آرش" != normalize_name("ارش")


def test_invisible_format_characters_are_dropped_not_made_spaces():
    for invisible in INVISIBLE:
        assert normalize_name(f"علی{invisible}رضا") == "علیرضا"


@pytest.mark.parametrize(
    "name",
    [
        "'",
        "-",
        "'-'",
        "Иван",
        "王芳",
        "علیJohn",
        "\ufdfa",
        "علی\ufdfa",
        "١علی",
        "علی\u202e",
        "علی\x00",
        "ـــ",
        "\u064e",
    ],
)
def test_what_is_not_a_persian_name(name):
    assert name_problem(name) is not None


def test_presentation_forms_from_pdfs_are_a_name():
    assert name_problem("\ufee3\ufea3\ufee4\ufeaa") is None


@given(st.text())
def test_a_name_that_passes_normalizes_to_persian_letters_in_words(text):
    if name_problem(text) is None:
        normalized = normalize_name(text)
        assert set(normalized) <= set(PERSIAN_LETTERS + " ")
        assert "  " not in normalized and normalized == normalized.strip() and len(normalized) <= 60


# --- what no text may hold --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "character",
    ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202a", "\u202e", "\u2066", "\u2069", "\ud800", "\ufffe", "\U0010ffff"],
)
def test_control_override_and_noncharacters_are_forbidden(character):
    assert forbidden_character(f"متن{character}") == f"U+{ord(character):04X}"


def test_line_breaks_are_text_unless_a_field_is_one_line():
    assert forbidden_character("یک\nدو\tسه") is None
    assert forbidden_character("یک\nدو", line_breaks=False) == "U+000A"


# Ordinary text: no control, surrogate, private-use or unassigned character, and not U+FFFD, which stands for
# bytes that were not text.
@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn"), exclude_characters="\ufffd")))
def test_ordinary_text_is_never_forbidden(text):
    allowed = "".join(ch for ch in text if not ("\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069"))
    assert forbidden_character(allowed) is None


def test_only_ascii_digits_are_a_number():
    assert is_ascii_number("1404")
    assert not any(is_ascii_number(text) for text in ["", "١٤٠٤", "۱۴۰۴", "１", "²", "१"])


def test_pages_write_figures_with_persian_digits_and_the_persian_decimal_separator():
    from sabt.web.templating import persian_figures

    assert persian_figures("99.5٪") == "۹۹٫۵٪"
    assert persian_figures("1404/03/04") == "۱۴۰۴/۰۳/۰۴"
    assert persian_figures("v. 2.") == "v. ۲."  # a full stop after a figure stays a full stop


def test_a_revisions_reason_is_shown_in_persian_and_a_persons_own_words_as_typed():
    from sabt.web.templating import reason_fa

    assert reason_fa("birth registered") == "ثبت ولادت"
    assert reason_fa("imported from persons.csv") == "انتقال از دفاتر پیشین (پرونده persons.csv)"
    merged = reason_fa("duplicate of 0010000011 (review case 3): یک نفر با دو شناسنامه")
    assert merged == "تکرار پرونده ۰۰۱۰۰۰۰۰۱۱، ادغام‌شده در بررسی شماره ۳: یک نفر با دو شناسنامه"
    assert reason_fa("رأی کمیسیون ۱۲") == "رأی کمیسیون ۱۲"
