"""How Persian names vary between two records of one person, as pure rules: honorifics, the parts of a
compound first name, the affixes of a surname, and spellings written back from a Latin transliteration.
docs/linkage.md lists the rules with examples.

- An **honorific** (سید, سیده, میر, حاج, … before the name; سادات after it) says whose descendant someone
  is or what they did, not who they are: one register writes سیدرضا, the next رضا. It is kept apart from
  the name and not compared, since brothers share it.
- A **compound first name** (محمدعلی, علیرضا, فاطمه زهرا) is often registered by one part only. A name that is
  the other with a whole part added, before or after, is a partial agreement, not another name.
- A **surname affix** (‌زاده, ‌پور, ‌نیا, ‌فر, …; حاج, میر, آل) is written apart, joined or left out: the stem is
  the surname without it.
- A **transliteration** back from Latin (Fatemeh → فاتیمه, Hossein → هوسین, Morteza → مورتزا) writes short
  vowels as long ones and spells each sound with its commonest letter. The skeleton of a name keeps its
  consonants only, folded by sound, so the variants meet; حسن and حسین meet too, which is why a skeleton
  agreement counts only where one of the two is not a name people are given.
"""

from functools import lru_cache

from .linkage import sound_key
from .text import normalize_name

# Before the name, as a word of its own or joined to it. سیده is tried before سید, میرزا before میر.
HONORIFICS_BEFORE = ("سیده", "سید", "میرزا", "میر", "حاجیه", "حاجی", "حاج", "شیخ", "ملا", "کربلایی", "مشهدی")
# Joined to the name without a space only these are read as honorifics: سید is never the start of a given
# name, while میر, حاج and the others begin names of their own (میرا, حاجر); they count joined only when
# what follows is a known given name.
JOINED_ALWAYS = ("سیده", "سید")
HONORIFICS_AFTER = ("السادات", "سادات", "بیگم")
SURNAME_PREFIXES = ("حاجی", "حاج", "میر", "آل", "سید", "شیخ", "ملا")
SURNAME_SUFFIXES = ("زادگان", "زاده", "نژاد", "پور", "نیا", "فر", "منش", "راد", "وند")
# A part of a compound name, and a stem, has at least this many letters: علی, رضا, حسن.
SHORTEST_PART = 3

_VOWEL_LETTERS = "اوی"


@lru_cache(maxsize=1 << 16)  # names repeat: a run profiles a million of them
def split_honorific(name: str, known: frozenset[str] = frozenset()) -> tuple[str, str]:
    """(honorific, name without it) of a normalized first name; ("", name) when it has none. `known` are
    given names, which a joined میر or حاج must be followed by to count as an honorific."""
    honorific, rest = _honorific_before(name, known)
    for after in HONORIFICS_AFTER:
        if rest.endswith(after) and len(rest.removesuffix(after).strip()) >= SHORTEST_PART:
            rest = rest.removesuffix(after).strip()
            honorific = f"{honorific} {after}".strip()
            break
    return honorific, rest


def _honorific_before(name: str, known: frozenset[str]) -> tuple[str, str]:
    words = name.split(" ")
    if len(words) > 1 and words[0] in HONORIFICS_BEFORE:
        return words[0], " ".join(words[1:])
    for before in HONORIFICS_BEFORE:
        rest = name.removeprefix(before)
        if rest == name or len(rest) < SHORTEST_PART:
            continue
        if before in JOINED_ALWAYS or rest in known:
            return before, rest
    return "", name


def first_name_profile(typed: str, known: frozenset[str] = frozenset()) -> tuple[str, str]:
    """(honorific, first name) of a typed first name, both normalized."""
    return split_honorific(normalize_name(typed), known)


def is_compound_part(shorter: str, longer: str) -> bool:
    """Whether `shorter` is `longer` with a whole part of a compound name left out, before or after (علی of
    محمدعلی, رضا of علیرضا); both without separators."""
    extra = len(longer) - len(shorter)
    if len(shorter) < SHORTEST_PART or extra < SHORTEST_PART:
        return False
    return longer.startswith(shorter) or longer.endswith(shorter)


@lru_cache(maxsize=1 << 16)  # names repeat: a run profiles a million of them
def surname_stem(key: str) -> str:
    """The surname (its sound key, without separators) without one prefix and one suffix of those surnames
    are built with, as long as a stem is left: کریمی‌پور and کریمی, حاج‌محمدی and محمدی have one stem."""
    stem = key
    for prefix in SURNAME_PREFIXES:
        if stem.startswith(prefix) and len(stem) - len(prefix) >= SHORTEST_PART:
            stem = stem.removeprefix(prefix)
            break
    for suffix in SURNAME_SUFFIXES:
        if stem.endswith(suffix) and len(stem) - len(suffix) >= SHORTEST_PART:
            return stem.removesuffix(suffix)
    return stem


@lru_cache(maxsize=1 << 16)  # names repeat: a run profiles a million of them
def skeleton(name: str) -> str:
    """The consonants of a normalized name folded by sound: the vowel letters ا و ی are dropped after the first
    letter, so that a spelling written back from Latin meets the name (فاتیمه, فاطمه → فتمه)."""
    folded = sound_key(name).replace("ع", "ا")  # ع is a vowel's seat to a Latin spelling: Ali, Saeed
    return folded[:1] + "".join(letter for letter in folded[1:] if letter not in _VOWEL_LETTERS)
