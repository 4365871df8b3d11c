"""A legacy file whose true persons are known (the synthetic nation writes one; a migration project has a
clerically reviewed sample): the records, the true person of each row, and the true pairs.

The truth file has a row's `row` and `person` (empty: a person of its own), and may say what kind of pair a
row makes with another: `kind` and `of`, the row it copies (a duplicate: the same person written otherwise,
kind `honorific`, `typo`, …) or resembles (another person: kind `twin`, `sibling`, …). The evaluation then
counts, kind by kind, how many of those pairs the model joined."""

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from ..core.linkage import Pair, ordered, pairs_of_groups
from ..registry import service as registry
from ..registry.errors import ImportColumns, ImportNoFile
from .errors import LinkageBadTruth, LinkageTruthMismatch, LinkageTruthOf
from .records import as_table, legacy_records


@dataclass(frozen=True)
class MarkedPair:
    pair: Pair
    kind: str
    same_person: bool


@dataclass(frozen=True)
class LabelledFile:
    records: pa.Table
    person: pa.Array  # the true person of each row; a row of nobody is a person of its own
    true_pairs: set[Pair]
    marked: list[MarkedPair]  # the pairs the truth names a kind for


def read_labelled(legacy: Path, truth: Path) -> LabelledFile:
    for path, field in ((legacy, "legacy"), (truth, "truth")):
        if not path.is_file():
            raise ImportNoFile(field=field, path=str(path))
    try:
        table = as_table(legacy_records(legacy))
    except KeyError as missing:  # a file of another shape, or the two files swapped
        raise ImportColumns(field="legacy", column=missing.args[0]) from None
    person: dict[int, str] = {}
    kinds: dict[int, tuple[int, str]] = {}
    with truth.open(encoding="utf-8", newline="") as file:
        for _, row in registry.csv_records(file, field="truth"):
            try:
                number = int(row["row"])
                person[number] = row["person"] or f"nobody:{number}"
            except (KeyError, ValueError):
                raise LinkageBadTruth(field="truth") from None
            if row.get("of"):
                of = row["of"].strip()
                if not of.isdigit():
                    raise LinkageTruthOf(field="truth", row=number, of=of)
                kinds[number] = (int(of), row.get("kind") or "unnamed")
    ids = table.column("unique_id").to_pylist()
    if set(ids) != set(person):
        raise LinkageTruthMismatch(field="truth", rows=len(ids), labelled=len(person))
    for number, (copied, _) in kinds.items():
        if copied not in person:
            raise LinkageTruthOf(field="truth", row=number, of=copied)
    marked = [
        MarkedPair(ordered(number, of), kind, person[number] == person[of]) for number, (of, kind) in kinds.items()
    ]
    groups: dict[str, list[int]] = {}
    for number, who in person.items():
        groups.setdefault(who, []).append(number)
    return LabelledFile(table, pa.array([person[i] for i in ids]), pairs_of_groups(groups.values()), marked)
