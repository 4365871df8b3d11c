"""The availability tests run on a replicated cluster of their own: three PostgreSQL 15 nodes managed by
Patroni with etcd, archiving to pgBackRest (`sabt.local_cluster`), started in the tests' own folder and
stopped at the end. Without Debian's patroni, etcd-server and pgbackrest they are skipped, unless
SABT_TEST_REQUIRE_CLUSTER=1 (as in CI), where they fail.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from sabt.bootstrap import build_context
from sabt.clock import FixedClock
from sabt.config import Settings
from sabt.db import open_database
from sabt.local_cluster import LocalCluster, running_cluster
from sabt.migrations import upgrade

from ..conftest import PASSWORD, TEST_NOW, Backend, _add_staff, _empty_registry_tables, _free_port

NEEDED = ("patroni", "etcd", "pgbackrest")


@pytest.fixture(scope="session")
def cluster() -> Iterator[LocalCluster]:
    missing = [program for program in NEEDED if shutil.which(program) is None]
    if missing:
        if os.environ.get("SABT_TEST_REQUIRE_CLUSTER") == "1":
            pytest.fail(f"the replicated cluster is required but {', '.join(missing)} is not installed")
        pytest.skip(f"{', '.join(missing)} not installed (Debian: patroni etcd-server pgbackrest)")
    folder = Path(tempfile.mkdtemp(prefix="sabt-cluster-"))
    try:
        with running_cluster(folder / "cluster") as started:
            yield started
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def backend(cluster: LocalCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """The registry on the cluster, writing through the primary and reading from the standbys."""
    settings = Settings(
        database_url=cluster.url(),
        read_database_url=cluster.url(standby=True),
        data_dir=tmp_path_factory.mktemp("data"),
        checkpoint_seconds=0,
        webhook_seconds=0,
        stats_cache_seconds=0,
        second_factor=False,
    )
    database = open_database(settings.database_url, read_url=settings.read_database_url)
    clock = FixedClock(TEST_NOW)
    ctx = build_context(database, settings, clock)
    upgrade(ctx)
    staff = _add_staff(ctx)
    _empty_registry_tables(database)
    yield Backend(settings, database, clock, staff)
    database.dispose()


@contextmanager
def sabt_server(backend: Backend, *, workers: int = 1) -> Iterator[str]:
    """`sabt serve` in a process of its own on the cluster, on the real clock; yields its base URL."""
    port = _free_port()
    settings = backend.settings
    env = os.environ | {
        "SABT_DATABASE_URL": settings.database_url,
        "SABT_READ_DATABASE_URL": settings.read_database_url,
        "SABT_DATA_DIR": str(settings.data_dir),
        "SABT_CHECKPOINT_SECONDS": "0",
        "SABT_WEBHOOK_SECONDS": "0",
        "SABT_SECOND_FACTOR": "false",
    }
    env.pop("SABT_SERVER_PROCESSES", None)
    sabt = Path(sys.executable).with_name("sabt")
    log = settings.data_dir / f"server-{port}.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(sabt), "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, server, log)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")


def staff_token(base: str, username: str) -> str:
    answer = httpx.post(f"{base}/api/auth/token", data={"username": username, "password": PASSWORD})
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token
