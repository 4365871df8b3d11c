"""A legacy register as an old system would hand it over: the true records with known defects, and the
ground truth that says which person each row is and what was done to it.

Defects (each row may carry one): typos in a name; Arabic ي/ك typed for Persian ی/ک; day and month
swapped; father's name missing; the same person entered twice, the copy written the way registers write one
person differently (`COPY_VARIATIONS`: a typo, a letter of the same sound, an honorific or a compound name's
part added or left out, a surname's affix, a spelling written back from Latin, the year in the Gregorian
calendar, a day or a month off, day and month swapped, the father left out, Arabic letters; the copy without
its national code half the time); a wrong check digit; and rows for people who do not exist.

The truth file has a row's true person, its `kind` (its defect, or how a copy varies) and, for a copy, `of`:
the row it copies.
"""

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..core.jalali import parse_date, to_jalali
from ..core.linkage import gregorian_year_slip
from ..core.national_code import compose_national_code, national_code_problem
from ..core.persian_names import SURNAME_SUFFIXES
from .files import PERSON_COLUMNS, Nation

DEFECT_SHARES = {
    "typo": 0.04,
    "arabic_letters": 0.05,
    "swapped_day_month": 0.02,
    "missing_father": 0.02,
    "invalid_code": 0.015,
}
DUPLICATE_SHARE, NONEXISTENT_SHARE = 0.03, 0.01
PERSIAN_LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
SAME_SOUND = ("سثص", "زذضظ", "تط", "هح", "قغ")
# What a spelling written back from Latin does to a letter: each sound with its commonest letter.
FROM_LATIN = str.maketrans({"ث": "س", "ص": "س", "ذ": "ز", "ض": "ز", "ظ": "ز", "ط": "ت", "ح": "ه", "ع": "ا"})
ZWNJ = "\u200c"
VOWEL_LETTERS = "اوی"


