from hypothesis import given
from hypothesis import strategies as st

from sabt.core.text import name_problem, normalize_name, to_ascii_digits, to_persian_digits

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
