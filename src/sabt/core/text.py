"""Normalization and admission of text: digits, names, and what no text from outside may hold.

People type names with Arabic or Persian keyboards, with or without diacritics, with a zero-width
non-joiner or a space between the parts of a compound name. Two spellings that a registrar would read
as the same name must compare equal, so names are normalized before they are stored or compared; the
typed form is kept beside the normalized one. docs/text.md writes the profile down.
"""

import re
import unicodedata
from functools import lru_cache

_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII_DIGITS = str.maketrans(_PERSIAN_DIGITS + _ARABIC_INDIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN_DIGITS = str.maketrans("0123456789", _PERSIAN_DIGITS)

# Arabic letters that Persian writes with its own code points, and the alef forms Persian spelling does not
# tell apart in names (إبراهیم, ابراهیم). Alef with madda (آ) is a letter of its own and stays.
_LETTERS = str.maketrans(
    {
        "\u064a": "\u06cc",  # ARABIC YEH -> FARSI YEH
        "\u0649": "\u06cc",  # ALEF MAKSURA -> FARSI YEH
        "\u0643": "\u06a9",  # ARABIC KAF -> KEHEH
        "\u0629": "\u0647",  # TEH MARBUTA -> HEH
        "\u06c0": "\u0647",  # HEH WITH YEH ABOVE -> HEH
        "\u0623": "\u0627",  # ALEF WITH HAMZA ABOVE -> ALEF
        "\u0625": "\u0627",  # ALEF WITH HAMZA BELOW -> ALEF
        "\u0671": "\u0627",  # ALEF WASLA -> ALEF
        "\u0640": None,  # TATWEEL
    }
)
# Harakat, tanwin, shadda, sukun, superscript alef and the Quranic marks.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
# Every kind of space, and the zero-width non-joiner that separates the parts of a compound name, become
# one plain space.
_SEPARATORS = re.compile(r"[\s\u200c]+")
_SPACES = re.compile(r"\s+")
_JOINED = re.compile("\u200c+")
# Every other invisible format character (zero-width space and joiner, the direction marks, embeddings and
# isolates, the byte-order mark, the soft hyphen, the word joiner) is dropped: it changes nothing a reader
# sees, so it must change nothing a comparison sees.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b\u200d-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def _plane_noncharacters() -> str:
    return "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))


# What no text from outside may hold, wherever it goes: control characters (NUL, BEL, escape sequences; tab,
# line feed and carriage return are allowed where a line break is), the bidirectional embeddings, overrides
# and isolates that make text display in another order than it is stored ("Trojan Source"), lone surrogates
# (no encoding can store them), noncharacters, and the replacement character, which stands for bytes that
# were not text.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufdd0-\ufdef\ufffd-\uffff"
    + _plane_noncharacters()
    + "]"
)
_LINE_BREAKS = re.compile("[\t\n\r\u2028\u2029]")

# A normalized Persian name: the letters of the Persian alphabet (ISIRI 6219's Persian letters) and the
# hamza forms Persian names are spelled with (ء ئ ؤ), in words separated by single spaces.
PERSIAN_LETTERS = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیءئؤ"
_NAME = re.compile(f"[{PERSIAN_LETTERS}]+( [{PERSIAN_LETTERS}]+)*")
# What a typed name may hold besides those letters: the Arabic forms that normalization folds to them,
# diacritics and tatweel (dropped), spaces and ZWNJ, and invisible format characters (dropped). Arabic
# presentation forms fold to letters too, but not the ligatures of whole words (U+FDF0–U+FDFF: ﷺ is a
# phrase of four words).
_TYPED_NAME = re.compile(
    f"[{PERSIAN_LETTERS}\u064a\u0649\u0643\u0629\u06c0\u0623\u0625\u0671\u0640"
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
    " \u00a0\u202f\u200c\u00ad\u200b\u200d-\u200f\u2060\ufeff"
    "\ufb50-\ufdcf\ufe70-\ufefc]*"
)
NAME_MOST_LETTERS = 60


def to_ascii_digits(text: str) -> str:
    """Replace Persian (۰–۹) and Arabic-Indic (٠–٩) digits with ASCII digits."""
    return text.translate(_TO_ASCII_DIGITS)


def to_persian_digits(text: str) -> str:
    """Replace ASCII digits with Persian digits, for display."""
    return text.translate(_TO_PERSIAN_DIGITS)


def printable(text: str) -> str:
    """`text` with each character no text may hold written as its code point (U+202E): a refusal can name the
    field even when the field's own name is what is wrong (a key holding a lone surrogate cannot be encoded)."""
    return _FORBIDDEN.sub(lambda match: f"U+{ord(match.group()):04X}", text)


def forbidden_character(text: str, *, line_breaks: bool = True) -> str | None:
    """The first character `text` may not hold, as its code point (U+0000), or None. `line_breaks`: whether
    tab, line feed and carriage return are allowed (a reason or a note, not a code or a place)."""
    match = _FORBIDDEN.search(text) or (None if line_breaks else _LINE_BREAKS.search(text))
    return f"U+{ord(match.group()):04X}" if match else None


@lru_cache(maxsize=1 << 16)  # names repeat a great deal; bulk imports normalize millions of them
def normalize_name(text: str) -> str:
    """The canonical form of a personal or place name, used for storage and comparison."""
    text = _INVISIBLE.sub("", text)
    # NFKC folds Arabic presentation forms (text copied from PDFs) and fullwidth forms to ordinary letters.
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_LETTERS)
    text = _DIACRITICS.sub("", text)
    text = to_ascii_digits(text)
    return _SEPARATORS.sub(" ", text).strip()


def printed_name(typed: str) -> str:
    """A name as it is printed: as typed, spelled with Persian letters. It is `normalize_name` except that a
    zero-width non-joiner between two letters stays (اصفهان‌کیا, not اصفهان کیا): it is how the name is written,
    and comparisons, which normalize, never see it."""
    text = _INVISIBLE.sub("", typed)
    text = unicodedata.normalize("NFKC", text).translate(_LETTERS)
    text = to_ascii_digits(_DIACRITICS.sub("", text))
    words = (_JOINED.sub("\u200c", word).strip("\u200c") for word in _SPACES.split(text))
    return " ".join(word for word in words if word)


def name_problem(typed: str) -> str | None:
    """Why `typed` cannot be a person's name, or None when it can: it holds only Persian letters (or forms
    that fold to them) in words, at most 60 letters once normalized."""
    if not _TYPED_NAME.fullmatch(typed):
        return "bad_characters"
    normalized = normalize_name(typed)
    if not normalized:
        return "empty"
    if len(normalized) > NAME_MOST_LETTERS:
        return "too_long"
    if not _NAME.fullmatch(normalized):
        return "bad_characters"
    return None


def is_ascii_number(text: str) -> bool:
    """Whether `text` is a non-empty run of ASCII digits (str.isdigit also takes ², ٣ and fullwidth digits,
    which int() then reads or refuses)."""
    return text.isascii() and text.isdigit()
