"""Generating a synthetic nation: who lives where, who their parents are, and what happens to them.

The population at the start of the window follows the 1395 census age and sex structure of each province,
spread over counties by population. Over the window, births, deaths, marriages and divorces happen at
Iran's recent national rates scaled to the population. Mothers are women of the same county aged 16–45
at the birth, chosen around a typical age; fathers are their husbands. Everything is held in numpy
arrays (about 60 bytes a person), so ten million people fit in memory; only the mother–father loop runs
in Python.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..core.national_code import SERIAL_LIMIT, compose_national_code, national_code_problem
from ..geo.service import reference_rows
from .names import NameTable, given_names, surnames

YEAR = 365.2425
# Iran, recent years: about 1.1M births, 450k deaths, 550k marriages and 200k divorces a year in ~88M people.
BIRTH_RATE, DEATH_RATE = 1.1e6 / 88e6, 0.45e6 / 88e6
MARRIAGE_RATE, DIVORCE_RATE = 0.55e6 / 88e6, 0.2e6 / 88e6
INFANT_SHARE_OF_DEATHS = 0.025
TWIN_SHARE = 0.0075  # births that start a twin pair: about 1.5% of children are twins
MALE_SHARE_AT_BIRTH = 105 / 205
NO_PARENT = -1
Acceptable = Callable[[int, int], bool]  # (person, day) -> may they be chosen


@dataclass(frozen=True)
class Geography:
    county_codes: list[str]
    county_prefixes: list[list[str]]
    county_weights: np.ndarray  # population share of each county
    province_of: np.ndarray  # province index of each county
    counties_in: list[np.ndarray]  # county indexes of each province, and their shares within it
    shares_in: list[np.ndarray]
    age_cells: np.ndarray  # (province, age group, sex) census counts

    @classmethod
    def load(cls) -> "Geography":
        provinces = [row["code"] for row in reference_rows("provinces.csv")]
        counties = reference_rows("counties.csv")
        province_index = {code: i for i, code in enumerate(provinces)}
        populations = np.array([int(row["population"]) for row in counties], dtype=np.float64)
        province_of = np.array([province_index[row["province_code"]] for row in counties])
        counties_in = [np.flatnonzero(province_of == p) for p in range(len(provinces))]
        shares_in = [populations[idx] / populations[idx].sum() for idx in counties_in]
        cells = np.zeros((len(provinces), 21, 2))
        for row in reference_rows("age_sex.csv"):
            group = 20 if row["age_group"] == "100+" else int(row["age_group"].split("-")[0]) // 5
            cells[province_index[row["province_code"]], group] = (int(row["male"]), int(row["female"]))
        prefixes = [row["national_code_prefixes"].split() for row in counties]
        for idx in counties_in:  # counties without a known prefix borrow their province's
            pool = [prefix for i in idx for prefix in prefixes[i]]
            for i in idx:
                prefixes[i] = prefixes[i] or pool[:1]
        return cls(
            [row["code"] for row in counties],
            prefixes,
            populations / populations.sum(),
            province_of,
            counties_in,
            shares_in,
            cells,
        )


@dataclass
class Population:
    """One row per person, in birth order. Dates are proleptic Gregorian ordinals; 0 means none."""

    birth: np.ndarray
    sex: np.ndarray  # 0 male, 1 female
    county: np.ndarray
    death: np.ndarray
    window_start: int
    end: int
    mother: np.ndarray = field(init=False)
    father: np.ndarray = field(init=False)
    birth_order: np.ndarray = field(init=False)
    twin_of: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.mother = np.full(len(self.birth), NO_PARENT, dtype=np.int32)
        self.father = np.full(len(self.birth), NO_PARENT, dtype=np.int32)
        self.birth_order = np.ones(len(self.birth), dtype=np.int8)
        self.twin_of = np.full(len(self.birth), NO_PARENT, dtype=np.int32)

    def __len__(self) -> int:
        return len(self.birth)

    def born_in_window(self, i: int) -> bool:
        return bool(self.birth[i] >= self.window_start)


@dataclass
class Names:
    first: np.ndarray
    surname: np.ndarray
    father_first: np.ndarray  # for parents who are not in the population
    mother_first: np.ndarray
    mother_surname: np.ndarray
    male: NameTable
    female: NameTable
    surnames: NameTable


@dataclass(frozen=True)
class Couple:
    husband: int
    wife: int
    married: int
    county: int
    divorced: int = 0


def people_at_start(rng: np.random.Generator, geo: Geography, count: int, start: int) -> tuple[np.ndarray, ...]:
    """`count` people alive on day `start`, by the census structure: birth days, sexes and counties."""
    cells = geo.age_cells.ravel()
    drawn = rng.multinomial(count, cells / cells.sum())
    cell = np.repeat(np.arange(len(cells)), drawn)
    province, rest = np.divmod(cell, 42)
    group, sex = np.divmod(rest, 2)
    age_days = (group * 5 + rng.random(count) * 5) * YEAR
    county = np.empty(count, dtype=np.int16)
    for p in range(len(geo.counties_in)):
        members = np.flatnonzero(province == p)
        county[members] = rng.choice(geo.counties_in[p], size=len(members), p=geo.shares_in[p])
    return (start - age_days).astype(np.int32), sex.astype(np.int8), county


def window_births(rng: np.random.Generator, geo: Geography, count: int, start: int, end: int) -> tuple[np.ndarray, ...]:
    birth = rng.integers(start, end, size=count, dtype=np.int32)
    sex = (rng.random(count) >= MALE_SHARE_AT_BIRTH).astype(np.int8)
    county = rng.choice(len(geo.county_codes), size=count, p=geo.county_weights).astype(np.int16)
    return birth, sex, county


def generate_population(rng: np.random.Generator, geo: Geography, people: int, years: int, end: dt.date) -> Population:
    end_day = end.toordinal()
    start_day = end_day - round(years * YEAR)
    births = round(people * BIRTH_RATE * years)
    deaths = round(people * DEATH_RATE * years)
    infant_deaths = round(deaths * INFANT_SHARE_OF_DEATHS)
    older = people - (births - infant_deaths) + (deaths - infant_deaths)
    old_birth, old_sex, old_county = people_at_start(rng, geo, older, start_day)
    new_birth, new_sex, new_county = window_births(rng, geo, births, start_day, end_day)
    birth = np.concatenate([old_birth, new_birth])
    sex = np.concatenate([old_sex, new_sex])
    county = np.concatenate([old_county, new_county])
    death = np.zeros(len(birth), dtype=np.int32)
    _assign_deaths(rng, birth, death, older, deaths - infant_deaths, infant_deaths, start_day, end_day)
    order = np.argsort(birth, kind="stable")
    population = Population(birth[order], sex[order], county[order], death[order], start_day, end_day)
    _make_twins(rng, population)
    return population


def _assign_deaths(
    rng: np.random.Generator,
    birth: np.ndarray,
    death: np.ndarray,
    older: int,
    adult_deaths: int,
    infant_deaths: int,
    start: int,
    end: int,
) -> None:
    """Deaths in the window: among the older population by a Gompertz hazard (mortality doubling about
    every eight years of age), and among the window's births soon after birth."""
    age = (start - birth[:older]) / YEAR
    hazard = np.exp(0.085 * (age - 80)) + 0.0005
    keys = rng.random(older) ** (1 / hazard)  # Efraimidis–Spirakis: a weighted sample without replacement
    chosen = np.argpartition(-keys, adult_deaths)[:adult_deaths] if adult_deaths else np.array([], dtype=np.int64)
    death[chosen] = rng.integers(start, end, size=len(chosen))
    infants = older + rng.choice(len(birth) - older, size=infant_deaths, replace=False)
    death[infants] = np.minimum(birth[infants] + 1 + rng.exponential(40, infant_deaths).astype(np.int32), end - 1)


