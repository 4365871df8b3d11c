"""`sabt backup` and `sabt restore` on a SQLite registry of each test's own (a restore replaces the file), and
`sabt audit recovery-point` saying exactly which changes a restore lost."""

import datetime as dt
import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from typer.testing import CliRunner, Result

from sabt.accounts import service as accounts
from sabt.bootstrap import build_context
from sabt.cli import app
from sabt.clock import FixedClock
from sabt.config import Settings
from sabt.db import open_database
from sabt.ledger.note import checkpoint_body, sign_note

from ..registry.factories import adult
from .test_cli import register_child

Sabt = Callable[..., Result]
PASSWORD = "correct horse battery"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A registry of its own in SABT_DATA_DIR, with an office and the staff who register births."""
    folder = tmp_path / "data"
    monkeypatch.setenv("SABT_DATA_DIR", str(folder))
    monkeypatch.delenv("SABT_DATABASE_URL", raising=False)
    return folder


@pytest.fixture
def sabt(data_dir: Path) -> Sabt:
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, list(args))

    assert run("db", "upgrade").exit_code == 0
    assert run("office", "add", "THR", "--name", "اداره تهران", "--county", "2301").exit_code == 0
    for username, role in (("clerk", "clerk"), ("registrar", "registrar"), ("head", "office_head")):
        added = run("user", "add", username, "--role", role, "--office", "THR", "--password", PASSWORD)
        assert added.exit_code == 0, added.output
    return run


def _registered(sabt: Sabt) -> str:
    result = register_child(sabt)
    assert result.exit_code == 0, result.output
    return result.output.split("national code:")[1].split()[0]


def _backed_up(sabt: Sabt, path: Path) -> int:
    """Back up to `path`; returns the ledger size the backup holds."""
    result = sabt("backup", str(path))
    assert result.exit_code == 0, result.output
    assert f"backed up to {path}: ledger size " in result.output
    return int(result.output.split("ledger size ")[1].split(",")[0])


def _person_ids(registry: Path, codes: list[str]) -> set[str]:
    with closing(sqlite3.connect(registry)) as connection:
        query = "SELECT id FROM persons WHERE national_code = ?"
        return {str(connection.execute(query, (code,)).fetchone()[0]) for code in codes}


def _fingerprint(data_dir: Path) -> str:
    """The registry file's bytes: any change to it, however made, changes them."""
    return hashlib.sha256((data_dir / "registry.db").read_bytes()).hexdigest()


