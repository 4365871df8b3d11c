"""Pure rules of duplicate and fraud detection: how names are keyed for comparison, what cannot be true of a
record, and how a linkage is scored against a known truth.

Persian writes several sounds with more than one letter (س ث ص, ز ذ ض ظ, ت ط, ه ح, ق غ), and registrars
spell a name by ear; compound names are written with a space, a zero-width non-joiner or nothing. The
`sound_key` of a name folds these so that two spellings of one name meet in the same block and agree at
the "sounds the same" level of the model.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from .jalali import from_jalali_parts, jalali_parts
from .people import age_in_years
from .text import normalize_name

_SAME_SOUND = str.maketrans(
    {
        "ث": "س",
        "ص": "س",
        "ذ": "ز",
        "ض": "ز",
        "ظ": "ز",
        "ط": "ت",
        "ح": "ه",
        "غ": "ق",
        "آ": "ا",
        "أ": "ا",
        "إ": "ا",
        "ؤ": "و",
        "ئ": "ی",
        "ء": None,
        " ": None,
        "-": None,
        "'": None,
    }
)

# A live birth follows the previous one by at least this much: 22 weeks of the shortest viable pregnancy
# plus the weeks before ovulation returns. Births a day apart are twins (born either side of midnight).
SHORTEST_BIRTH_INTERVAL_DAYS = 168
TWINS_WITHIN_DAYS = 1
# Registering someone this old as a newborn is registering an adult.
ADULT_AGE = 18
# Older than anyone whose age has been verified (122).
OLDEST_PLAUSIBLE_AGE = 120
# A mother younger or older than this at a birth is not medically possible.
YOUNGEST_MOTHER_AGE, OLDEST_MOTHER_AGE = 9, 60


def sound_key(name: str) -> str:
    """The name with letters that sound alike folded together and without separators."""
    return normalize_name(name).translate(_SAME_SOUND)


def gregorian_year_slip(day: dt.date) -> dt.date | None:
    """The day a clerk writes who puts the year in the Gregorian calendar and the month and day in the Jalali
    one (1388/01/24 written 2009/01/24), as another record then holds it: a Gregorian date; None when that
    date does not exist (a Jalali 31st of a Gregorian 30-day month)."""
    _, month, day_of_month = jalali_parts(day)
    return _date_or_none(day.year, month, day_of_month)


def slipped_birth_dates(day: dt.date) -> set[dt.date]:
    """The days another record of someone born on `day` may say by a slip of the pen or the calendar: a day
    either side, the Jalali month either side, the Jalali day and month swapped, and the Gregorian year
    written with the Jalali month and day (either record may hold the slip)."""
    year, month, day_of_month = jalali_parts(day)
    near = [from_jalali_parts(year, month + step, day_of_month) for step in (-1, 1) if 1 <= month + step <= 12]
    near.append(from_jalali_parts(year, day_of_month, month))
    slipped = [gregorian_year_slip(day)]
    for offset in (621, 622):  # whose Gregorian year, with its own Jalali month and day, is `day`
        other = from_jalali_parts(day.year - offset, day.month, day.day)
        if other is not None and other.year == day.year:
            slipped.append(other)
    days = {day - dt.timedelta(days=1), day + dt.timedelta(days=1), *near, *slipped} - {None, day}
    return {each for each in days if each is not None}


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def birth_after_mothers_death(*, born: dt.date, mother_died: dt.date | None) -> bool:
    """A child cannot be born after its mother died (a birth on the day she died is possible)."""
    return mother_died is not None and born > mother_died


def births_too_close(first: dt.date, second: dt.date) -> bool:
    """Two births to one mother closer together than a pregnancy allows, twins aside."""
    gap = abs((second - first).days)
    return TWINS_WITHIN_DAYS < gap < SHORTEST_BIRTH_INTERVAL_DAYS


def adult_registered_as_newborn(*, born: dt.date, declared: dt.date) -> bool:
    """A birth declaration for someone who was already an adult when it was declared."""
    return age_in_years(born, declared) >= ADULT_AGE


def older_than_plausible(*, born: dt.date, on: dt.date) -> bool:
    return age_in_years(born, on) > OLDEST_PLAUSIBLE_AGE


def impossible_mother_age(*, mother_born: dt.date, child_born: dt.date) -> bool:
    age = age_in_years(mother_born, child_born)
    return not YOUNGEST_MOTHER_AGE <= age <= OLDEST_MOTHER_AGE


@dataclass(frozen=True)
class Scores:
    """Pairwise precision, recall and F1 of a linkage against the true pairs."""

    true_pairs: int
    found_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.found_pairs if self.found_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


Pair = tuple[int, int]


def ordered(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


def pairs_of_groups(groups: Iterable[Iterable[int]]) -> set[Pair]:
    """Every pair of rows that belong to the same group (the same true person)."""
    return {pair for group in groups for pair in combinations(sorted(set(group)), 2)}


def score_pairs(found: Iterable[Pair], truth: set[Pair]) -> Scores:
    found_set = {ordered(a, b) for a, b in found}
    return Scores(true_pairs=len(truth), found_pairs=len(found_set), correct_pairs=len(found_set & truth))
