"""A reversible Latin transliteration of Persian names, in the letters A–Z alone: for the secondary-language
name of an identity credential and for a machine-readable zone (ICAO 9303 Part 3 allows A–Z and `<`).

Persian writes few vowels, so a name spelled letter for letter is not how it sounds (محمد is MHWMD); in
return, the Persian spelling comes back exactly, which a transcription ("Mohammad") cannot promise. Each
letter has one code:

    ا A    آ AW   ب B    پ P    ت T    ث SW   ج J    چ CH   ح HW   خ KH   د D    ذ ZW   ر R
    ز Z    ژ ZH   س S    ش SH   ص SWW  ض ZWW  ط TW   ظ ZWWW ع E    غ GH   ف F    ق Q    ک K
    گ G    ل L    م M    ن N    و V    ه H    ی I    ء EW   ئ IW   ؤ VW   zero-width non-joiner Y

The common letters are one Latin letter, and the four the ICAO table spells with H (ش خ غ ژ) keep their
usual digraphs; a letter that sounds like another is that letter followed by one or more W (the variant
mark). No code starts with W or X, so a reader takes, at each place, the longest code that matches. Where
a letter's code followed by the next letter's would read as a longer code (س then ه: SH is ش), an X is
written between them (SXH); X means nothing else. Words are separated by a space, or in a
machine-readable zone by `<`, with `<<` between the surname and the given names.
"""

from .text import PERSIAN_LETTERS

CODES = {
    "ا": "A",
    "آ": "AW",
    "ب": "B",
    "پ": "P",
    "ت": "T",
    "ث": "SW",
    "ج": "J",
    "چ": "CH",
    "ح": "HW",
    "خ": "KH",
    "د": "D",
    "ذ": "ZW",
    "ر": "R",
    "ز": "Z",
    "ژ": "ZH",
    "س": "S",
    "ش": "SH",
    "ص": "SWW",
    "ض": "ZWW",
    "ط": "TW",
    "ظ": "ZWWW",
    "ع": "E",
    "غ": "GH",
    "ف": "F",
    "ق": "Q",
    "ک": "K",
    "گ": "G",
    "ل": "L",
    "م": "M",
    "ن": "N",
    "و": "V",
    "ه": "H",
    "ی": "I",
    "ء": "EW",
    "ئ": "IW",
    "ؤ": "VW",
    "\u200c": "Y",
}
LETTERS = {code: letter for letter, code in CODES.items()}
BREAK = "X"
LONGEST = max(len(code) for code in LETTERS)
# Every start of a code, of two letters or more: a code followed by a letter that makes one of these could be
# read as a longer code, so a break goes between them.
_STARTS = {code[:length] for code in LETTERS for length in range(2, len(code) + 1)}
MRZ_SPACE = "<"
MRZ_BETWEEN = "<<"

assert set(CODES) == set(PERSIAN_LETTERS) | {"\u200c"}, "every letter of a normalized name has a code"


class NotTransliterable(ValueError):
    """A character with no code: the text is not a name as the registry stores it, or not this scheme."""

    def __init__(self, character: str) -> None:
        super().__init__(f"no transliteration for U+{ord(character):04X}")
        self.character = character


def word_to_latin(word: str) -> str:
    """One word (no space) in capitals: محمد → MHWMD."""
    written: list[str] = []
    for letter in word:
        code = CODES.get(letter)
        if code is None:
            raise NotTransliterable(letter)
        if written and written[-1] + code[0] in _STARTS:
            written.append(BREAK)  # else a reader would take the previous code and this one's start as one
        written.append(code)
    return "".join(written)


def word_from_latin(latin: str) -> str:
    """The Persian word a transliterated word spells, in any letter case."""
    text, letters, place = latin.upper(), [], 0
    while place < len(text):
        if text[place] == BREAK:
            place += 1
            continue
        for length in range(min(LONGEST, len(text) - place), 0, -1):
            letter = LETTERS.get(text[place : place + length])
            if letter is not None:
                letters.append(letter)
                place += length
                break
        else:
            raise NotTransliterable(latin[place])
    return "".join(letters)


def to_latin(name: str) -> str:
    """A name in Latin letters, each word capitalized: زهرا رضایی → Zxhra Rzwaii."""
    return " ".join(word_to_latin(word).capitalize() for word in name.split(" "))


def from_latin(latin: str) -> str:
    return " ".join(word_from_latin(word) for word in latin.split(" "))


def to_mrz(last_name: str, first_name: str) -> str:
    """The name field of a machine-readable zone: the surname, `<<`, the given names, `<` between words."""
    surname = MRZ_SPACE.join(word_to_latin(word) for word in last_name.split(" "))
    given = MRZ_SPACE.join(word_to_latin(word) for word in first_name.split(" "))
    return f"{surname}{MRZ_BETWEEN}{given}"


def from_mrz(field: str) -> tuple[str, str]:
    """(surname, given names) from a machine-readable zone's name field, its filler `<` at the end ignored."""
    surname, _, given = field.rstrip(MRZ_SPACE).partition(MRZ_BETWEEN)
    words = [[word_from_latin(word) for word in part.split(MRZ_SPACE)] for part in (surname, given)]
    return " ".join(words[0]), " ".join(words[1])