def _make_twins(rng: np.random.Generator, population: Population) -> None:
    """Some births become twins: the next-born child of the same county takes the same day and mother."""
    candidates = np.flatnonzero(rng.random(len(population) - 1) < TWIN_SHARE)
    for i in candidates:
        if population.twin_of[i] == NO_PARENT and population.twin_of[i + 1] == NO_PARENT:
            population.birth[i + 1] = population.birth[i]
            population.county[i + 1] = population.county[i]
            population.twin_of[i + 1] = i
            population.birth_order[i + 1] = 2


class FamilyBuilder:
    """Gives each child a mother from the population when one plausibly exists there, and her husband as
    the father. Mothers are 16–45 at a birth (typically 27), have at most eight children, 280 days apart."""

    def __init__(self, rng: np.random.Generator, population: Population, counties: int) -> None:
        self.rng, self.people = rng, population
        self.by_sex_county: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        for sex in (0, 1):
            for county in range(counties):
                members = np.flatnonzero((population.sex == sex) & (population.county == county))
                self.by_sex_county[sex, county] = (members, population.birth[members])
        self.last_child = np.zeros(len(population), dtype=np.int32)
        self.children = np.zeros(len(population), dtype=np.int8)
        self.husband = np.full(len(population), NO_PARENT, dtype=np.int32)

    def build(self) -> None:
        people = self.people
        mother_ages = np.clip(self.rng.normal(27, 6, len(people)), 16, 45)
        for i in range(len(people)):
            twin = people.twin_of[i]
            if twin != NO_PARENT:
                people.mother[i], people.father[i] = people.mother[twin], people.father[twin]
                continue
            mother = self.pick(1, int(people.county[i]), int(people.birth[i]), float(mother_ages[i]), self._can_mother)
            if mother == NO_PARENT:
                continue
            people.mother[i] = mother
            self.last_child[mother], self.children[mother] = people.birth[i], self.children[mother] + 1
            people.father[i] = self._father(mother, int(people.birth[i]))

    def pick(self, sex: int, county: int, day: int, age: float, acceptable: Acceptable) -> int:
        """Someone of `sex` in `county` aged about `age` on `day` whom `acceptable` accepts, or NO_PARENT."""
        members, births = self.by_sex_county[sex, county]
        if not len(members):
            return NO_PARENT
        position = int(np.searchsorted(births, day - age * YEAR))
        for offset in self.rng.integers(-30, 30, size=6):
            index = min(max(position + int(offset), 0), len(members) - 1)
            candidate = int(members[index])
            if acceptable(candidate, day):
                return candidate
        return NO_PARENT

    def _can_mother(self, woman: int, day: int) -> bool:
        people = self.people
        age = (day - people.birth[woman]) / YEAR
        alive = people.death[woman] == 0 or people.death[woman] >= day
        spaced = self.last_child[woman] == 0 or day - self.last_child[woman] >= 280
        return bool(16 <= age <= 45 and alive and spaced and self.children[woman] < 8)

    def _father(self, mother: int, day: int) -> int:
        people = self.people
        husband = int(self.husband[mother])
        if husband != NO_PARENT and (people.death[husband] == 0 or people.death[husband] >= day - 280):
            return husband
        gap = float(np.clip(self.rng.normal(4, 3), 0, 15))
        age = (day - people.birth[mother]) / YEAR + gap
        husband = self.pick(0, int(people.county[mother]), day, age, self._can_father)
        self.husband[mother] = husband
        return husband

    def _can_father(self, man: int, day: int) -> bool:
        people = self.people
        age = (day - people.birth[man]) / YEAR
        return bool(18 <= age <= 70 and (people.death[man] == 0 or people.death[man] >= day - 280))


