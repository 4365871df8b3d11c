"""A legacy file whose true persons are known (the synthetic nation writes one; a migration project has a
clerically reviewed sample): the records, the true person of each row, and the true pairs."""

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from ..core.linkage import Pair, pairs_of_groups
from ..registry import service as registry
from ..registry.errors import ImportColumns, ImportNoFile
from .errors import LinkageBadTruth, LinkageTruthMismatch
from .records import as_table, legacy_records


@dataclass(frozen=True)
class LabelledFile:
    records: pa.Table
    person: pa.Array  # the true person of each row; a row of nobody is a person of its own
    true_pairs: set[Pair]


def read_labelled(legacy: Path, truth: Path) -> LabelledFile:
    for path, field in ((legacy, "legacy"), (truth, "truth")):
        if not path.is_file():
            raise ImportNoFile(field=field, path=str(path))
    try:
        table = as_table(legacy_records(legacy))
    except KeyError as missing:  # a file of another shape, or the two files swapped
        raise ImportColumns(field="legacy", column=missing.args[0]) from None
    person: dict[int, str] = {}
    with truth.open(encoding="utf-8", newline="") as file:
        for _, row in registry.csv_records(file, field="truth"):
            try:
                person[int(row["row"])] = row["person"] or f"nobody:{row['row']}"
            except (KeyError, ValueError):
                raise LinkageBadTruth(field="truth") from None
    ids = table.column("unique_id").to_pylist()
    if set(ids) != set(person):
        raise LinkageTruthMismatch(field="truth", rows=len(ids), labelled=len(person))
    groups: dict[str, list[int]] = {}
    for number, who in person.items():
        groups.setdefault(who, []).append(number)
    return LabelledFile(table, pa.array([person[i] for i in ids]), pairs_of_groups(groups.values()))
