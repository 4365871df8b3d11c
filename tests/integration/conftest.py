"""Integration fixtures: every test here runs on SQLite and on PostgreSQL, against databases built by the
migrations, through the real service layer and (for API tests) a real HTTP server on localhost.

PostgreSQL comes from SABT_TEST_POSTGRES_URL (default: postgres@127.0.0.1:5432/test). Each run creates its
own database beside it and drops it at the end. Without a server the PostgreSQL half is skipped, unless
SABT_TEST_REQUIRE_POSTGRES=1 (as in CI), where it fails.
"""

import datetime as dt
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
import uvicorn
from sqlalchemy import Connection, delete, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from sabt.accounts import service as accounts
from sabt.accounts.models import AccessToken, User
from sabt.accounts.schemas import UserIn
from sabt.api.app import create_app
from sabt.bootstrap import build_context
from sabt.cli import app
from sabt.clock import FixedClock
from sabt.config import Settings
from sabt.context import Context
from sabt.core.permissions import Actor, Role
from sabt.db import Database, open_database
from sabt.geo import service as geo
from sabt.geo.schemas import OfficeIn
from sabt.ledger import service as ledger
from sabt.ledger.coverage import is_evidence
from sabt.ledger.models import LedgerHead
from sabt.ledger.service import Change, record_key, row_content
from sabt.migrations import upgrade
from sabt.models import metadata

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# Sunday 1 June 2025, 09:00 in Tehran: the registry's "now" in every test unless a test moves it.
TEST_NOW = dt.datetime(2025, 6, 1, 5, 30, tzinfo=dt.UTC)
PASSWORD = "correct horse battery"
# Tables a test may write; reference geography, offices, users and tokens live for the whole run.
SHARED_TABLES = {"provinces", "counties", "offices", "users", "access_tokens", "alembic_version", "ledger_head"}