def name_everyone(rng: np.random.Generator, population: Population) -> Names:
    male, female, family = given_names("male"), given_names("female"), surnames()
    count = len(population)
    first = np.where(population.sex == 0, male.sample(rng, count), female.sample(rng, count)).astype(np.int32)
    surname = family.sample(rng, count)
    for i in np.flatnonzero(population.father != NO_PARENT):  # birth order: fathers are named first
        surname[i] = surname[population.father[i]]
    for i in np.flatnonzero(population.twin_of != NO_PARENT):  # twins get different names
        twin = population.twin_of[i]
        while first[i] == first[twin]:
            table = male if population.sex[i] == 0 else female
            first[i] = table.sample(rng, 1)[0]
    return Names(
        first,
        surname,
        male.sample(rng, count),
        female.sample(rng, count),
        family.sample(rng, count),
        male,
        female,
        family,
    )


def national_codes(population: Population, geo: Geography) -> list[str]:
    """Codes for everyone born before the window, under their birth county's prefix (window births get
    theirs from the registry when they are registered)."""
    next_serial: dict[str, int] = {}
    codes = []
    for i in range(len(population)):
        if population.born_in_window(i):
            codes.append("")
            continue
        prefixes = geo.county_prefixes[population.county[i]]
        prefix = prefixes[i % len(prefixes)]
        while True:
            serial = next_serial.get(prefix, 0)
            next_serial[prefix] = serial + 1
            if serial >= SERIAL_LIMIT:
                raise ValueError(f"more than {SERIAL_LIMIT} people under prefix {prefix}")
            code = compose_national_code(prefix, serial)
            if national_code_problem(code) is None:
                break
        codes.append(code)
    return codes


