"""Reads on standbys, commits on a synchronous one, and a caller that always sees its own writes."""

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager

import httpx
import psycopg
import pytest
from sqlalchemy import text

from sabt.db import open_database
from sabt.local_cluster import LocalCluster, Node
from sabt.verification import service as verification
from sabt.verification.schemas import PartnerIn

from ..registry.factories import adult, birth
from .conftest import sabt_server, staff_token


@contextmanager
def replay_paused(cluster: LocalCluster) -> Iterator[None]:
    """Standbys that receive the primary's log but apply none of it from now on: a replica lagging as far as
    it can. What was written before (the previous test's rows, emptied as it ended) is replayed first, or a
    standby would still show it. Patroni is in maintenance mode meanwhile, or it would resume the replay."""
    with cluster.maintenance():
        yield from _paused_replay(cluster)


def _paused_replay(cluster: LocalCluster) -> Iterator[None]:
    leader = cluster.wait_until_healthy()
    standbys = cluster.standbys()
    with closing(psycopg.connect(cluster.node_url(leader), autocommit=True)) as connection:
        written = connection.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    for node in standbys:
        _wait_for_replay(cluster, node, written)
    for node in standbys:
        with closing(psycopg.connect(cluster.node_url(node), autocommit=True)) as connection:
            connection.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        for node in standbys:
            with closing(psycopg.connect(cluster.node_url(node), autocommit=True)) as connection:
                connection.execute("SELECT pg_wal_replay_resume()")


def _wait_for_replay(cluster: LocalCluster, node: Node, position: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    with closing(psycopg.connect(cluster.node_url(node), autocommit=True)) as connection:
        while time.monotonic() < deadline:
            replayed = connection.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (position,)).fetchone()
            if replayed[0]:
                return
            time.sleep(0.1)
    raise AssertionError(f"{node.name} did not replay {position} in {seconds:.0f} s")


def test_commits_wait_for_a_synchronous_standby(cluster):
    leader = cluster.leader()
    assert leader is not None
    with closing(psycopg.connect(cluster.node_url(leader), autocommit=True)) as connection:
        named = connection.execute("SHOW synchronous_standby_names").fetchone()[0]
        states = dict(connection.execute("SELECT application_name, sync_state FROM pg_stat_replication").fetchall())
    sync = cluster.sync_standby()
    assert sync is not None
    assert sync.name in named
    assert states[sync.name] == "sync"
    assert len(states) == 2


def test_reads_go_to_a_standby_and_writes_to_the_primary(cluster, backend):
    cluster.wait_until_healthy()
    database = open_database(backend.settings.database_url, read_url=backend.settings.read_database_url)
    try:
        with database.snapshot() as session:
            assert session.execute(text("SELECT pg_is_in_recovery()")).scalar() is True
        with database.transaction() as session:
            assert session.execute(text("SELECT pg_is_in_recovery()")).scalar() is False
    finally:
        database.dispose()


@pytest.mark.committed
def test_a_clerk_sees_the_birth_just_declared_while_the_standbys_lag(ctx, cluster, backend):
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date().isoformat()
    with sabt_server(backend) as base:
        token = {"Authorization": f"Bearer {staff_token(base, 'clerk')}"}
        with replay_paused(cluster), httpx.Client(base_url=base, headers=token) as clerk:
            declared = clerk.post("/api/events/births", json=birth(birth_date=yesterday))
            assert declared.status_code == 201, declared.text
            address = f"/api/events/{declared.json()['id']}"
            assert declared.headers["Sabt-Read-After"]
            # The standbys have not applied it yet: a read there does not find it.
            for node in cluster.standbys():
                with closing(psycopg.connect(cluster.node_url(node), autocommit=True)) as standby:
                    found = standby.execute("SELECT count(*) FROM events WHERE id = %s", (declared.json()["id"],))
                    assert found.fetchone()[0] == 0
            # The clerk's own next page carries the position back and reads where the declaration is.
            seen = clerk.get(address)
            assert seen.status_code == 200
            assert seen.json()["id"] == declared.json()["id"]
            read_after = {"Sabt-Read-After": declared.headers["Sabt-Read-After"]}
            assert clerk.get(address, headers=read_after).status_code == 200


@pytest.mark.committed
def test_a_partner_key_revoked_counts_at_once_while_the_standbys_lag(ctx, staff, cluster, backend):
    code = adult(ctx, staff, "female", first_name="زهرا", year=1990)
    partner = {
        "code": "bank-replica",
        "name": "Bank",
        "kind": "bank",
        "contact": "-",
        "rate_per_minute": 100,
        "policy": {"checks": ["verify"], "alive_status": True, "purpose": "test"},
    }
    verification.create_partner(ctx, actor=None, partner=PartnerIn.model_validate(partner))
    issued = verification.create_key(ctx, actor=None, partner_code="bank-replica")
    query = {"national_code": code, "first_name": "زهرا", "purpose": "account opening"}
    with sabt_server(backend) as base:
        headers = {"X-API-Key": issued.api_key}
        assert httpx.post(f"{base}/api/identity/verify", json=query, headers=headers).json()["status"] == "match"
        with replay_paused(cluster):
            verification.revoke_key(ctx, actor=None, prefix=issued.prefix)
            refused = httpx.post(f"{base}/api/identity/verify", json=query, headers=headers)
    assert refused.status_code == 401
