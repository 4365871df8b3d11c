"""The Fellegi–Sunter model Splink estimates and applies: what is compared, at which levels, and which pairs
are compared at all (blocking).

A person is compared on first and last name, birth date, county of birth, sex and the parents. Names go
from the same, through the ways one Persian name is written differently (by sound, a compound name's part
left out, a surname's affix, a spelling written back from Latin, a letter mistyped), to different; dates
through the slips a clerk makes (day and month swapped, the Gregorian year, a day or a month off). Two
levels are certain evidence of two people: a first name that shares nothing with the other, and another
child of the same mother born the same day (twins), whatever else agrees (docs/linkage.md).
"""

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

# Columns of a linkage record, in the order the model reads them.
COLUMNS = (
    "unique_id",
    "first_name",
    "first_key",
    "first_skeleton",
    "first_is_given_name",
    "last_name",
    "last_key",
    "last_stem",
    "last_skeleton",
    "sex",
    "birth_date",
    "birth_year",
    "birth_month",
    "birth_day",
    "birth_swapped_day",
    "birth_gregorian_slip_day",
    "birth_day_number",
    "birth_county",
    "father_first_name",
    "mother_first_name",
    "mother_last_name",
    "father_code",
    "mother_code",
)
DEFAULT_MODEL = "model.json"
CERTAINLY_ANOTHER_M = 1e-20  # -66 bits: more than every other comparison can add
# A sex that differs is a strong sign of two people (a boy and a girl a letter apart), not a certain one:
# a register's sex can be mistyped too. About -9 bits.
DIFFERENT_SEX_M = 1e-3
SAME, DIFFERS = "the same", "differs"
TWINS = "another child of the same mother and day"
SAME_MOTHER = (
    "(mother_code_l = mother_code_r OR (mother_first_name_l = mother_first_name_r "
    "AND mother_last_name_l = mother_last_name_r))"
)
WITHIN_A_DAY = "abs(birth_day_number_l - birth_day_number_r) <= 1"
# A close pair that may be twins rather than one person: the same mother and day, and two first names that
# are both names people are given (علی and محمدعلی). The queue and the check say so.
POSSIBLE_TWIN = (
    f"{SAME_MOTHER} AND {WITHIN_A_DAY} AND first_name_l <> first_name_r "
    "AND first_is_given_name_l AND first_is_given_name_r"
)


def _certainly_another(level: ComparisonLevelCreator) -> ComparisonLevelCreator:
    return level.configure(m_probability=CERTAINLY_ANOTHER_M, fix_m_probability=True)


def _part_of(column: str) -> str:
    """SQL: one side is the other with a whole part of a compound name added before or after."""

    def one_way(shorter: str, longer: str) -> str:
        return (
            f"(length({column}_{shorter}) >= 3 AND length({column}_{longer}) - length({column}_{shorter}) >= 3 "
            f"AND (starts_with({column}_{longer}, {column}_{shorter}) "
            f"OR ends_with({column}_{longer}, {column}_{shorter})))"
        )

    return f"({one_way('l', 'r')} OR {one_way('r', 'l')})"


def _first_name() -> cl.CustomComparison:
    # Two names people are given, or a boy's name and a girl's (عرفان, عرفانه), are two names, not a slip:
    # the levels that forgive a slip do not apply to them.
    two_names = "(first_is_given_name_l AND first_is_given_name_r) OR coalesce(sex_l <> sex_r, false)"
    return cl.CustomComparison(
        comparison_levels=[
            cll.NullLevel("first_name"),
            cll.ExactMatchLevel("first_name", term_frequency_adjustments=True).configure(label_for_charts=SAME),
            cll.ExactMatchLevel("first_key").configure(label_for_charts="sounds the same"),
            cll.CustomLevel(_part_of("first_key"), label_for_charts="one part of a compound name"),
            cll.CustomLevel(
                f"first_skeleton_l = first_skeleton_r AND NOT ({two_names})",
                label_for_charts="spelled back from Latin",
            ),
            cll.CustomLevel(
                f"damerau_levenshtein(first_name_l, first_name_r) <= 1 AND NOT ({two_names})",
                label_for_charts="one letter mistyped",
            ),
            _certainly_another(cll.CustomLevel(f"{SAME_MOTHER} AND {WITHIN_A_DAY}", label_for_charts=TWINS)),
            cll.DamerauLevenshteinLevel("first_name", 1).configure(label_for_charts="another name a letter apart"),
            _certainly_another(cll.ElseLevel().configure(label_for_charts=DIFFERS)),
        ],
        output_column_name="first_name",
    )


def _last_name() -> cl.CustomComparison:
    return cl.CustomComparison(
        comparison_levels=[
            cll.NullLevel("last_name"),
            cll.ExactMatchLevel("last_name", term_frequency_adjustments=True).configure(label_for_charts=SAME),
            cll.ExactMatchLevel("last_key").configure(label_for_charts="sounds the same"),
            cll.ExactMatchLevel("last_stem").configure(label_for_charts="the same but for an affix"),
            cll.ExactMatchLevel("last_skeleton").configure(label_for_charts="spelled back from Latin"),
            cll.DamerauLevenshteinLevel("last_name", 1).configure(label_for_charts="one letter apart"),
            cll.ElseLevel().configure(label_for_charts=DIFFERS),
        ],
        output_column_name="last_name",
    )


