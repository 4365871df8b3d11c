"""Every evidence table, tampered with as a database administrator would (raw SQL, foreign keys off): a
column changed, a row deleted, a row inserted. The audit names each one, on both databases. A leaf
appended exactly as the service appends, but without the ledger key, is named too."""

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pyotp
import pytest
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sabt.accounts import service as accounts
from sabt.accounts import sign_in
from sabt.accounts.schemas import TokenOut
from sabt.batched_writes import DirectWriter
from sabt.bootstrap import open_context
from sabt.certificates.models import Certificate
from sabt.certificates.verification import verify_online
from sabt.cli import app
from sabt.clock import SystemClock
from sabt.config import Settings
from sabt.context import Context
from sabt.core.errors import SabtError, Unavailable
from sabt.core.permissions import Actor
from sabt.demo import DEMO_PASSWORD, prepare_demo
from sabt.keys import FileKeyStore, Signer
from sabt.ledger import service as ledger
from sabt.ledger.audit import audit, evidence_tables
from sabt.ledger.coverage import LOG, OPERATIONAL
from sabt.ledger.models import LedgerHead, LedgerLeaf, LedgerNode, LedgerSalt
from sabt.linkage import service as linkage
from sabt.models import metadata
from sabt.notifications import service as notifications
from sabt.notifications.schemas import BirthNotificationIn, DismissalIn
from sabt.registry import service as registry_persons
from sabt.registry.persons.models import Person
from sabt.synth.cards import CardReplay, replay_cards
from sabt.verification import service as verification
from sabt.verification import webhooks
from sabt.verification.models import IdentityCheck
from sabt.verification.ratelimit import RateLimiter
from sabt.verification.schemas import CitizenIn, IdentityQuery, PartnerIn, Policy, SubscriptionIn

from ..conftest import new_database


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def registry(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    """The demo registry, with what the demo leaves out: a partner's key and check, a citizen's lock, a
    webhook subscription, a suspected forgery, a certificate check, a staff sign-in and a trained model."""
    for url in new_database(request.param, tmp_path_factory):
        settings = Settings(
            database_url=url, data_dir=tmp_path_factory.mktemp("evidence"), checkpoint_seconds=0, webhook_seconds=0
        )
        ctx = open_context(settings, SystemClock())
        # A smaller demo: enough duplicates to train a model on, and a few dozen cards' lives.
        smaller = (mock.patch("sabt.demo.DEMO_PEOPLE", 1600), mock.patch("sabt.demo.DEMO_YEARS", 1))
        with smaller[0], smaller[1], mock.patch("sabt.demo.replay_cards", _first_cards):
            prepare_demo(ctx, fresh=False, report=lambda step: None)
        _add_what_the_demo_leaves_out(ctx)
        yield ctx
        ctx.db.dispose()


def _first_cards(ctx: Context, *, path: Path, **replay: Any) -> CardReplay:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:41]), encoding="utf-8")
    return replay_cards(ctx, path=path, **replay)


