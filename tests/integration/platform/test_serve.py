"""`sabt serve --workers`: several processes on one port, each with its own share of a partner's rate limit."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from sabt.api.operations import metrics_token
from sabt.verification import service as verification
from sabt.verification.models import IdentityCheck
from sabt.verification.schemas import PartnerIn

from ..conftest import _free_port
from ..registry.factories import adult


@pytest.mark.committed  # the server processes read what the test writes
def test_two_server_processes_answer_checks_and_share_a_partners_rate_limit(ctx, staff, tmp_path):
    code = adult(ctx, staff, "female", first_name="زهرا", year=1990)
    partner = {
        "code": "bank-serve",
        "name": "Bank",
        "kind": "bank",
        "contact": "-",
        "rate_per_minute": 3,
        "policy": {"checks": ["verify"], "alive_status": True, "purpose": "test"},
    }
    verification.create_partner(ctx, actor=None, partner=PartnerIn.model_validate(partner))
    key = verification.create_key(ctx, actor=None, partner_code="bank-serve").api_key
    port = _free_port()
    env = os.environ | {
        "SABT_DATABASE_URL": ctx.settings.resolved_database_url(),
        "SABT_DATA_DIR": str(tmp_path),
        "SABT_LEDGER_KEY_PATH": str(ctx.settings.ledger_key_file()),  # the key that signed the log's head
        "SABT_CHECKPOINT_SECONDS": "0",
        "SABT_WEBHOOK_SECONDS": "0",
    }
    env.pop("SABT_SERVER_PROCESSES", None)
    sabt = Path(sys.executable).with_name("sabt")
    server = subprocess.Popen(
        [str(sabt), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,  # the access log
        stderr=subprocess.PIPE,
    )
    try:
        base = _wait_for(f"http://127.0.0.1:{port}")
        assert len(_server_processes(server.pid)) == 2
        query = {"national_code": code, "first_name": "زهرا", "purpose": "account opening"}
        with httpx.Client(base_url=base, headers={"X-API-Key": key}) as one_connection:  # kept alive: one process
            answers = [one_connection.post("/api/identity/verify", json=query) for _ in range(3)]
        assert [answer.status_code for answer in answers] == [200, 200, 429]  # 3 a minute over 2 processes: 2
        assert [answer.json()["status"] for answer in answers[:2]] == ["match", "match"]
        assert answers[2].headers["Retry-After"]
        with ctx.db.snapshot() as session:
            assert list(session.scalars(select(IdentityCheck.result))) == ["match", "match"]
        # Each scrape on a connection of its own, so that both processes answer some: each adds up both.
        token = {"Authorization": f"Bearer {metrics_token(ctx.settings.model_copy(update={'data_dir': tmp_path}))}"}
        scrapes = [httpx.get(f"{base}/metrics", headers=token | {"X-Request-ID": f"scrape-{n}"}) for n in range(8)]
        matches = 'sabt_identity_checks_total{check="verify",partner="bank-serve",result="match"} 2.0'
        assert all(matches in scrape.text.splitlines() for scrape in scrapes)
    finally:
        server.terminate()
        access, errors = server.communicate(timeout=30)
    assert server.returncode == 0, errors.decode()
    lines = [json.loads(line) for line in (access + errors).decode().splitlines()]  # every line is one JSON object
    scraped = [line for line in lines if line["logger"] == "uvicorn.access" and line["path"] == "/metrics"]
    assert sorted(line["request_id"] for line in scraped) == sorted(f"scrape-{n}" for n in range(8))
    assert all(line["status"] == 200 for line in scraped)


def test_a_taken_port_is_a_clear_error(sabt):
    with socket_listening() as port:
        result = sabt("serve", "--port", str(port), "--workers", "2")
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


@contextmanager
def socket_listening() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def _wait_for(base: str) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return base
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def _server_processes(pid: int) -> list[str]:
    """The processes `pid` started to serve (multiprocessing also starts a helper of its own)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [child for child in children if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]
