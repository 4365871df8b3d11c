"""`sabt import` and the replay of synthetic history, on both databases."""

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from sabt.accounts.schemas import UserIn
from sabt.accounts.service import actor_for_username, create_user
from sabt.core.jalali import to_jalali
from sabt.ledger.audit import audit
from sabt.registry.imports.models import ImportJob
from sabt.registry.imports.service import COLUMNS, import_persons, write_rejects
from sabt.registry.persons.models import Person
from sabt.synth.replay import replay_events
from sabt.synth.service import SynthRequest, generate_nation

SABT = str(Path(sys.executable).with_name("sabt"))


@pytest.fixture(scope="module")
def nation(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("nation")
    generate_nation(SynthRequest(people=3000, years=2, seed=3, legacy=True), out)
    return out


def persons_count(ctx) -> int:
    with ctx.db.snapshot() as session:
        return session.scalar(select(func.count()).select_from(Person))


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_a_synthetic_nation_imports_whole_with_families_linked(ctx, staff, nation):
    summary = import_persons(ctx, actor=staff["head"], path=nation / "persons.csv", batch_size=700)
    expected = len(csv_rows(nation / "persons.csv"))
    assert (summary.rows, summary.imported, summary.rejected) == (expected, expected, 0)
    assert persons_count(ctx) == expected
    with ctx.db.snapshot() as session:
        linked = session.scalar(select(func.count()).select_from(Person).where(Person.mother_id.is_not(None)))
    assert linked == sum(1 for row in csv_rows(nation / "persons.csv") if row["mother_national_code"])
    assert audit(ctx).findings == []


def test_importing_the_same_file_again_adds_nothing(ctx, staff, nation):
    import_persons(ctx, actor=staff["head"], path=nation / "persons.csv")
    again = import_persons(ctx, actor=staff["head"], path=nation / "persons.csv")
    assert again.already_done and persons_count(ctx) == again.imported


def test_a_legacy_register_is_checked_row_by_row_and_rejects_say_why(ctx, staff, nation, tmp_path):
    summary = import_persons(ctx, actor=staff["head"], path=nation / "legacy.csv", batch_size=500)
    truth, legacy = csv_rows(nation / "legacy_truth.csv"), csv_rows(nation / "legacy.csv")
    assert summary.rows == len(truth) and summary.imported + summary.rejected == len(truth)
    written = write_rejects(ctx, summary.job_id, tmp_path / "rejects.csv")
    lines = csv_rows(tmp_path / "rejects.csv")
    refused = {int(line["row"]): line for line in lines if line["outcome"] == "refused"}
    warned: dict[int, list[str]] = {}
    for line in lines:
        if line["outcome"] == "imported":
            warned.setdefault(int(line["row"]), []).append(line["code"])
    assert written == len(lines) and len(refused) == summary.rejected and len(warned) == summary.warned > 0
    for key in truth:
        row, typed = int(key["row"]), legacy[int(key["row"]) - 1]
        if key["kind"] == "invalid_code":
            assert (refused[row]["field"], refused[row]["code"]) == ("national_code", "national_code.check_digit")
        elif key["kind"] == "missing_father":  # imported without the name, unless refused for another field
            assert "import.father_unnamed" in warned.get(row, []) or refused[row]["field"] != "father_first_name"
        elif key["kind"] == "swapped_day_month" and int(typed["birth_date"].split("/")[1]) > 12:
            assert "import.day_month_swapped" in warned.get(row, []) or refused[row]["field"] != "birth_date"
    assert set(lines[0]) >= {"row", "outcome", "field", "code", "reason", "reason_fa", *COLUMNS}
    with ctx.db.snapshot() as session:
        assert session.scalar(select(func.count()).select_from(Person).where(Person.first_name.contains("ي"))) == 0


def test_a_swap_past_the_twelfth_and_a_nameless_father_are_imported_with_a_warning(ctx, staff, tmp_path):
    path = tmp_path / "old.csv"
    row = dict.fromkeys(COLUMNS, "") | {
        "national_code": "0012345679",
        "first_name": "مینا",
        "last_name": "کاظمی",
        "sex": "female",
        "birth_date": "1366/23/11",
        "birth_county": "0001",
        "mother_first_name": "زهرا",
        "mother_last_name": "کاظمی",
    }
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, COLUMNS)
        writer.writeheader()
        writer.writerows([row, row | {"national_code": "", "birth_date": "1366/11/32"}])
    summary = import_persons(ctx, actor=staff["head"], path=path)
    assert (summary.imported, summary.warned, summary.rejected) == (1, 1, 1)
    write_rejects(ctx, summary.job_id, tmp_path / "rejects.csv")
    lines = [(line["row"], line["outcome"], line["code"]) for line in csv_rows(tmp_path / "rejects.csv")]
    assert lines == [
        ("1", "imported", "import.day_month_swapped"),
        ("1", "imported", "import.father_unnamed"),
        ("2", "refused", "date.no_such_day"),
    ]
    with ctx.db.snapshot() as session:
        person = session.scalar(select(Person).where(Person.national_code == "0012345679"))
        assert person is not None and to_jalali(person.birth_date) == "1366/11/23" and person.father_first_name == ""