def _add_what_the_demo_leaves_out(ctx: Context) -> None:
    policy = Policy(checks=["verify"], notices=["birth.registered"], purpose="tests")
    partner = PartnerIn(code="evidence-bank", name="Bank", kind="bank", contact="ops@example.org", policy=policy)
    verification.create_partner(ctx, actor=None, partner=partner)
    api_key = verification.create_key(ctx, actor=None, partner_code="evidence-bank").api_key
    with ctx.db.snapshot() as session:
        code = session.scalar(select(Person.national_code).where(Person.died_on.is_(None)).order_by(Person.id))
        certificate = session.scalar(select(Certificate.code).limit(1))
    with ctx.db.latest() as connection:
        query = IdentityQuery(national_code=code, first_name="نام", purpose="tests")
        _, entry = verification.verify_identity(ctx, connection, api_key=api_key, query=query, limiter=RateLimiter())
    DirectWriter(ctx, IdentityCheck).record(entry)
    registrar = accounts.actor_for_username(ctx, "registrar")
    citizen = CitizenIn(national_code=code, username="evidence.citizen", password="a long password for tests")
    verification.enrol_citizen(ctx, actor=registrar, citizen=citizen)
    verification.set_lock(ctx, actor=accounts.actor_for_username(ctx, "evidence.citizen"), locked=True)
    hook = SubscriptionIn(url="http://127.0.0.1:9/hook", kinds=["birth.registered"])
    webhooks.subscribe(ctx, actor=None, partner_code="evidence-bank", subscription=hook)
    verify_online(ctx, text=certificate, channel="api")
    with pytest.raises(SabtError):
        verify_online(ctx, text="SB1:NOT-A-CODE", channel="api")
    token = staff_sign_in(ctx).access_token  # and, as staff must, an authenticator app
    secret = sign_in.start_totp(ctx, token=token).secret
    sign_in.confirm_totp(ctx, token=token, code=pyotp.TOTP(secret).now(), address="127.0.0.1")
    registry_persons.get_person(ctx, actor=registrar, national_code=code)  # a staff read of a person
    _dismiss_a_notification(ctx, registrar)
    synthetic = ctx.settings.data_dir / "synth"
    linkage.train(
        ctx,
        actor=accounts.actor_for_username(ctx, "investigator"),
        legacy=synthetic / "legacy.csv",
        truth=synthetic / "legacy_truth.csv",
    )


def _dismiss_a_notification(ctx: Context, registrar: Actor) -> None:
    """A Tehran hospital notifies a birth today that the registrar closes as sent twice."""
    key = verification.create_key(ctx, actor=None, partner_code="hospital-p23").api_key
    hospital = verification.partner_for_key(ctx, key, limiter=RateLimiter())
    with ctx.db.snapshot() as session:
        born_before = dt.date(2000, 1, 1)
        mother = session.scalar(
            select(Person.national_code)
            .where(Person.sex == "female", Person.died_on.is_(None), Person.birth_date < born_before)
            .order_by(Person.id)
        )
    born = {"reference": "BN-twice", "sex": "male", "birth_date": ctx.today().isoformat(), "county": "2301"}
    notified = notifications.notify(
        ctx,
        caller=hospital,
        notification=BirthNotificationIn.model_validate(born | {"mother": {"national_code": mother}}),
    )
    dismissal = DismissalIn(reason="duplicate", note="the same birth sent under two references")
    notifications.dismiss(ctx, actor=registrar, notification_id=notified.id, dismissal=dismissal)


def staff_sign_in(ctx: Context) -> TokenOut:
    return sign_in.sign_in(ctx, attempt=sign_in.Attempt("registrar", "127.0.0.1"), password=DEMO_PASSWORD)


