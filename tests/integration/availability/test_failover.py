"""The failover drill: the primary's PostgreSQL is killed under a load of registrations and identity checks,
Patroni promotes the synchronous standby, and Sabt carries on by itself, losing nothing it acknowledged."""

import pytest
from bench.failover import run_drill
from sqlalchemy import func, select

from sabt.ledger import service as ledger
from sabt.ledger.audit import audit
from sabt.registry.persons.models import Person
from sabt.verification import service as verification
from sabt.verification.schemas import PartnerIn

from ..registry.factories import adult
from .conftest import sabt_server, staff_token

# Patroni notices a dead postmaster within a loop (1 s) and promotes at once: writes are expected back within
# seconds (the drill prints the seconds it saw). The bound is generous for a shared machine.
WRITE_OUTAGE_BOUND_SECONDS = 30.0


@pytest.mark.committed
def test_killing_the_primary_loses_no_acknowledged_registration(ctx, staff, cluster, backend):
    cluster.wait_until_healthy()
    code = adult(ctx, staff, "female", first_name="زهرا", year=1990)
    partner = {
        "code": "bank-failover",
        "name": "Bank",
        "kind": "bank",
        "contact": "-",
        "rate_per_minute": 100_000,
        "policy": {"checks": ["verify"], "alive_status": True, "purpose": "test"},
    }
    verification.create_partner(ctx, actor=None, partner=PartnerIn.model_validate(partner))
    key = verification.create_key(ctx, actor=None, partner_code="bank-failover").api_key
    assert key is not None
    ledger.sign_checkpoint(ctx)
    query = {"national_code": code, "first_name": "زهرا", "purpose": "account opening"}
    old_primary = cluster.leader()
    with sabt_server(backend) as base:
        tokens = {name: staff_token(base, name) for name in ("clerk", "registrar")}
        drill = run_drill(cluster, base, tokens, (key, query), bound=WRITE_OUTAGE_BOUND_SECONDS)
    new_primary = cluster.wait_until_healthy()

    assert drill.failures == []  # the server answered every request
    assert drill.outage_seconds is not None, "no registration was acknowledged after the primary was killed"
    print(f"writes resumed {drill.outage_seconds:.1f} s after the primary was killed")
    assert new_primary is not old_primary
    assert {status for _, status in drill.registrations} <= {200, 201, 503}
    assert {status for _, status in drill.checks} <= {200, 503}
    assert 503 in {status for _, status in drill.registrations + drill.checks}  # the switch was seen
    assert any(at < drill.killed_at for at, status in drill.registrations if status == 200)
    assert any(at > drill.resumed_at for at, status in drill.checks if status == 200)

    acknowledged = set(drill.acknowledged)
    assert len(acknowledged) == len(drill.acknowledged)  # no national code given twice
    with ctx.db.transaction() as session:  # on the new primary
        stored = set(session.scalars(select(Person.national_code).where(Person.national_code.in_(acknowledged))))
        everyone = session.scalar(select(func.count()).select_from(Person))
        distinct = session.scalar(select(func.count(func.distinct(Person.national_code))))
    assert stored == acknowledged
    assert everyone == distinct
    report = audit(ctx)
    assert report.findings == []
    assert report.checkpoint_size > 0