def marry(
    rng: np.random.Generator, population: Population, families: FamilyBuilder, years: int, people: int
) -> list[Couple]:
    """Marriages in the window between unmarried people of one county, and divorces among them."""
    wanted = round(people * MARRIAGE_RATE * years)
    married = set(int(h) for h in families.husband if h != NO_PARENT) | {
        int(w) for w in np.flatnonzero(families.husband != NO_PARENT)
    }
    couples: list[Couple] = []
    attempts = wanted * 3  # a random pick may find nobody free; try again elsewhere
    days = rng.integers(population.window_start, population.end, size=attempts)
    weights = _county_weights(population)
    counties = rng.choice(len(weights), size=attempts, p=weights)
    for day, county in zip(days.tolist(), counties.tolist(), strict=True):
        if len(couples) == wanted:
            break
        wife = families.pick(1, county, day, float(rng.uniform(19, 30)), _unmarried(population, married, 18))
        if wife == NO_PARENT:
            continue
        age = (day - population.birth[wife]) / YEAR + float(rng.uniform(1, 8))
        husband = families.pick(0, county, day, age, _unmarried(population, married, 20))
        if husband == NO_PARENT:
            continue
        married.update((wife, husband))
        couples.append(Couple(husband, wife, day, county))
    return _divorce(rng, population, couples, round(people * DIVORCE_RATE * years))


def _county_weights(population: Population) -> np.ndarray:
    counts = np.bincount(population.county, minlength=int(population.county.max()) + 1).astype(np.float64)
    weights: np.ndarray = counts / counts.sum()
    return weights


def _unmarried(population: Population, married: set[int], minimum_age: int) -> Acceptable:
    def acceptable(person: int, day: int) -> bool:
        age = (day - population.birth[person]) / YEAR
        alive = population.death[person] == 0 or population.death[person] > day + 400
        return bool(person not in married and minimum_age <= age <= 60 and alive)

    return acceptable


def _divorce(rng: np.random.Generator, population: Population, couples: list[Couple], wanted: int) -> list[Couple]:
    result = list(couples)
    for index in rng.permutation(len(couples))[: min(wanted, len(couples) * 2 // 5)]:
        couple = couples[index]
        earliest = couple.married + 90
        if earliest >= population.end - 30:
            continue
        day = int(rng.integers(earliest, population.end - 30))
        ends = [population.death[p] for p in (couple.husband, couple.wife) if population.death[p]]
        if all(day < end for end in ends):
            result[index] = Couple(couple.husband, couple.wife, couple.married, couple.county, day)
    return result