def _postgres_database(tmp_name: str) -> Iterator[str]:
    base = make_url(os.environ.get("SABT_TEST_POSTGRES_URL", DEFAULT_POSTGRES))
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        admin = psycopg.connect(admin_dsn, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        if os.environ.get("SABT_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable ({error}); set SABT_TEST_POSTGRES_URL to run these tests on it")
    with admin:
        admin.execute(f'CREATE DATABASE "{tmp_name}"')
        try:
            yield base.set(database=tmp_name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{tmp_name}" WITH (FORCE)')


def new_database(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database of `kind` ("sqlite" or "postgresql"), dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite')}/registry.db"
    else:
        yield from _postgres_database(f"sabt_test_{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from new_database(request.param, tmp_path_factory)


@dataclass
class Backend:
    """One migrated database with its shared clock and the staff of two offices."""

    settings: Settings
    database: Database
    clock: FixedClock
    staff: dict[str, Actor]

    @property
    def context(self) -> Context:
        return build_context(self.database, self.settings, self.clock)


def _add_staff(ctx: Context) -> dict[str, Actor]:
    geo.create_office(ctx, actor=None, office=OfficeIn(code="THR", name_fa="اداره تهران", county="2301"))
    geo.create_office(ctx, actor=None, office=OfficeIn(code="ISF", name_fa="اداره اصفهان", county="1002"))
    people = {
        "clerk": (Role.CLERK, "THR"),
        "registrar": (Role.REGISTRAR, "THR"),
        "head": (Role.OFFICE_HEAD, "THR"),
        "admin": (Role.NATIONAL_ADMIN, None),
        "auditor": (Role.AUDITOR, None),
        "isf_clerk": (Role.CLERK, "ISF"),
        "isf_registrar": (Role.REGISTRAR, "ISF"),
        "isf_head": (Role.OFFICE_HEAD, "ISF"),
        "investigator": (Role.INVESTIGATOR, None),
    }
    for username, (role, office) in people.items():
        accounts.create_user(
            ctx, actor=None, user=UserIn(username=username, password=PASSWORD, role=role, office=office)
        )
    return {username: accounts.actor_for_username(ctx, username) for username in people}


@pytest.fixture(scope="session")
def backend(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    yield from new_backend(database_url, tmp_path_factory)


def new_backend(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """A migrated registry on `database_url` with the staff of two offices and nothing else."""
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path_factory.mktemp("data"),
        checkpoint_seconds=0,
        webhook_seconds=0,
        stats_cache_seconds=0,
        second_factor=False,
    )  # the tests relay webhooks themselves, and each sees the dashboard of its own registry; the tests of
    # second factors turn them on (test_staff_security)
    database = open_database(database_url)
    clock = FixedClock(TEST_NOW)
    ctx = build_context(database, settings, clock)
    upgrade(ctx)
    staff = _add_staff(ctx)
    _empty_registry_tables(database)  # every test starts with an empty registry and an empty log
    yield Backend(settings, database, clock, staff)
    database.dispose()


def _empty_registry_tables(database: Database) -> None:
    """A server thread may still be committing a batched row (a certificate check) and its leaves as a test
    ends: the log's tables are emptied last, so that such a commit finishes before they are locked, and a
    deadlock the database still finds is tried again."""
    for attempt in range(3):
        try:
            _empty_once(database)
            return
        except OperationalError as error:
            if "deadlock" not in str(error) or attempt == 2:
                raise


def _empty_once(database: Database) -> None:
    tables = [table for table in reversed(metadata.sorted_tables) if table.name not in SHARED_TABLES]
    tables.sort(key=lambda table: table.name.startswith("ledger_"))  # stable: dependency order otherwise
    with database.transaction() as session:
        if database.is_sqlite:
            for table in tables:
                session.execute(table.delete())
        else:
            session.execute(text(f"TRUNCATE {', '.join(t.name for t in tables)} RESTART IDENTITY CASCADE"))
        # Citizens' accounts belong to persons, who are gone: only the staff stay.
        citizens = select(User.id).where(User.role == Role.CITIZEN)
        session.execute(delete(AccessToken).where(AccessToken.user_id.in_(citizens)))
        session.execute(delete(User).where(User.role == Role.CITIZEN))
        # The log starts again from the rows every test shares, as though they had just been written.
        session.execute(update(LedgerHead).values(size=0, frontier=b"", signature=None))
        _log_shared_rows(session)


def _log_shared_rows(session: Session) -> None:
    changes = []
    for table in metadata.sorted_tables:
        if table.name in SHARED_TABLES and is_evidence(table.name):
            key = list(table.primary_key.columns)
            for row in session.connection().execute(select(table).order_by(*key)).mappings():
                changes.append(Change(table.name, record_key([row[column.name] for column in key]), row_content(row)))
    ledger.append(session, changes, writer=session.info[ledger.WRITER])


@dataclass(frozen=True)
class RolledBackDatabase(Database):
    """The registry on one connection whose transaction is rolled back when the test ends: each transaction
    of a use case is a savepoint inside it, so a test leaves nothing behind without emptying a table."""

    connection: Connection

    @contextmanager
    def latest(self) -> Iterator[Connection]:
        yield self.connection

    def dispose(self) -> None:
        """The connection is the test's; the backend's engines outlive it."""


@contextmanager
def rolled_back(database: Database) -> Iterator[RolledBackDatabase]:
    with database.writes.connect() as connection:
        outer = connection.begin()
        sessions = sessionmaker(connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
        yield RolledBackDatabase(
            url=database.url,
            writer=sessions,
            reader=sessions,
            engines=(),
            latest_reads=database.latest_reads,
            writes=database.writes,
            replicated=False,  # one connection reads and writes
            connection=connection,
        )
        outer.rollback()


@contextmanager
def behind_the_back(ctx: Context) -> Iterator[Connection]:
    """A database writer's own connection: what it writes goes past the service, so the ledger never sees it."""
    if isinstance(ctx.db, RolledBackDatabase):
        with ctx.db.connection.begin_nested():
            yield ctx.db.connection
        return
    with ctx.db.writes.begin() as connection:
        yield connection


# A test that reaches the registry through another connection (a server, a command in a process of its
# own, threads) needs what it writes committed; the registry is emptied after it instead.
COMMITTING_FIXTURES = {"server", "strict_server", "tokens", "api", "sabt"}


@pytest.fixture
def ctx(backend: Backend, request: pytest.FixtureRequest) -> Iterator[Context]:
    """A context on a registry with no persons or events, at TEST_NOW: in a transaction rolled back at the
    end of the test, or for a test marked `committed` (or using a server) committed and emptied after."""
    backend.clock.current = TEST_NOW
    if request.node.get_closest_marker("committed") or COMMITTING_FIXTURES & set(request.fixturenames):
        yield backend.context
        _empty_registry_tables(backend.database)
        return
    with rolled_back(backend.database) as database:
        yield build_context(database, backend.settings, backend.clock)


@pytest.fixture
def nothing_written(ctx: Context) -> Iterator[None]:
    """Asserts, after the test, that no table of the registry gained or lost a row (a test's own sign-in
    sessions aside)."""
    before = _table_counts(ctx)
    yield
    assert _table_counts(ctx) == before


def _table_counts(ctx: Context) -> dict[str, int]:
    # A test's sign-ins write tokens and account events (a failed one too), and the log grows with them.
    signing_in = {"access_tokens", "account_events"}
    tables = [table for table in metadata.sorted_tables if table.name not in signing_in and is_evidence(table.name)]
    with ctx.db.snapshot() as session:
        return {table.name: session.scalar(select(func.count()).select_from(table)) or 0 for table in tables}


@pytest.fixture
def staff(backend: Backend) -> dict[str, Actor]:
    return backend.staff


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server(backend: Backend) -> Iterator[str]:
    """The real app served by uvicorn on a localhost port, in a thread; yields its base URL."""
    yield from serve(backend)


def serve(backend: Backend, *, second_factor: bool = False) -> Iterator[str]:
    """The app on a free port of localhost. With `second_factor`, as a real registry runs: staff give a
    second factor, at an address a passkey can belong to (a host name, not an IP address)."""
    port = _free_port()
    context = backend.context
    if second_factor:
        changes = {"second_factor": True, "public_url": f"http://localhost:{port}"}
        context = build_context(backend.database, backend.settings.model_copy(update=changes), backend.clock)
    for base in serving(context, port):
        yield base.replace("127.0.0.1", "localhost") if second_factor else base


def serving(context: Context, port: int | None = None) -> Iterator[str]:
    """The app over `context` served by uvicorn on a port of localhost, in a thread; yields its base URL."""
    port = port or _free_port()
    config = uvicorn.Config(create_app(context), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def strict_server(backend: Backend) -> Iterator[str]:
    """A second server on the same registry that asks staff for their second factor."""
    yield from serve(backend, second_factor=True)


@pytest.fixture(scope="session")
def tokens(server: str, backend: Backend) -> dict[str, str]:
    return sign_in(server, backend.staff)


def sign_in(server: str, usernames: Iterable[str]) -> dict[str, str]:
    found = {}
    for username in usernames:
        response = httpx.post(f"{server}/api/auth/token", data={"username": username, "password": PASSWORD})
        response.raise_for_status()
        found[username] = response.json()["access_token"]
    return found


@pytest.fixture
def sabt(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """The `sabt` command line, in this process, on the test registry: `sabt("person", "show", code, …)`."""
    monkeypatch.setenv("SABT_DATABASE_URL", ctx.settings.resolved_database_url())
    monkeypatch.setenv("SABT_DATA_DIR", str(ctx.settings.data_dir))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


class Api:
    """An HTTP client that signs in as one of the staff per call: `api.post(path, as_="clerk", json=…)`."""

    def __init__(self, base_url: str, tokens: dict[str, str]) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)
        self.tokens = tokens

    def request(self, method: str, path: str, *, as_: str | None = None, **kwargs: object) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})  # type: ignore[call-overload]
        if as_ is not None:
            headers["Authorization"] = f"Bearer {self.tokens[as_]}"
        return self.client.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: object) -> httpx.Response:
        return self.request("PUT", path, **kwargs)


@pytest.fixture
def api(ctx: Context, server: str, tokens: dict[str, str]) -> Iterator[Api]:
    client = Api(server, tokens)
    yield client
    client.client.close()


SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "4321"


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SoftHSM2 token of its own; the library reads its configuration once per process."""
    if shutil.which("softhsm2-util") is None or not Path(SOFTHSM_MODULE).exists():
        if os.environ.get("SABT_TEST_REQUIRE_SOFTHSM"):
            pytest.fail("SoftHSM2 is required here (apt install softhsm2)")
        pytest.skip("SoftHSM2 is not installed")
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    config = folder / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(config)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", "sabt-test", "--pin", PIN, "--so-pin", "87654321"],
        check=True,
        capture_output=True,
    )
    return "sabt-test"