def write_legacy(nation: Nation, rng: np.random.Generator, records: Path, truth: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with records.open("w", encoding="utf-8", newline="") as out, truth.open("w", encoding="utf-8", newline="") as key:
        rows, truths = csv.DictWriter(out, PERSON_COLUMNS), csv.writer(key)
        rows.writeheader()
        truths.writerow(["row", "person", "kind", "of"])
        number = 0

        def emit(record: dict[str, str], person: str, kind: str, of: int | None = None) -> int:
            nonlocal number
            number += 1
            rows.writerow(record)
            truths.writerow([number, person, kind, of or ""])
            counted = "duplicate" if of else kind
            counts[counted] = counts.get(counted, 0) + 1
            return number

        for i in nation.legacy_people():
            record = nation.person_record(i)
            defect = _pick_defect(rng)
            damaged = DEFECTS[defect](dict(record), rng) if defect != "none" else record
            if damaged == record:  # the defect changes nothing here (no ی or ک to replace, day = month)
                defect = "none"
            first = emit(damaged, record["national_code"], defect)
            if rng.random() < DUPLICATE_SHARE:
                variation, copy = _copy(record, rng)
                if rng.random() < 0.5:
                    copy["national_code"] = ""
                emit(copy, record["national_code"], variation, first)
            if rng.random() < NONEXISTENT_SHARE:
                emit(_fabricated(nation, rng), "", "nonexistent")
    return counts


def _pick_defect(rng: np.random.Generator) -> str:
    roll = rng.random()
    for defect, share in DEFECT_SHARES.items():
        if roll < share:
            return defect
        roll -= share
    return "none"


def _copy(record: dict[str, str], rng: np.random.Generator) -> tuple[str, dict[str, str]]:
    """A second record of the same person, varied one way (a typo where the way picked changes nothing)."""
    names = list(COPY_VARIATIONS)
    shares = np.array([COPY_VARIATIONS[name][0] for name in names])
    variation = names[int(rng.choice(len(names), p=shares / shares.sum()))]
    copy = COPY_VARIATIONS[variation][1](dict(record), rng)
    if copy == record:
        return "typo", _typo(dict(record), rng)
    return variation, copy


def _typo(record: dict[str, str], rng: np.random.Generator) -> dict[str, str]:
    field = "first_name" if rng.random() < 0.5 else "last_name"
    name = record[field]
    position = int(rng.integers(0, len(name)))
    others = PERSIAN_LETTERS.replace(name[position], "")
    letter = others[int(rng.integers(0, len(others)))]
    record[field] = name[:position] + letter + name[position + 1 :] if len(name) > 2 else name + letter
    return record


def _same_sound(record: dict[str, str], rng: np.random.Generator) -> dict[str, str]:
    field = "first_name" if rng.random() < 0.5 else "last_name"
    name = record[field]
    for position, letter in enumerate(name):
        group = next((group for group in SAME_SOUND if letter in group), None)
        if group is not None:
            others = group.replace(letter, "")
            record[field] = name[:position] + others[int(rng.integers(0, len(others)))] + name[position + 1 :]
            break
    return record


def _honorific(record: dict[str, str], rng: np.random.Generator) -> dict[str, str]:
    """سید or سیده added before the first name (joined or apart), or the one there left out."""
    name = record["first_name"]
    honorific = "سیده" if record["sex"] == "female" else "سید"
    if name.startswith(honorific):
        record["first_name"] = name.removeprefix(honorific).strip(" " + ZWNJ)
    else:
        record["first_name"] = honorific + ("" if rng.random() < 0.5 else " ") + name
    return record


def _compound_part(record: dict[str, str], rng: np.random.Generator) -> dict[str, str]:
    """One part of a compound first name left out, or a part added to a simple one (علی → محمدعلی)."""
    name = record["first_name"].replace(ZWNJ, " ")
    parts = name.split(" ")
    if len(parts) > 1:
        record["first_name"] = parts[int(rng.integers(0, len(parts)))]
    else:
        record["first_name"] = f"محمد{name}" if record["sex"] == "male" else f"فاطمه{ZWNJ}{name}"
    return record


def _surname_affix(record: dict[str, str], rng: np.random.Generator) -> dict[str, str]:
    """The surname's suffix joined, left out, or (where it has none) added after a non-joiner."""
    surname = record["last_name"]
    root, joiner, suffix = surname.rpartition(ZWNJ)
    if joiner and suffix in SURNAME_SUFFIXES:
        record["last_name"] = root if rng.random() < 0.5 else root + suffix
    else:
        added = SURNAME_SUFFIXES[int(rng.integers(0, len(SURNAME_SUFFIXES)))]
        record["last_name"] = f"{surname}{ZWNJ}{added}"
    return record


def _from_latin(record: dict[str, str], rng: np.random.Generator) -> dict[str, str]:
    """The first name (or both names) as written back from a Latin spelling: each sound with its commonest
    letter, a short vowel written as a long one, a final ی said as a written ا."""
    for field in ("first_name", "last_name") if rng.random() < 0.4 else ("first_name",):
        name = record[field].translate(FROM_LATIN)
        not_consonants = VOWEL_LETTERS + " " + ZWNJ
        between_consonants = [
            i for i in range(1, len(name)) if name[i - 1] not in not_consonants and name[i] not in not_consonants
        ]
        if between_consonants:
            position = between_consonants[int(rng.integers(0, len(between_consonants)))]
            name = name[:position] + VOWEL_LETTERS[int(rng.integers(0, 3))] + name[position:]
        if name.endswith("ی") and rng.random() < 0.3:
            name = name[:-1] + "ا"
        record[field] = name
    return record


def _gregorian_year(record: dict[str, str], _rng: np.random.Generator) -> dict[str, str]:
    """The year in the Gregorian calendar, the month and day in the Jalali one (1388/01/24 → 2009/01/24)."""
    slipped = gregorian_year_slip(parse_date(record["birth_date"]))
    if slipped is not None:  # the 30th of the 12th Jalali month, say, has no such Gregorian day
        record["birth_date"] = f"{slipped:%Y/%m/%d}"
    return record


def _day_off(record: dict[str, str], rng: np.random.Generator) -> dict[str, str]:
    step = dt.timedelta(days=1 if rng.random() < 0.5 else -1)
    record["birth_date"] = to_jalali(parse_date(record["birth_date"]) + step)
    return record


def _month_off(record: dict[str, str], rng: np.random.Generator) -> dict[str, str]:
    year, month, day = (int(part) for part in record["birth_date"].split("/"))
    month += 1 if month == 1 or (month < 12 and rng.random() < 0.5) else -1
    if day <= 29:
        record["birth_date"] = f"{year:04d}/{month:02d}/{day:02d}"
    return record


def _arabic_letters(record: dict[str, str], _rng: np.random.Generator) -> dict[str, str]:
    for field in ("first_name", "last_name", "father_first_name", "mother_first_name"):
        record[field] = record[field].replace("ی", "ي").replace("ک", "ك")
    return record


def _swapped_day_month(record: dict[str, str], _rng: np.random.Generator) -> dict[str, str]:
    year, month, day = record["birth_date"].split("/")
    record["birth_date"] = f"{year}/{day}/{month}"
    return record


def _missing_father(record: dict[str, str], _rng: np.random.Generator) -> dict[str, str]:
    record["father_first_name"] = record["father_national_code"] = ""
    return record


def _invalid_code(record: dict[str, str], _rng: np.random.Generator) -> dict[str, str]:
    code = record["national_code"]
    record["national_code"] = code[:9] + str((int(code[9]) + 1) % 10)
    return record


def _fabricated(nation: Nation, rng: np.random.Generator) -> dict[str, str]:
    """A plausible row for nobody: a real-looking record with another person's parents and a fresh code."""
    record = nation.person_record(int(rng.integers(0, len(nation.codes))))
    record["first_name"] = nation.names.male.names[int(rng.integers(0, 50))]
    record["sex"] = "male"
    while True:
        code = compose_national_code(record["national_code"][:3] or "001", int(rng.integers(900_000, 1_000_000)))
        if national_code_problem(code) is None:
            break
    record["national_code"] = code
    return record


Variation = Callable[[dict[str, str], np.random.Generator], dict[str, str]]
# How a copy of a person's record varies, and how often (relative shares).
COPY_VARIATIONS: dict[str, tuple[float, Variation]] = {
    "typo": (0.25, _typo),
    "sound": (0.1, _same_sound),
    "honorific": (0.07, _honorific),
    "compound": (0.07, _compound_part),
    "surname_affix": (0.07, _surname_affix),
    "transliteration": (0.07, _from_latin),
    "gregorian_year": (0.05, _gregorian_year),
    "swapped_day_month": (0.06, _swapped_day_month),
    "day_off": (0.05, _day_off),
    "month_off": (0.04, _month_off),
    "missing_father": (0.06, _missing_father),
    "arabic_letters": (0.08, _arabic_letters),
}

DEFECTS: dict[str, Variation] = {
    "typo": _typo,
    "arabic_letters": _arabic_letters,
    "swapped_day_month": _swapped_day_month,
    "missing_father": _missing_father,
    "invalid_code": _invalid_code,
}
