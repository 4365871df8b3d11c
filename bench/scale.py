"""The national-scale run on PostgreSQL: load a synthetic population of millions, then measure the
database's size and the latency of looking a person up, with the raw load and the raw lookup as baselines."""

import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from sabt.accounts.service import actor_for_username
from sabt.synth.service import SynthRequest, generate_nation

from .common import fresh_registry, office_head, postgres_version, report, write_result
from .loading import raw_load, timed_import
from .reading import measure_lookups

LOOKUPS = 2000


def run_scale(people: int, folder: Path, workdir: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"people": people, "postgres": postgres_version()}
    if not (folder / "persons.csv").exists():
        started = time.perf_counter()
        generate_nation(SynthRequest(people=people, years=3, seed=10), folder)
        result["synth_seconds"] = round(time.perf_counter() - started, 1)
    with fresh_registry("postgresql", workdir) as ctx:
        seconds, rows = raw_load(ctx, folder / "persons.csv")
        result["raw_load"] = {"rows": rows, "seconds": round(seconds, 1), "rows_per_second": round(rows / seconds)}
        print(f"raw load: {rows} rows in {seconds:.0f} s", flush=True)
    with fresh_registry("postgresql", workdir) as ctx:
        seconds, rows = timed_import(ctx, office_head(ctx), folder / "persons.csv")
        result["import"] = {"rows": rows, "seconds": round(seconds, 1), "rows_per_second": round(rows / seconds)}
        print(f"import: {rows} rows in {seconds:.0f} s", flush=True)
        result["database"] = _sizes(ctx)
        result["lookup"] = measure_lookups(ctx, actor_for_username(ctx, "bench.head"), LOOKUPS)
    result["import_vs_raw_load"] = round(result["import"]["rows_per_second"] / result["raw_load"]["rows_per_second"], 3)
    result["projection_90m"] = _projection(result, 90_000_000 / people)
    report(
        "scale",
        f"{rows} persons imported at {result['import']['rows_per_second']} rows/s, "
        f"lookup median {result['lookup']['service_ms']['median']} ms",
        result["lookup"]["ratio"],
        "a raw indexed SELECT",
    )
    write_result(f"scale-{people // 1_000_000}m", result)
    return result


def _sizes(ctx: Any) -> dict[str, Any]:
    with ctx.db.snapshot() as session:
        total = session.scalar(text("SELECT pg_database_size(current_database())"))
        tables = session.execute(
            text(
                "SELECT relname, pg_total_relation_size(relid) FROM pg_catalog.pg_statio_user_tables "
                "ORDER BY 2 DESC LIMIT 8"
            )
        ).all()
    return {"total_gb": round(total / 2**30, 2), "tables_mb": {name: round(size / 2**20) for name, size in tables}}


def _projection(result: dict[str, Any], factor: float) -> dict[str, Any]:
    """Load time and size grow linearly with the population; a B-tree lookup grows with its depth (log n),
    so the lookup latency is carried over unchanged."""
    return {
        "people": 90_000_000,
        "import_hours": round(result["import"]["seconds"] * factor / 3600, 1),
        "database_gb": round(result["database"]["total_gb"] * factor),
        "lookup_median_ms": result["lookup"]["service_ms"]["median"],
    }
