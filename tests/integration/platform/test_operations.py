"""What an operator's tools read off a server, over real HTTP on both databases: `/metrics` behind its token,
counting requests by route template, checks by partner, registrations by office and the registry's state;
`/health/live` and `/health/ready` with the reasons a server is not ready; and every answer's request id."""

import dataclasses
import json
import logging
import re
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from sabt.api.operations import metrics_token
from sabt.bootstrap import build_context
from sabt.db import open_database
from sabt.keys import MemoryKeyStore
from sabt.ledger import service as ledger
from sabt.logs import REQUEST_ID, JsonLines

from ..conftest import serving
from ..registry.factories import adult
from ..verification.test_identity_checks import BANK_POLICY, ask, partner
from .test_api import assert_problem


def scrape(server: str, token: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of `/metrics`, by name and labels."""
    answer = httpx.get(f"{server}/metrics", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def sample(samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_the_metrics_need_their_token(server, backend):
    for headers in ({}, {"Authorization": "Bearer not-the-token"}, {"Authorization": "Basic abc"}):
        refused = httpx.get(f"{server}/metrics", headers=headers)
        assert_problem(refused, 401, "metrics.token")
    assert scrape(server, metrics_token(backend.settings))


def test_the_metrics_count_what_happens_and_never_name_a_person(server, backend, ctx, staff, api):
    token = metrics_token(backend.settings)
    key = partner(api, "bank-metrics", BANK_POLICY)
    before = scrape(server, token)
    code = adult(ctx, staff, "female", first_name="زهرا", year=1990)
    assert api.get(f"/api/persons/{code}", as_="clerk").status_code == 200
    assert api.get(f"/api/persons/{code}9", as_="clerk").status_code in (404, 422)
    for first_name in ("زهرا", "مریم"):
        answer = ask(api, key, {"national_code": code, "first_name": first_name, "purpose": "account opening"})
        assert answer.status_code == 200
    text = httpx.get(f"{server}/metrics", headers={"Authorization": f"Bearer {token}"}).text
    after = scrape(server, token)

    assert code not in text and "زهرا" not in text
    route = {"method": "GET", "route": "/api/persons/{national_code}"}
    assert sample(after, "sabt_http_requests_total", **route, status="200") == (
        sample(before, "sabt_http_requests_total", **route, status="200") + 1
    )
    assert sample(after, "sabt_http_request_duration_seconds_count", **route) == (
        sample(before, "sabt_http_request_duration_seconds_count", **route) + 2
    )
    for result in ("match", "no_match"):
        labels = {"partner": "bank-metrics", "check": "verify", "result": result}
        counted = sample(after, "sabt_identity_checks_total", **labels)
        assert counted == sample(before, "sabt_identity_checks_total", **labels) + 1
    births = {"office": "THR", "kind": "birth.registered"}
    assert (
        sample(after, "sabt_registrations_total", **births) == sample(before, "sabt_registrations_total", **births) + 1
    )
    with ctx.db.snapshot() as session:
        size = ledger.head_size(session)
    assert sample(after, "sabt_database_up") == 1
    assert sample(after, "sabt_ledger_leaves") == size
    assert after[("sabt_ledger_checkpoint_leaves", frozenset())] == 0  # none signed yet, and an alert can see it
    assert sample(after, "sabt_outbox_backlog") >= 1  # the birth's notice, until the relay takes it
    assert sample(after, "sabt_database_connections_open", pool="writer") >= 1


def test_a_checkpoint_and_its_age_are_watched(server, backend, ctx, staff):
    adult(ctx, staff, "male", first_name="رضا", year=1985)
    signed = ledger.sign_checkpoint(ctx)
    assert signed is not None
    backend.clock.advance(seconds=90)
    samples = scrape(server, metrics_token(backend.settings))
    assert sample(samples, "sabt_ledger_checkpoint_leaves") == signed.size
    assert sample(samples, "sabt_ledger_checkpoint_age_seconds") == pytest.approx(90, abs=1)


def test_every_answer_carries_a_request_id_a_plain_one_of_the_callers_kept(server):
    made = httpx.get(f"{server}/health/live")
    assert re.fullmatch(r"[0-9a-f]{16}", made.headers["X-Request-ID"])
    assert httpx.get(f"{server}/health/live").headers["X-Request-ID"] != made.headers["X-Request-ID"]
    kept = httpx.get(f"{server}/health/live", headers={"X-Request-ID": "proxy-7f3a.01"})
    assert kept.headers["X-Request-ID"] == "proxy-7f3a.01"
    for forged in ("two words", "x" * 65, "0012345678 level=error", "رضا".encode()):
        replaced = httpx.get(f"{server}/health/live", headers={"X-Request-ID": forged})
        assert re.fullmatch(r"[0-9a-f]{16}", replaced.headers["X-Request-ID"])
    refused = httpx.get(f"{server}/metrics", headers={"X-Request-ID": "refused-1"})
    assert refused.status_code == 401
    assert refused.headers["X-Request-ID"] == "refused-1"


def test_a_live_and_ready_server_says_so(server):
    assert httpx.get(f"{server}/health/live").json() == {"status": "live"}
    ready = httpx.get(f"{server}/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


@pytest.mark.committed
def test_a_server_that_lost_its_ledger_key_is_not_ready(ctx, staff):
    adult(ctx, staff, "female", first_name="سارا", year=1992)  # the ledger has leaves signed with its key
    keyless = dataclasses.replace(ctx, keys=MemoryKeyStore())
    for base in serving(keyless):
        answer = httpx.get(f"{base}/health/ready")
        assert answer.status_code == 503
        assert answer.json() == {"status": "not ready", "problems": ["ledger key: missing from the key store"]}
        assert httpx.get(f"{base}/health/live").status_code == 200


def test_a_server_on_a_read_only_database_is_not_ready(backend):
    if backend.database.is_sqlite:
        pytest.skip("a read-only session is a PostgreSQL setting; a SQLite file is read-only by its permissions")
    read_only = open_database(f"{backend.settings.database_url}?options=-c%20default_transaction_read_only%3Don")
    try:
        for base in serving(build_context(read_only, backend.settings, backend.clock)):
            answer = httpx.get(f"{base}/health/ready")
            assert answer.status_code == 503
            assert answer.json()["problems"] == ["database: read-only"]
    finally:
        read_only.dispose()


def test_a_server_whose_database_is_gone_is_not_ready_and_its_metrics_say_so(backend, tmp_path):
    gone = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=1"
    database = open_database(gone)
    try:
        for base in serving(build_context(database, backend.settings, backend.clock)):
            answer = httpx.get(f"{base}/health/ready")
            assert answer.status_code == 503
            assert answer.json()["problems"] == ["database: unreachable", "ledger key: unreachable"]
            samples = scrape(base, metrics_token(backend.settings))
            assert sample(samples, "sabt_database_up") == 0
            assert ("sabt_ledger_leaves", frozenset()) not in samples
    finally:
        database.dispose()


def test_a_log_line_is_one_json_object_with_its_request_id():
    formatter = JsonLines()
    access = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/x", "1.1", 200),
        None,
    )
    token = REQUEST_ID.set("abc123")
    try:
        line = json.loads(formatter.format(access))
    finally:
        REQUEST_ID.reset(token)
    assert line["request_id"] == "abc123"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/x", 200)
    try:
        raise ValueError("boom")
    except ValueError:
        failed = logging.LogRecord("sabt.api", logging.ERROR, __file__, 1, "failed on %s", ("/y",), sys.exc_info())
    line = json.loads(formatter.format(failed))
    assert line["message"] == "failed on /y"
    assert line["request_id"] == "-"
    assert "ValueError: boom" in line["error"]


ALERT_RULES = Path(__file__).parents[3] / "deploy" / "prometheus" / "sabt-alerts.yml"
# Families only a PostgreSQL primary reports (SQLite has no standbys).
REPLICATION_FAMILIES = {"sabt_standbys_streaming", "sabt_standby_replay_lag_seconds", "sabt_standby_replay_lag_bytes"}
# Reported once a witness has cosigned; these tests run no witness.
COSIGNATURE_AGE = "sabt_ledger_cosignature_age_seconds"


def test_every_metric_the_example_alerts_name_is_exposed(server, backend, ctx, staff):
    adult(ctx, staff, "male", first_name="رضا", year=1985)
    assert ledger.sign_checkpoint(ctx) is not None
    assert httpx.get(f"{server}/health/live").status_code == 200  # counted: the request families have samples
    rules = yaml.safe_load(ALERT_RULES.read_text(encoding="utf-8"))["groups"][0]["rules"]
    named = {name for rule in rules for name in re.findall(r"\bsabt_[a-z_]+", rule["expr"])}
    answer = httpx.get(f"{server}/metrics", headers={"Authorization": f"Bearer {metrics_token(backend.settings)}"})
    exposed = {sample.name for family in text_string_to_metric_families(answer.text) for sample in family.samples}
    exposed |= {family.name for family in text_string_to_metric_families(answer.text)}
    exposed.add(COSIGNATURE_AGE)
    if backend.database.is_sqlite:
        exposed |= REPLICATION_FAMILIES
    assert "sabt_database_up" in named
    assert named - exposed == set()