def test_a_parquet_file_imports_like_its_csv(ctx, staff, nation, tmp_path):
    parquet = tmp_path / "persons.parquet"
    convert = pacsv.ConvertOptions(column_types=dict.fromkeys(COLUMNS, "string"))
    pq.write_table(pacsv.read_csv(nation / "persons.csv", convert_options=convert), parquet)
    summary = import_persons(ctx, actor=staff["head"], path=parquet, batch_size=1000)
    assert summary.imported == len(csv_rows(nation / "persons.csv")) and summary.rejected == 0


def test_only_an_office_head_imports(ctx, staff, nation):
    from sabt.core.errors import Forbidden

    with pytest.raises(Forbidden):
        import_persons(ctx, actor=staff["registrar"], path=nation / "persons.csv")
    assert persons_count(ctx) == 0


def test_rows_that_break_the_rules_are_rejected_each_with_its_reason(ctx, staff, tmp_path):
    good = {
        "national_code": "0499370899",
        "first_name": "علی",
        "last_name": "رضایی",
        "sex": "male",
        "birth_date": "1360/01/01",
        "birth_county": "2301",
        "father_national_code": "",
        "father_first_name": "حسن",
        "father_last_name": "رضایی",
        "mother_national_code": "",
        "mother_first_name": "زهرا",
        "mother_last_name": "احمدی",
        "death_date": "",
    }
    bad = [
        ({"birth_date": "1410/01/01"}, "birth_date", "date.in_future"),
        ({"birth_county": "9999"}, "birth_county", "county.unknown"),
        ({"sex": "x"}, "sex", "import.sex"),
        ({"first_name": "علی۲"}, "first_name", "name.bad_characters"),
        ({"mother_national_code": "0790419904"}, "mother_national_code", "person.unknown"),
        ({"death_date": "1359/01/01"}, "death_date", "date.before_event"),
    ]
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, COLUMNS)
        writer.writeheader()
        writer.writerow(good)
        for changes, _, _ in bad:
            writer.writerow(good | changes | {"national_code": ""})
        writer.writerow(good)  # the same code again
    summary = import_persons(ctx, actor=staff["head"], path=path)
    write_rejects(ctx, summary.job_id, tmp_path / "rejects.csv")
    found = [(row["row"], row["field"], row["code"]) for row in csv_rows(tmp_path / "rejects.csv")]
    expected = [(str(number), field, code) for number, (_, field, code) in enumerate(bad, start=2)]
    assert found == [*expected, (str(len(bad) + 2), "national_code", "import.code_taken")]
    assert summary.imported == 1


@pytest.mark.committed  # another connection writes
def test_a_killed_import_resumes_without_losing_or_doubling_a_row(ctx, staff, nation, backend):
    env = {key: value for key, value in os.environ.items() if not key.startswith("SABT_")}
    env |= {"SABT_DATABASE_URL": ctx.settings.resolved_database_url(), "SABT_DATA_DIR": str(ctx.settings.data_dir)}
    command = [SABT, "import", str(nation / "persons.csv"), "--as", "head", "--batch-size", "50"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    total = len(csv_rows(nation / "persons.csv"))
    deadline = time.monotonic() + 120
    while _rows_done(ctx) < total // 3:
        assert process.poll() is None and time.monotonic() < deadline, "the import ended before it could be killed"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    interrupted = _rows_done(ctx)
    assert 0 < interrupted < total and persons_count(ctx) == interrupted
    resumed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed after row {interrupted}" in resumed.stdout
    assert persons_count(ctx) == total
    assert audit(ctx).findings == []


def _rows_done(ctx) -> int:
    with ctx.db.snapshot() as session:
        return session.scalar(select(func.coalesce(func.max(ImportJob.rows_done), 0)))


def test_synthetic_history_replays_through_the_workflow(ctx, staff, nation):
    import datetime as dt
    from dataclasses import replace

    from sabt.clock import FixedClock

    start = replace(ctx, clock=FixedClock(dt.datetime(2024, 3, 19, 6, tzinfo=dt.UTC)))
    import_persons(start, actor=staff["head"], path=nation / "persons.csv")
    summary = replay_events(
        ctx, path=nation / "events.csv", staff_for=lambda _county: ("THR", staff["registrar"], staff["head"])
    )
    events = csv_rows(nation / "events.csv")
    assert sum(summary.registered.values()) == len(events), summary.refused
    assert summary.late > 0
    assert audit(ctx).findings == []


def test_the_importer_needs_an_office_head_account(ctx, nation, backend):
    create_user(
        ctx,
        actor=None,
        user=UserIn(username=f"importer.{id(ctx)}", password="long password!", role="office_head", office="ISF"),
    )
    head = actor_for_username(ctx, f"importer.{id(ctx)}")
    assert import_persons(ctx, actor=head, path=nation / "persons.csv").rejected == 0