def _parents() -> cl.CustomComparison:
    """The parents as one piece of evidence: their codes and names agree together or not at all, so counting
    them one by one would count one family many times."""
    both_named = "father_first_name_l IS NOT NULL AND mother_first_name_l IS NOT NULL"
    return cl.CustomComparison(
        comparison_levels=[
            cll.CustomLevel(
                "(father_code_l IS NULL AND mother_code_l IS NULL AND father_first_name_l IS NULL "
                "AND mother_first_name_l IS NULL) OR (father_code_r IS NULL AND mother_code_r IS NULL "
                "AND father_first_name_r IS NULL AND mother_first_name_r IS NULL)",
                label_for_charts="parents unknown",
            ).configure(is_null_level=True),
            cll.CustomLevel(
                "father_code_l = father_code_r AND mother_code_l = mother_code_r",
                label_for_charts="both parents' codes agree",
            ),
            cll.CustomLevel(
                f"{both_named} AND father_first_name_l = father_first_name_r "
                "AND mother_first_name_l = mother_first_name_r AND mother_last_name_l = mother_last_name_r",
                label_for_charts="parents' names agree",
            ),
            cll.CustomLevel(
                "mother_first_name_l = mother_first_name_r AND mother_last_name_l = mother_last_name_r",
                label_for_charts="mother's name agrees",
            ),
            cll.CustomLevel(
                "father_first_name_l = father_first_name_r OR mother_first_name_l = mother_first_name_r",
                label_for_charts="one parent's first name agrees",
            ),
            cll.ElseLevel().configure(label_for_charts=DIFFERS),
        ],
        output_column_name="parents",
    )


def _birth_date() -> cl.CustomComparison:
    return cl.CustomComparison(
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date").configure(label_for_charts=SAME),
            cll.CustomLevel("birth_swapped_day_l = birth_day_number_r", label_for_charts="day and month swapped"),
            cll.CustomLevel(
                "birth_gregorian_slip_day_l = birth_day_number_r OR birth_day_number_l = birth_gregorian_slip_day_r",
                label_for_charts="the year in the other calendar",
            ),
            cll.CustomLevel(WITHIN_A_DAY, label_for_charts="a day apart"),
            cll.CustomLevel(
                "birth_year_l = birth_year_r AND birth_day_l = birth_day_r AND abs(birth_month_l - birth_month_r) = 1",
                label_for_charts="a month apart",
            ),
            cll.CustomLevel(
                "birth_year_l = birth_year_r AND birth_month_l = birth_month_r", label_for_charts="same month"
            ),
            cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 1", label_for_charts="within a year"),
            cll.ElseLevel().configure(label_for_charts=DIFFERS),
        ],
        output_column_name="birth_date",
    )


def _county() -> cl.CustomComparison:
    return cl.CustomComparison(
        comparison_levels=[
            cll.NullLevel("birth_county"),
            cll.ExactMatchLevel("birth_county").configure(label_for_charts=SAME),
            cll.CustomLevel(
                "substr(birth_county_l, 1, 2) = substr(birth_county_r, 1, 2)", label_for_charts="same province"
            ),
            cll.ElseLevel().configure(label_for_charts=DIFFERS),
        ],
        output_column_name="birth_county",
    )


BLOCKING_RULES: list[BlockingRuleCreator | dict[str, Any]] = [
    block_on("birth_date", "birth_county"),
    block_on("first_key", "last_key", "birth_year"),
    block_on("last_name", "mother_first_name", "birth_year"),
    block_on("first_name", "mother_first_name", "birth_year"),
    # A first name written otherwise (a compound's part left out, from Latin) on the same day.
    block_on("last_key", "birth_date"),
    # Both names written back from Latin, or a day or a month off as well.
    block_on("first_skeleton", "last_skeleton", "birth_year"),
    # The year in the Gregorian calendar on either record: the one holds the other's slip.
    CustomRule("l.last_skeleton = r.last_skeleton AND l.birth_gregorian_slip_day = r.birth_day_number"),
    CustomRule("l.last_skeleton = r.last_skeleton AND l.birth_day_number = r.birth_gregorian_slip_day"),
]


def settings(*, prior: float = 1e-6) -> SettingsCreator:
    """The model's structure, untrained; `prior` is the probability that two records drawn at random are
    one person."""
    return SettingsCreator(
        link_type="dedupe_only",
        probability_two_random_records_match=prior,
        comparisons=[
            _first_name(),
            _last_name(),
            _birth_date(),
            _county(),
            cl.CustomComparison(
                comparison_levels=[
                    cll.NullLevel("sex"),
                    cll.ExactMatchLevel("sex").configure(label_for_charts=SAME),
                    cll.ElseLevel().configure(
                        label_for_charts=DIFFERS, m_probability=DIFFERENT_SEX_M, fix_m_probability=True
                    ),
                ],
                output_column_name="sex",
            ),
            _parents(),
        ],
        blocking_rules_to_generate_predictions=BLOCKING_RULES,
        retain_intermediate_calculation_columns=True,
    )


@lru_cache(maxsize=1)  # read once per process: every check before a registration uses it
def default_model() -> dict[str, Any]:
    """The model shipped with Sabt, estimated on a synthetic nation (see docs/linkage.md to re-estimate)."""
    text = resources.files("sabt.linkage").joinpath("data", DEFAULT_MODEL).read_text(encoding="utf-8")
    model: dict[str, Any] = json.loads(text)
    return model
