"""One table in the formats people and programs read: CSV (UTF-8 with a BOM, so spreadsheet programs show
Persian), JSON and Parquet (typed columns, for analysts)."""

import csv
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq

from .schemas import StatTable

FIXED = ["place", "place_fa", "period", "period_fa", "first", "last"]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "parquet": "application/vnd.apache.parquet",
}


def flat_rows(table: StatTable) -> list[dict[str, object]]:
    return [
        {
            "place": row.place,
            "place_fa": row.place_fa,
            "period": row.period,
            "period_fa": row.period_fa,
            "first": row.first.isoformat(),
            "last": row.last.isoformat(),
            **row.values,
        }
        for row in table.rows
    ]


def to_csv(table: StatTable) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, [*FIXED, *table.columns], lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat_rows(table))
    return ("\ufeff" + out.getvalue()).encode()


def to_json(table: StatTable) -> bytes:
    return json.dumps(table.model_dump(mode="json"), ensure_ascii=False, indent=1).encode()


def to_parquet(table: StatTable) -> bytes:
    rows = flat_rows(table)
    columns = {name: [row.get(name) for row in rows] for name in [*FIXED, *table.columns]}
    arrays = {
        name: pa.array(values, type=pa.string() if name in FIXED else pa.float64()) for name, values in columns.items()
    }
    metadata = {"indicator": table.indicator, "place": table.place, "grain": table.grain, "exact": str(table.exact)}
    sink = io.BytesIO()
    pq.write_table(pa.table(arrays, metadata=metadata), sink)
    return sink.getvalue()


def export(table: StatTable, fmt: str) -> bytes:
    return {"csv": to_csv, "json": to_json, "parquet": to_parquet}[fmt](table)
