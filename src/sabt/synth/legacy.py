"""A legacy register as an old system would hand it over: the true records with known defects, and the
ground truth that says which person each row is and what was done to it.

Defects (each row may carry one): typos in a name; Arabic ي/ك typed for Persian ی/ک; day and month
swapped; father's name missing; the same person entered twice with small differences (the copy without
its national code half the time); a wrong check digit; and rows for people who do not exist.
"""

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..core.national_code import compose_national_code, national_code_problem
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


def write_legacy(nation: Nation, rng: np.random.Generator, records: Path, truth: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with records.open("w", encoding="utf-8", newline="") as out, truth.open("w", encoding="utf-8", newline="") as key:
        rows, truths = csv.DictWriter(out, PERSON_COLUMNS), csv.writer(key)
        rows.writeheader()
        truths.writerow(["row", "person", "defect", "duplicate_of_row"])
        number = 0

        def emit(record: dict[str, str], person: str, defect: str, duplicate_of: int | None = None) -> int:
            nonlocal number
            number += 1
            rows.writerow(record)
            truths.writerow([number, person, defect, duplicate_of or ""])
            counts[defect] = counts.get(defect, 0) + 1
            return number

        for i in nation.legacy_people():
            record = nation.person_record(i)
            defect = _pick_defect(rng)
            damaged = DEFECTS[defect](dict(record), rng) if defect != "none" else record
            if damaged == record:  # the defect changes nothing here (no ی or ک to replace, day = month)
                defect = "none"
            first = emit(damaged, record["national_code"], defect)
            if rng.random() < DUPLICATE_SHARE:
                copy = _typo(dict(record), rng)
                if rng.random() < 0.5:
                    copy["national_code"] = ""
                emit(copy, record["national_code"], "duplicate", first)
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


def _typo(record: dict[str, str], rng: np.random.Generator) -> dict[str, str]:
    field = "first_name" if rng.random() < 0.5 else "last_name"
    name = record[field]
    position = int(rng.integers(0, len(name)))
    others = PERSIAN_LETTERS.replace(name[position], "")
    letter = others[int(rng.integers(0, len(others)))]
    record[field] = name[:position] + letter + name[position + 1 :] if len(name) > 2 else name + letter
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


DEFECTS: dict[str, Callable[[dict[str, str], np.random.Generator], dict[str, str]]] = {
    "typo": _typo,
    "arabic_letters": _arabic_letters,
    "swapped_day_month": _swapped_day_month,
    "missing_father": _missing_father,
    "invalid_code": _invalid_code,
}
