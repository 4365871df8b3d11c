"""Name tables with realistic frequencies: common names common, rare names rare.

Given names and surnames come from the shipped seed lists (weighted by frequency rank) and Faker's fa_IR
lists; further surnames are built from roots and suffixes (حسن + زاده, بهرام + ی), as Iranian surnames
are, which gives thousands of distinct surnames with a long tail.
"""

import csv
from dataclasses import dataclass
from importlib import resources

import numpy as np
from faker.providers.person.fa_IR import Provider as FakerNames

from ..core.text import normalize_name

# The seed weights rank names by frequency (≈ rank^-1.1); real frequencies have a longer tail, so sampling
# flattens them: محمد then comes out near 6% of men (the registry counts 2.7M of ~45M) and the most common
# surname, محمدی, near 1.5%.
GIVEN_NAME_FLATTENING, SURNAME_FLATTENING = 0.6, 0.5
# Suffixes written joined to the root; the others follow a zero-width non-joiner, as Iranians write them.
_JOINED_SUFFIXES = {"ی", "یان", "ان", "لو", "وند"}
ZWNJ = "\u200c"


@dataclass(frozen=True)
class NameTable:
    names: list[str]
    cumulative: np.ndarray  # cumulative probabilities, for sampling with searchsorted

    def sample(self, rng: np.random.Generator, count: int) -> np.ndarray:
        return np.searchsorted(self.cumulative, rng.random(count), side="right").astype(np.int32)


def _table(weighted: dict[str, tuple[str, float]]) -> NameTable:
    names = [typed for typed, _ in weighted.values()]
    weights = np.array([weight for _, weight in weighted.values()], dtype=np.float64)
    cumulative = np.cumsum(weights / weights.sum())
    cumulative[-1] = 1.0
    return NameTable(names, cumulative)


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("sabt.synth").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _add(weighted: dict[str, tuple[str, float]], name: str, weight: float) -> None:
    """Keyed by the normalized name, valued by the spelling as typed: two spellings of one name count once."""
    typed = name.strip().replace("\u064a", "\u06cc").replace("\u0643", "\u06a9")
    weighted.setdefault(normalize_name(typed), (typed, weight))


def given_names(sex: str) -> NameTable:
    weighted: dict[str, tuple[str, float]] = {}
    for row in _rows("given_names.csv"):
        if row["sex"] == sex:
            _add(weighted, row["name"], float(row["weight"]) ** GIVEN_NAME_FLATTENING)
    rare = min(weight for _, weight in weighted.values())
    faker = FakerNames.first_names_male if sex == "male" else FakerNames.first_names_female
    for name in faker:
        _add(weighted, name, rare)
    return _table(weighted)


def surnames() -> NameTable:
    weighted: dict[str, tuple[str, float]] = {}
    parts = _rows("surname_parts.csv")
    suffixes = [row["text"] for row in parts if row["kind"] == "suffix"]
    for row in _rows("surnames.csv"):
        _add(weighted, _with_non_joiner(row["surname"], suffixes), float(row["weight"]) ** SURNAME_FLATTENING)
    rare = min(weight for _, weight in weighted.values())
    for name in FakerNames.last_names:
        _add(weighted, name, rare)
    roots = [row["text"] for row in parts if row["kind"] == "root"]
    for root in roots:
        for suffix in suffixes:
            joiner = "" if suffix in _JOINED_SUFFIXES or root[-1] in "ادذرزژو" else ZWNJ
            _add(weighted, f"{root}{joiner}{suffix}", rare / 4)
    return _table(weighted)


def _with_non_joiner(surname: str, suffixes: list[str]) -> str:
    """حسن زاده → حسن‌زاده: a suffix written apart is joined with a zero-width non-joiner, as it is typed."""
    root, space, suffix = surname.rpartition(" ")
    return f"{root}{ZWNJ}{suffix}" if space and suffix in suffixes else surname
