"""Applying and estimating the model with Splink on an in-process DuckDB: score every blocked pair of a
table of linkage records, score one new record against candidates, and estimate a model from records
whose true person is known.

Estimation is supervised: m (how often each level occurs between two records of one person) is counted on
the labelled pairs, u (how often it occurs by chance) on a random sample of pairs, and the prior from the
number of true pairs. Unsupervised EM was tried first and rejected: on a register, families are the
strongest structure in the data, and EM converged on "same family" instead of "same person".
"""

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from splink import DuckDBAPI, Linker, SettingsCreator
from splink.internals.realtime import compare_records

from ..core.linkage import Pair
from .model import POSSIBLE_TWIN, settings

# The comparisons whose level and weight are a pair's evidence, in the model's order.
_FIELDS = ("first_name", "last_name", "birth_date", "birth_county", "sex", "parents")
U_SAMPLE_PAIRS = 5_000_000


@dataclass(frozen=True)
class ScoredPair:
    left: int
    right: int
    match_weight: float
    match_probability: float
    evidence: list[dict[str, Any]]
    possible_twin: bool  # the same mother and day, and two given names: perhaps twins (model.POSSIBLE_TWIN)


def _linker(table: pa.Table, model: dict[str, Any] | SettingsCreator) -> Linker:
    db = DuckDBAPI()
    records = db.register(table, table_name="records")
    return Linker(records, model, log_level=logging.WARNING)


def score_all(table: pa.Table, model: dict[str, Any], *, threshold: float) -> Iterator[ScoredPair]:
    """Every blocked pair of the table whose match probability reaches the threshold."""
    linker = _linker(table, model)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    yield from _scored(predictions.as_duckdbpyrelation(), model)


def score_against(
    record: dict[str, Any], candidates: list[dict[str, Any]], model: dict[str, Any], *, model_key: str, threshold: float
) -> list[ScoredPair]:
    """The new record against each candidate, best first; term frequencies come in the records. Splink's
    real-time scoring keeps the SQL it generates under `model_key` (one per model), so a check costs tens of
    milliseconds, not the hundreds a new linker would."""
    if not candidates:
        return []
    database = _thread_duckdb()
    scored = compare_records([record], candidates, model, database, sql_cache_key=f"sabt-{model_key}")
    try:
        pairs = [pair for pair in _scored(scored.as_duckdbpyrelation(), model) if pair.match_probability >= threshold]
    finally:  # leave nothing behind in the thread's database: the result and the two inputs
        uid = scored.physical_name.rsplit("_", 1)[1]
        scored.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
        for side in ("left", "right"):
            database.duckdb_con.unregister(f"__splink__compare_records_{side}_{uid}")
    return sorted(pairs, key=lambda pair: -pair.match_weight)


_local = threading.local()


def _thread_duckdb() -> DuckDBAPI:
    """One in-memory DuckDB per thread, reused: a DuckDB connection is not to be shared between threads."""
    if not hasattr(_local, "duckdb"):
        _local.duckdb = DuckDBAPI()
    database: DuckDBAPI = _local.duckdb
    return database


def _scored(relation: Any, model: dict[str, Any]) -> Iterator[ScoredPair]:
    labels = level_labels(model)
    columns = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
    for field in _FIELDS:
        columns += [f"gamma_{field}", f"mw_{field}"]
    columns.append(f"coalesce({POSSIBLE_TWIN}, false)")
    for row in relation.select(", ".join(columns)).fetchall():  # only pairs above the threshold: few
        evidence = [
            {"field": field, "level": labels[field].get(row[4 + 2 * i], ""), "weight": round(row[5 + 2 * i], 2)}
            for i, field in enumerate(_FIELDS)
        ]
        yield ScoredPair(int(row[0]), int(row[1]), float(row[2]), float(row[3]), evidence, bool(row[-1]))


def level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """For each comparison, its levels' labels by the value Splink gives them (-1 for a missing value)."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        counted = [level for level in levels if not level.get("is_null_level")]
        by_value = {len(counted) - 1 - i: level["label_for_charts"] for i, level in enumerate(counted)}
        labels[comparison["output_column_name"]] = by_value | {-1: "missing"}
    return labels


def estimate(table: pa.Table, person: pa.Array, true_pairs: set[Pair]) -> dict[str, Any]:
    """A trained model from records labelled with their true person."""
    rows = table.num_rows
    prior = len(true_pairs) / (rows * (rows - 1) / 2)
    linker = _linker(table.append_column("true_person", person), settings(prior=prior))
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=1)
    linker.training.estimate_m_from_label_column("true_person")
    model: dict[str, Any] = linker.misc.save_model_to_json()
    _floor_unseen_levels(model, len(true_pairs))
    return model


def _floor_unseen_levels(model: dict[str, Any], true_pairs: int) -> None:
    """A level never seen between two records of one person is rare between them, not impossible: give it
    half an observation (else Splink would give it no weight at all, and a pair born years apart could pass
    as one person). Likewise a level never seen in the random sample (twins) is rare by chance, not
    impossible."""
    floor = 0.5 / max(true_pairs, 1)
    for comparison in model["comparisons"]:
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        for level in levels:
            if level.get("m_probability") is None:
                level["m_probability"] = floor
            if level.get("u_probability") is None:
                level["u_probability"] = 0.5 / U_SAMPLE_PAIRS
        total = sum(level["m_probability"] for level in levels)
        for level in levels:
            level["m_probability"] /= total