def test_a_restore_lacks_exactly_the_changes_made_after_its_backup(sabt, data_dir, tmp_path):
    kept = [_registered(sabt) for _ in range(2)]
    assert sabt("audit", "checkpoint").exit_code == 0
    backed_up_size = _backed_up(sabt, tmp_path / "first.db")
    lost = [_registered(sabt) for _ in range(2)]
    later_checkpoint = tmp_path / "later-checkpoint.txt"
    later_checkpoint.write_text(sabt("audit", "checkpoint").output, encoding="utf-8")
    later_size = _backed_up(sabt, tmp_path / "later.db")
    assert later_size > backed_up_size

    restored = sabt("restore", str(tmp_path / "first.db"), "--replace")
    assert restored.exit_code == 0, restored.output
    assert f"ledger size {backed_up_size}" in restored.output
    verified = sabt("audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert f"ledger size {backed_up_size}" in verified.output

    report = sabt("audit", "recovery-point", "--against", str(tmp_path / "later.db"), "--json")
    assert report.exit_code == 0, report.output
    found = json.loads(report.output)
    assert found["audit_passed"] and found["is_prefix"] and found["findings"] == []
    assert found["recovery_point"]["index"] == backed_up_size - 1
    assert [change["index"] for change in found["missing"]] == list(range(backed_up_size, later_size))
    assert found["missing_count"] == later_size - backed_up_size
    persons = {change["record_id"] for change in found["missing"] if change["record_type"] == "persons"}
    assert persons == _person_ids(tmp_path / "later.db", lost)
    assert not persons & _person_ids(tmp_path / "later.db", kept)
    assert found["seconds_lost"] >= 0

    text = sabt("audit", "recovery-point", "--against", str(tmp_path / "later.db"))
    assert f"missing: {later_size - backed_up_size} changes" in text.output
    assert "the restored ledger is a prefix of it" in text.output

    counted = sabt("audit", "recovery-point", "--checkpoint", str(later_checkpoint), "--json")
    assert counted.exit_code == 0, counted.output
    assert json.loads(counted.output)["missing_count"] == later_size - backed_up_size
    # Last: a staff member's look-up is itself a change, after which the restored log is a history of its own.
    assert sabt("person", "show", kept[1], "--as", "registrar").exit_code == 0
    assert sabt("person", "show", lost[0], "--as", "registrar").exit_code == 3


def test_a_backup_taken_while_another_connection_writes_is_consistent(sabt, data_dir, tmp_path, monkeypatch):
    settings = Settings()
    ctx = build_context(open_database(settings.resolved_database_url()), settings, FixedClock(dt.datetime.now(dt.UTC)))
    staff = {name: accounts.actor_for_username(ctx, name) for name in ("clerk", "registrar", "head")}
    registered: list[str] = []
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            registered.append(adult(ctx, staff, "female", year=1990 + len(registered) % 30))

    writer = threading.Thread(target=write)
    writer.start()
    try:
        sizes = []
        for number in range(3):
            while len(registered) < 2 * (number + 1):  # each backup is taken with writes under way
                stop.wait(0.01)
            sizes.append(_backed_up(sabt, tmp_path / f"during-{number}.db"))
    finally:
        stop.set()
        writer.join()
        ctx.db.dispose()
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    for number, size in enumerate(sizes):
        monkeypatch.setenv("SABT_DATABASE_URL", f"sqlite:///{tmp_path / f'during-{number}.db'}")
        verified = sabt("audit", "verify")
        assert verified.exit_code == 0, verified.output
        assert f"ledger size {size}," in verified.output


@pytest.fixture
def backup(sabt, tmp_path) -> Path:
    _registered(sabt)
    _backed_up(sabt, tmp_path / "backup.db")
    return tmp_path / "backup.db"


def _refused(sabt: Sabt, data_dir: Path, *args: str) -> Result:
    before = _fingerprint(data_dir)
    result = sabt(*args)
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert _fingerprint(data_dir) == before
    assert list(data_dir.glob(".registry.db.*")) == []  # no partial copy is left behind
    return result


def test_a_restore_over_a_registry_needs_replace(sabt, data_dir, backup):
    refused = _refused(sabt, data_dir, "restore", str(backup))
    assert refused.exit_code == 4 and "[--replace]" in refused.output and "nothing was restored" in refused.output


def test_a_file_that_is_not_a_sqlite_database_is_not_restored(sabt, data_dir, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("{}", encoding="utf-8")
    refused = _refused(sabt, data_dir, "restore", str(text), "--replace")
    assert refused.exit_code == 1 and "not a SQLite database" in refused.output


def test_a_damaged_backup_is_not_restored(sabt, data_dir, backup):
    with closing(sqlite3.connect(backup)) as connection:  # an index that no longer matches its table's rows
        connection.execute("PRAGMA writable_schema = ON")
        connection.execute(
            "UPDATE sqlite_master SET sql = replace(sql, '(record_type, record_id)', '(record_id, record_type)') "
            "WHERE name = 'ix_ledger_leaves_record'"
        )
        connection.commit()
    refused = _refused(sabt, data_dir, "restore", str(backup), "--replace")
    assert (
        refused.exit_code == 1 and "integrity check" in refused.output and "ix_ledger_leaves_record" in refused.output
    )


def test_a_sqlite_database_that_is_not_a_registry_is_not_restored(sabt, data_dir, tmp_path):
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    refused = _refused(sabt, data_dir, "restore", str(other), "--replace")
    assert refused.exit_code == 1 and "not a Sabt registry" in refused.output and "alembic_version" in refused.output


def test_a_registry_of_another_schema_revision_is_not_restored(sabt, data_dir, backup):
    with closing(sqlite3.connect(backup)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0003'")
        connection.commit()
    refused = _refused(sabt, data_dir, "restore", str(backup), "--replace")
    assert refused.exit_code == 1 and "schema revision 0003" in refused.output


def test_a_registry_another_process_has_open_is_not_replaced(sabt, data_dir, backup):
    with closing(sqlite3.connect(data_dir / "registry.db")) as server:
        server.execute("SELECT size FROM ledger_head").fetchone()
        refused = _refused(sabt, data_dir, "restore", str(backup), "--replace")
    assert refused.exit_code == 4 and "open in another process" in refused.output


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_a_registry_on_postgresql_is_sent_to_pgbackrest(sabt, data_dir, backup, monkeypatch, command):
    monkeypatch.setenv("SABT_DATABASE_URL", "postgresql+psycopg://sabt@127.0.0.1:1/nowhere")
    refused = _refused(sabt, data_dir, command, str(backup))
    assert refused.exit_code == 1 and "pgBackRest" in refused.output and "PostgreSQL" in refused.output


def test_a_backup_into_a_folder_that_does_not_exist_is_refused(sabt, data_dir, tmp_path):
    refused = _refused(sabt, data_dir, "backup", str(tmp_path / "nowhere" / "backup.db"))
    assert refused.exit_code == 1 and "The folder FILE would be written in does not exist" in refused.output
    assert not (tmp_path / "nowhere").exists()


def test_a_backup_named_as_a_folder_is_refused(sabt, data_dir, tmp_path):
    refused = _refused(sabt, data_dir, "backup", str(tmp_path))
    assert refused.exit_code == 1 and "FILE is a folder" in refused.output


def test_a_backup_is_never_written_over_the_registry_itself(sabt, data_dir):
    refused = _refused(sabt, data_dir, "backup", str(data_dir / "registry.db"))
    assert refused.exit_code == 1 and "the registry itself" in refused.output


def test_a_restore_puts_a_registry_where_there_was_none(sabt, data_dir, backup):
    for registry_file in data_dir.glob("registry.db*"):
        registry_file.unlink()
    restored = sabt("restore", str(backup))
    assert restored.exit_code == 0, restored.output
    verified = sabt("audit", "verify")
    assert verified.exit_code == 0 and "0 problems" in verified.output, verified.output


def test_a_checkpoint_not_signed_by_the_ledger_key_is_refused(sabt, data_dir, tmp_path):
    forger = Ed25519PrivateKey.generate()
    raw = forger.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    body = checkpoint_body("sabt.localhost/ledger", 999, bytes(32), dt.datetime.now(dt.UTC))
    forged = tmp_path / "forged.txt"
    forged.write_text(sign_note(body, "sabt.localhost/ledger", forger.sign, raw), encoding="utf-8")
    refused = _refused(sabt, data_dir, "audit", "recovery-point", "--checkpoint", str(forged))
    assert refused.exit_code == 1 and "does not verify with the ledger key" in refused.output


def test_recovery_point_takes_a_later_copy_or_a_checkpoint(sabt, data_dir):
    assert _refused(sabt, data_dir, "audit", "recovery-point").exit_code == 2
