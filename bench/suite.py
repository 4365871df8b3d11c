"""The default benchmarks: synth, import and registry-read."""

import csv
import time
from pathlib import Path

from sabt.synth.files import PERSON_COLUMNS
from sabt.synth.service import SynthRequest, generate_nation

from .common import fresh_registry, median_seconds, office_head, postgres_version, report, write_result
from .loading import raw_load, timed_import
from .reading import measure_lookups

REPEATS = 3


def run_synth(people: int, workdir: Path) -> None:
    """People generated per second (families, events and files included) against writing as many rows
    of a fixed record with the csv module: the floor that any generator writing CSV has to pay."""
    request = SynthRequest(people=people, years=3, seed=1)
    seconds = median_seconds(lambda: generate_nation(request, workdir / "synth"), REPEATS)
    rows = sum(1 for _ in (workdir / "synth" / "persons.csv").open(encoding="utf-8")) - 1

    def write_plain_rows() -> None:
        with (workdir / "plain.csv").open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(PERSON_COLUMNS)
            record = [
                "0499370899",
                "فاطمه",
                "محمدی",
                "female",
                "1370/01/01",
                "2301",
                "",
                "علی",
                "محمدی",
                "",
                "زهرا",
                "احمدی",
                "",
            ]
            for _ in range(rows):
                writer.writerow(record)

    baseline = median_seconds(write_plain_rows, REPEATS)
    ratio = baseline / seconds
    write_result(
        "synth",
        {
            "people": people,
            "persons_rows": rows,
            "seconds_median": round(seconds, 3),
            "people_per_second": round(people / seconds),
            "baseline": "csv.writer of as many rows",
            "baseline_seconds_median": round(baseline, 3),
            "ratio": round(ratio, 3),
            "repeats": REPEATS,
        },
    )
    report("synth", f"{people / seconds:,.0f} people/s", ratio, "plain CSV rows/s")


def run_import(people: int, workdir: Path) -> None:
    """`sabt import` rows/s against the raw load of the same rows into the same table, per database."""
    folder = workdir / "import-nation"
    generate_nation(SynthRequest(people=people, years=1, seed=2), folder)
    result: dict[str, object] = {"people": people, "repeats": REPEATS, "postgres": postgres_version()}
    for backend in ("sqlite", "postgresql"):
        imported, raw = [], []
        for _ in range(REPEATS):
            with fresh_registry(backend, workdir) as ctx:
                seconds, rows = timed_import(ctx, office_head(ctx), folder / "persons.csv")
                imported.append(seconds)
            with fresh_registry(backend, workdir) as ctx:
                raw.append(raw_load(ctx, folder / "persons.csv")[0])
        import_s, raw_s = sorted(imported)[REPEATS // 2], sorted(raw)[REPEATS // 2]
        ratio = raw_s / import_s
        result[backend] = {
            "rows": rows,
            "import_seconds_median": round(import_s, 3),
            "import_rows_per_second": round(rows / import_s),
            "raw_seconds_median": round(raw_s, 3),
            "raw_rows_per_second": round(rows / raw_s),
            "ratio": round(ratio, 3),
        }
        baseline = "raw COPY" if backend == "postgresql" else "raw executemany"
        report(f"import ({backend})", f"{rows / import_s:,.0f} rows/s", ratio, f"{baseline} of the same rows")
    write_result("import", result)


def run_registry_read(people: int, workdir: Path) -> None:
    folder = workdir / "read-nation"
    generate_nation(SynthRequest(people=people, years=1, seed=3), folder)
    result: dict[str, object] = {"people": people}
    for backend in ("sqlite", "postgresql"):
        with fresh_registry(backend, workdir) as ctx:
            head = office_head(ctx)
            timed_import(ctx, head, folder / "persons.csv")
            started = time.perf_counter()
            lookups = measure_lookups(ctx, head, 2000)
            lookups["seconds"] = round(time.perf_counter() - started, 2)
        result[backend] = lookups
        report(
            f"registry-read ({backend})",
            f"median {lookups['service_ms']['median']} ms per person",
            float(lookups["ratio"]),
            "a raw indexed SELECT",
        )
        report(
            f"registry-read ({backend}) access log",
            f"median {lookups['access_log_ms']['median']} ms per read",
            float(lookups["access_log_share"]),
            "the whole look-up (its share of it)",
        )
    write_result("registry-read", result)
