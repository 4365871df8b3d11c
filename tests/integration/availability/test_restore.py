"""The restore drill: pgBackRest's full and incremental backups and archived WAL bring the registry back to
a chosen moment, and the ledger proves what came back and says exactly what did not."""

import pytest
from sqlalchemy import func, select, text

from sabt.bootstrap import build_context
from sabt.db import open_database
from sabt.ledger import service as ledger
from sabt.ledger.audit import audit
from sabt.ledger.models import LedgerLeaf
from sabt.ledger.recovery import recovery_against_copy
from sabt.local_cluster import pgbackrest, restore_to
from sabt.registry.persons.models import Person

from ..registry.factories import adult


def _ledger_size(ctx) -> int:
    with ctx.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(LedgerLeaf)) or 0


def _database_now(ctx) -> str:
    with ctx.db.transaction() as session:
        return str(session.execute(text("SELECT clock_timestamp()")).scalar())


@pytest.mark.committed
def test_a_restore_to_a_moment_has_every_change_before_it_and_none_after(ctx, staff, cluster, backend, tmp_path):
    cluster.wait_until_healthy()
    pgbackrest(cluster, "backup", "--type=full")
    before_backup = [adult(ctx, staff, "female", first_name="مریم", year=1980 + i) for i in range(3)]
    pgbackrest(cluster, "backup", "--type=incr")
    after_backup = [adult(ctx, staff, "male", first_name="رضا", year=1980 + i) for i in range(3)]
    signed = ledger.sign_checkpoint(ctx)
    assert signed is not None
    kept_before = [adult(ctx, staff, "female", first_name="سارا", year=1990)]  # after the checkpoint
    size_at_moment = _ledger_size(ctx)
    moment = _database_now(ctx)
    lost = [adult(ctx, staff, "male", first_name="علی", year=1991 + i) for i in range(2)]
    size_after_lost = _ledger_size(ctx)
    with ctx.db.transaction() as session:
        lost_persons = {
            str(person_id) for person_id in session.scalars(select(Person.id).where(Person.national_code.in_(lost)))
        }
    later = ledger.sign_checkpoint(ctx)
    assert later is not None
    with ctx.db.transaction() as session:
        session.execute(text("SELECT pg_switch_wal()"))  # the last changes' WAL goes to the archive now
    pgbackrest(cluster, "check")

    restored = restore_to(cluster, moment, tmp_path / "restored")
    try:
        database = open_database(restored.url())
        restored_ctx = build_context(database, backend.settings, backend.clock)
        with database.snapshot() as session:
            codes = set(session.scalars(select(Person.national_code)))
        report = audit(restored_ctx)
        recovery = recovery_against_copy(restored_ctx, later_url=ctx.db.url)  # the cluster, still running
        restored_size = _ledger_size(restored_ctx)
        database.dispose()
    finally:
        restored.stop()
    assert set(before_backup + after_backup + kept_before) <= codes
    assert not set(lost) & codes
    assert report.findings == []
    assert report.checkpoint_size == signed.size
    assert restored_size == size_at_moment
    assert later.size > restored_size  # the changes after the moment, counted by the later checkpoint
    assert recovery.is_prefix and recovery.findings == [] and recovery.restored_size == size_at_moment
    assert [change.index for change in recovery.missing] == list(range(size_at_moment, size_after_lost))
    assert {change.record_id for change in recovery.missing if change.record_type == "persons"} == lost_persons
    assert len(lost_persons) == len(lost)
