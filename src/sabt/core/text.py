"""Normalization of Persian text: digits and names.

People type names with Arabic or Persian keyboards, with or without diacritics, with a zero-width
non-joiner or a space between the parts of a compound name. Two spellings that a registrar would read
as the same name must compare equal, so names are normalized before they are stored or compared; the
typed form is kept beside the normalized one.
"""

import re
import unicodedata
from functools import lru_cache

_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII_DIGITS = str.maketrans(_PERSIAN_DIGITS + _ARABIC_INDIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN_DIGITS = str.maketrans("0123456789", _PERSIAN_DIGITS)

# Arabic letters that Persian writes with its own code points.
_LETTERS = str.maketrans(
    {
        "\u064a": "\u06cc",  # ARABIC YEH -> FARSI YEH
        "\u0649": "\u06cc",  # ALEF MAKSURA -> FARSI YEH
        "\u0643": "\u06a9",  # ARABIC KAF -> KEHEH
        "\u0629": "\u0647",  # TEH MARBUTA -> HEH
        "\u06c0": "\u0647",  # HEH WITH YEH ABOVE -> HEH
        "\u0640": None,  # TATWEEL
    }
)
# Harakat, tanwin, shadda, sukun, superscript alef and the Quranic marks.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
# Zero-width non-joiner and joiner, and every kind of space, become one plain space.
_SEPARATORS = re.compile(r"[\s\u200c\u200d\u200f\u200e\u00a0\u202f\ufeff]+")


def to_ascii_digits(text: str) -> str:
    """Replace Persian (۰–۹) and Arabic-Indic (٠–٩) digits with ASCII digits."""
    return text.translate(_TO_ASCII_DIGITS)


def to_persian_digits(text: str) -> str:
    """Replace ASCII digits with Persian digits, for display."""
    return text.translate(_TO_PERSIAN_DIGITS)


@lru_cache(maxsize=1 << 16)  # names repeat a great deal; bulk imports normalize millions of them
def normalize_name(text: str) -> str:
    """The canonical form of a personal or place name, used for storage and comparison."""
    # NFKC folds Arabic presentation forms (text copied from PDFs) to the ordinary letters.
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_LETTERS)
    text = _DIACRITICS.sub("", text)
    text = to_ascii_digits(text)
    return _SEPARATORS.sub(" ", text).strip()


def name_problem(normalized: str) -> str | None:
    """Why a normalized name cannot be a person's name, or None when it can."""
    if not normalized:
        return "empty"
    if len(normalized) > 60:
        return "too_long"
    if any(not (ch.isalpha() or ch in " -'") for ch in normalized):
        return "bad_characters"
    return None
