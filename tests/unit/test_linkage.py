"""The pure rules of duplicate and fraud detection."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sabt.core.linkage import (
    adult_registered_as_newborn,
    birth_after_mothers_death,
    births_too_close,
    impossible_mother_age,
    older_than_plausible,
    pairs_of_groups,
    score_pairs,
    sound_key,
)

PERSIAN = st.text(alphabet="ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی ", min_size=1, max_size=20)
DAYS = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1))


@given(PERSIAN)
def test_a_sound_key_ignores_spacing_and_arabic_keyboards(name):
    assert sound_key(name.replace(" ", "")) == sound_key(name) == sound_key(name.replace("ی", "ي").replace("ک", "ك"))
    assert sound_key(sound_key(name)) == sound_key(name)


def test_letters_that_sound_alike_share_a_key():
    assert sound_key("محمدرضا") == sound_key("محمد رزا") == sound_key("مهمدرظا")
    assert sound_key("طاهره") == sound_key("تاحره")
    assert sound_key("علی") != sound_key("ولی")


@given(DAYS, st.integers(min_value=-400, max_value=400))
def test_births_too_close_is_symmetric_and_allows_twins(first, gap):
    second = first + dt.timedelta(days=gap)
    assert births_too_close(first, second) == births_too_close(second, first)
    assert births_too_close(first, second) == (2 <= abs(gap) < 168)


def test_the_record_rules_at_their_edges():
    assert not birth_after_mothers_death(born=dt.date(2020, 1, 1), mother_died=dt.date(2020, 1, 1))
    assert birth_after_mothers_death(born=dt.date(2020, 1, 2), mother_died=dt.date(2020, 1, 1))
    assert not birth_after_mothers_death(born=dt.date(2020, 1, 2), mother_died=None)
    assert adult_registered_as_newborn(born=dt.date(2000, 1, 1), declared=dt.date(2018, 1, 1))
    assert not adult_registered_as_newborn(born=dt.date(2000, 1, 1), declared=dt.date(2017, 12, 31))
    assert older_than_plausible(born=dt.date(1900, 1, 1), on=dt.date(2021, 1, 1))
    assert not older_than_plausible(born=dt.date(1900, 1, 2), on=dt.date(2021, 1, 1))
    assert impossible_mother_age(mother_born=dt.date(2010, 1, 1), child_born=dt.date(2018, 1, 1))
    assert not impossible_mother_age(mother_born=dt.date(1990, 1, 1), child_born=dt.date(2018, 1, 1))


@given(
    st.lists(st.lists(st.integers(min_value=1, max_value=60), max_size=4), max_size=10),
    st.sets(st.tuples(st.integers(1, 60), st.integers(1, 60))),
)
def test_scores_are_proportions_and_perfect_on_the_truth(groups, found):
    truth = pairs_of_groups(groups)
    assert score_pairs(truth, truth).f1 == 1.0 or not truth
    scores = score_pairs([pair for pair in found if pair[0] != pair[1]], truth)
    assert 0 <= scores.precision <= 1 and 0 <= scores.recall <= 1 and 0 <= scores.f1 <= 1
    assert scores.correct_pairs <= min(scores.found_pairs, scores.true_pairs)