def dba(ctx: Context) -> Engine:
    """A connection of the database's own administrator: foreign keys and triggers do not stop it."""
    engine = create_engine(ctx.db.url)

    @event.listens_for(engine, "connect")
    def _no_constraints(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if ctx.db.is_sqlite:
            cursor.execute("PRAGMA foreign_keys=OFF")
        else:
            cursor.execute("SET session_replication_role = replica")
        cursor.close()

    return engine


def findings(ctx: Context) -> set[tuple[str, str | None]]:
    return {(finding.problem, finding.record) for finding in audit(ctx).findings}


def test_every_table_is_evidence_or_has_a_reason(registry):
    unlisted = set(LOG) | set(OPERATIONAL)
    assert unlisted - set(metadata.tables) <= {"alembic_version"}  # no reason is kept for a table that is gone
    assert {
        "users",
        "access_tokens",
        "partners",
        "partner_keys",
        "code_locks",
        "webhook_subscriptions",
        "offices",
        "counties",
        "certificates",
        "identity_checks",
        "event_history",
    } <= {table.name for table in evidence_tables()}


def test_the_whole_public_log_names_nobody(registry):
    with registry.db.snapshot() as session:
        codes = set(session.scalars(select(Person.national_code)))
        size = ledger.head_size(session)
    published = [ledger.inclusion(registry, index=index).leaf for index in range(0, size, max(size // 2000, 1))]
    assert all(set(json.loads(leaf)) == {"v", "at", "commitment"} for leaf in published)
    assert not any(code in leaf for leaf in published for code in codes)


def test_the_coverage_command_lists_every_table_with_its_kind(registry):
    env = {"SABT_DATABASE_URL": registry.db.url, "SABT_DATA_DIR": str(registry.settings.data_dir)}
    listed = CliRunner().invoke(app, ["audit", "coverage"], env=env)
    assert listed.exit_code == 0
    kinds = {line.split()[0]: line.split()[1] for line in listed.stdout.splitlines()}
    assert set(kinds) == set(metadata.tables) - {"alembic_version"}
    assert {kinds["persons"], kinds["ledger_leaves"], kinds["webhook_deliveries"]} == {"evidence", "log", "operational"}


def test_every_evidence_table_holds_rows_and_the_untouched_registry_audits_clean(registry):
    with registry.db.snapshot() as session:
        empty = [
            table.name for table in evidence_tables() if not session.scalar(select(func.count()).select_from(table))
        ]
    assert empty == []
    assert findings(registry) == set()


def _first(connection: Connection, table: Table) -> dict[str, Any]:
    return dict(connection.execute(select(table).order_by(*table.primary_key.columns).limit(1)).mappings().one())


def _key(table: Table, row: dict[str, Any]) -> str:
    return ledger.record_key([row[column.name] for column in table.primary_key.columns])


def _where(table: Table, row: dict[str, Any]) -> list[Any]:
    return [column == row[column.name] for column in table.primary_key.columns]


def _other(value: Any) -> Any:
    """A different value of the same type and length."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 0.5
    if isinstance(value, str):
        return value[:-1] + ("1" if not value.endswith("1") else "2") if value else "x"
    if isinstance(value, dt.datetime | dt.date):
        return value + dt.timedelta(days=1)
    if isinstance(value, bytes):
        return bytes([value[0] ^ 1]) + value[1:] if value else b"\x01"
    if isinstance(value, dict | list):
        return {"tampered": True}
    raise AssertionError(f"no other value for {value!r}")


def _unique_columns(table: Table) -> set[str]:
    unique = {column.name for column in table.columns if column.unique}
    unique |= {
        column.name
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
        for column in constraint.columns
    }
    return unique | {column.name for index in table.indexes if index.unique for column in index.columns}


def _changed_column(table: Table, row: dict[str, Any]) -> str:
    """A column that holds a value and is neither a key, unique nor a reference, so the change is the only
    thing wrong with the row."""
    avoid = {column.name for column in table.primary_key.columns} | _unique_columns(table)
    avoid |= {column.name for column in table.columns if column.foreign_keys}
    candidates = [column.name for column in table.columns if column.name not in avoid and row[column.name] is not None]
    return candidates[0]


def _copy(connection: Connection, table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """The row under a key no row has, its unique columns made different too."""
    unique = _unique_columns(table)
    copy = dict(row)
    for column in table.primary_key.columns:
        if isinstance(row[column.name], int):
            copy[column.name] = (connection.scalar(select(func.max(column))) or 0) + 1000
        else:
            copy[column.name] = _fresh(row[column.name])
    for name in unique - {column.name for column in table.primary_key.columns}:
        if copy[name] is not None:
            copy[name] = _fresh(copy[name])
    return copy


def _fresh(value: Any) -> Any:
    """A value of the same type and length that no generated row holds."""
    if isinstance(value, str) and value:
        return value[:-1] + ("Z" if not value.endswith("Z") else "Y")
    if isinstance(value, int) and not isinstance(value, bool):
        return value + 1_000_000
    return _other(value)


Tamper = Callable[[Connection, Table, dict[str, Any]], dict[str, Any]]
Undo = Callable[[Connection, Table, dict[str, Any]], None]


def assert_named_in_every_table(registry: Context, problem: str, tamper: Tamper, undo: Undo) -> None:
    """Tamper with the first row of every evidence table at once (each `tamper` returns the row the audit
    should name), check the audit names exactly those, then undo it all and check the audit is clean."""
    engine, tampered = dba(registry), []
    with engine.begin() as connection:
        for table in evidence_tables():
            tampered.append((table, tamper(connection, table, _first(connection, table))))
    try:
        assert findings(registry) == {(problem, f"{table.name}/{_key(table, row)}") for table, row in tampered}
    finally:
        with engine.begin() as connection:
            for table, row in tampered:
                undo(connection, table, row)
        engine.dispose()
    assert findings(registry) == set()


def _change(connection: Connection, table: Table, row: dict[str, Any]) -> dict[str, Any]:
    column = _changed_column(table, row)
    connection.execute(update(table).where(*_where(table, row)).values({column: _other(row[column])}))
    return row


def _restore(connection: Connection, table: Table, row: dict[str, Any]) -> None:
    connection.execute(update(table).where(*_where(table, row)).values(row))


def _delete(connection: Connection, table: Table, row: dict[str, Any]) -> dict[str, Any]:
    connection.execute(table.delete().where(*_where(table, row)))
    return row


def _put_back(connection: Connection, table: Table, row: dict[str, Any]) -> None:
    connection.execute(insert(table).values(row))


def _insert_copy(connection: Connection, table: Table, row: dict[str, Any]) -> dict[str, Any]:
    copy = _copy(connection, table, row)
    connection.execute(insert(table).values(copy))
    return copy


def test_a_changed_column_in_every_evidence_table_is_named(registry):
    assert_named_in_every_table(registry, "changed", _change, _restore)


def test_a_deleted_row_in_every_evidence_table_is_named(registry):
    assert_named_in_every_table(registry, "deleted", _delete, _put_back)


def test_an_inserted_row_in_every_evidence_table_is_named(registry):
    assert_named_in_every_table(registry, "unlogged", _insert_copy, _delete)


def _latest_leaf(connection: Connection, record_type: str, record_id: str) -> int:
    query = select(func.max(LedgerLeaf.index)).where(
        LedgerLeaf.record_type == record_type, LedgerLeaf.record_id == record_id
    )
    index: int = connection.scalar(query)
    return index


def test_a_leaf_moved_to_another_record_or_stripped_of_its_opening_is_named(registry):
    """An older state of a record made to look like its latest: its latest leaf filed under another record,
    or its opening deleted. Every leaf is opened, not only the latest."""
    engine = dba(registry)
    with engine.begin() as connection:
        moved = _latest_leaf(connection, "persons", "1")
        connection.execute(update(LedgerLeaf).where(LedgerLeaf.index == moved).values(record_type="voter_roll"))
        stripped = _latest_leaf(connection, "persons", "2")
        salt = connection.execute(select(LedgerSalt.__table__).where(LedgerSalt.leaf_index == stripped)).one()
        connection.execute(LedgerSalt.__table__.delete().where(LedgerSalt.leaf_index == stripped))
    try:
        assert {problem for problem, _ in findings(registry)} >= {"leaf_opening"}
        assert ("leaf_opening", "voter_roll/1") in findings(registry)
        assert ("leaf_opening", "persons/2") in findings(registry)
    finally:
        with engine.begin() as connection:
            connection.execute(update(LedgerLeaf).where(LedgerLeaf.index == moved).values(record_type="persons"))
            connection.execute(insert(LedgerSalt.__table__).values(salt._asdict()))
        engine.dispose()
    assert findings(registry) == set()


def test_a_stored_subtree_or_frontier_changed_is_named_and_stops_every_write(registry):
    engine = dba(registry)
    nodes = LedgerNode.__table__
    with engine.begin() as connection:
        node = connection.execute(select(nodes).where(nodes.c.level == 1).limit(1)).one()
        at_node = (nodes.c.level == 1, nodes.c.index == node.index)
        connection.execute(update(nodes).where(*at_node).values(hash=bytes(32)))
        frontier = connection.scalar(select(LedgerHead.frontier))
        connection.execute(update(LedgerHead).values(frontier=bytes(len(frontier))))
    try:
        assert {problem for problem, _ in findings(registry)} == {"tree_altered"}
        with pytest.raises(Unavailable) as alarm:  # the service extends only a head its key signed
            staff_sign_in(registry)
        assert alarm.value.code == "ledger.integrity"
    finally:
        with engine.begin() as connection:
            connection.execute(update(nodes).where(*at_node).values(hash=node.hash))
            connection.execute(update(LedgerHead).values(frontier=frontier))
        engine.dispose()
    assert findings(registry) == set()


def _trigger(ctx: Context, table: str, action: str) -> tuple[str, str]:
    """SQL that adds, and SQL that drops, a trigger running `action` after each insert into `table`."""
    if ctx.db.is_sqlite:
        create = f"CREATE TRIGGER planted AFTER INSERT ON {table} BEGIN {action}; END"
        return create, "DROP TRIGGER planted"
    create = (
        f"CREATE FUNCTION planted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {action}; RETURN NULL; END $$;"
        f"CREATE TRIGGER planted AFTER INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION planted()"
    )
    return create, f"DROP TRIGGER planted ON {table}; DROP FUNCTION planted()"


def test_a_trigger_planted_in_the_database_is_named_and_a_row_it_removes_stops_the_write(registry):
    """A trigger could change a row as the service writes it, and the ledger would commit to the result: the
    audit names every trigger, and a row that vanishes before commit refuses the write."""
    create, drop = _trigger(registry, "access_tokens", "DELETE FROM access_tokens")
    engine = dba(registry)
    with engine.begin() as connection:
        connection.execute(text(create))
    try:
        assert {problem for problem, _ in findings(registry)} == {"database_code"}
        with registry.db.snapshot() as session:
            before = session.scalar(select(func.count()).select_from(LedgerLeaf))
        with pytest.raises(Unavailable) as alarm:
            staff_sign_in(registry)
        assert alarm.value.code == "ledger.integrity"
        with registry.db.snapshot() as session:
            assert session.scalar(select(func.count()).select_from(LedgerLeaf)) == before
    finally:
        with engine.begin() as connection:
            connection.execute(text(drop))
        engine.dispose()
    assert findings(registry) == set()


class _Forger(ledger.LedgerWriter):
    """Appends as the service does, but extends whatever head it finds, and signs with its own key."""

    def trusted_head(self, session: Session) -> ledger.Head:
        return ledger.read_head(session, lock=True)


def test_a_forged_append_without_the_ledger_key_is_named(registry, tmp_path):
    """A database writer changes a person and appends the leaf exactly as the service would, signing the head
    with a key of its own: the rows match their leaves, but the head is not the ledger key's. (The module's
    last test: the forged leaf stays.)"""
    own_key = FileKeyStore(lambda label: tmp_path / f"{label}.pem")
    forger = _Forger(Signer(own_key, "ledger"), registry.settings.ledger_origin, SystemClock())
    engine = dba(registry)
    with Session(engine) as session, session.begin():
        person_id = session.scalar(select(Person.id).order_by(Person.id).limit(1))
        session.execute(update(Person).where(Person.id == person_id).values(last_name="جعلی"))
        row = session.connection().execute(select(Person.__table__).where(Person.id == person_id)).mappings().one()
        ledger.append(session, [ledger.Change("persons", str(person_id), ledger.row_content(row))], writer=forger)
    engine.dispose()
    assert findings(registry) == {("head_unsigned", None)}
    with pytest.raises(Unavailable) as alarm:  # nor does the service sign a checkpoint over it
        ledger.sign_checkpoint(registry)
    assert alarm.value.code == "ledger.integrity"
