"""The Fellegi–Sunter model Splink estimates and applies: what is compared, at which levels, and which pairs
are compared at all (blocking).

A person is compared on first and last name (exact with term-frequency adjustment, then "sounds the same",
then a Jaro–Winkler similarity that tolerates one mistyped letter), birth date (exact, day and month
swapped, same month, same year), county of birth, sex, the parents' first names, the mother's surname and
the parents' national codes. A pair whose first names truly differ is strong evidence of two people, so
twins (same parents, date and place) stay apart.
"""

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

# Columns of a linkage record, in the order the model reads them.
COLUMNS = (
    "unique_id",
    "first_name",
    "first_key",
    "last_name",
    "last_key",
    "sex",
    "birth_date",
    "birth_year",
    "birth_month",
    "birth_day",
    "birth_county",
    "father_first_name",
    "mother_first_name",
    "mother_last_name",
    "father_code",
    "mother_code",
)
DEFAULT_MODEL = "model.json"
DIFFERENT_FIRST_NAME_M = 1e-20  # -66 bits: more than every other comparison can add
SAME, DIFFERS = "the same", "differs"


def _name(column: str, *, differs_m: float | None = None) -> cl.CustomComparison:
    key = column.replace("_name", "_key")
    differs: ComparisonLevelCreator = cll.ElseLevel().configure(label_for_charts=DIFFERS)
    if differs_m is not None:
        differs = differs.configure(m_probability=differs_m, fix_m_probability=True)
    return cl.CustomComparison(
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column, term_frequency_adjustments=True).configure(label_for_charts=SAME),
            cll.ExactMatchLevel(key).configure(label_for_charts="sounds the same"),
            cll.DamerauLevenshteinLevel(column, 1).configure(label_for_charts="one letter apart"),
            differs,
        ],
        output_column_name=column,
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
            cll.CustomLevel(
                "birth_year_l = birth_year_r AND birth_month_l = birth_day_r AND birth_day_l = birth_month_r",
                label_for_charts="day and month swapped",
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
]


def settings(*, prior: float = 1e-6) -> SettingsCreator:
    """The model's structure, untrained; `prior` is the probability that two records drawn at random are
    one person."""
    return SettingsCreator(
        link_type="dedupe_only",
        probability_two_random_records_match=prior,
        comparisons=[
            # Twins share everything but the first name: a first name that shares nothing with the other is
            # taken as a different person whatever else agrees (see docs/linkage.md).
            _name("first_name", differs_m=DIFFERENT_FIRST_NAME_M),
            _name("last_name"),
            _birth_date(),
            _county(),
            cl.CustomComparison(
                comparison_levels=[
                    cll.NullLevel("sex"),
                    cll.ExactMatchLevel("sex").configure(label_for_charts=SAME),
                    cll.ElseLevel().configure(label_for_charts=DIFFERS),
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
