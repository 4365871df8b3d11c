"""The batched writer behind the access log, awaited from an event loop as the partner checks await it."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from sabt.batched_writes import BatchedWriter
from sabt.verification import service as verification
from sabt.verification.models import IdentityCheck, Partner
from sabt.verification.schemas import PartnerIn


@pytest.mark.committed  # the writer is a thread of its own
def test_awaiting_requests_go_on_once_their_row_is_committed_and_a_bad_row_fails_only_its_own(ctx):
    partner = {
        "code": "bank",
        "name": "Bank",
        "kind": "bank",
        "contact": "-",
        "rate_per_minute": 60,
        "policy": {"checks": ["verify"], "purpose": "test"},
    }
    verification.create_partner(ctx, actor=None, partner=PartnerIn.model_validate(partner))
    with ctx.db.snapshot() as session:
        partner_id = session.scalar(select(Partner.id))

    def entry(partner: int) -> dict[str, object]:
        return {
            "partner_id": partner,
            "key_prefix": "ab12cd34",
            "national_code": "0010000512",
            "check": "verify",
            "purpose": "test",
            "consent_reference": None,
            "result": "match",
            "checked_at": ctx.now(),
        }

    writer = BatchedWriter(ctx, IdentityCheck, linger=0.2)  # long enough for both to share a batch

    async def ask() -> list[BaseException | None]:
        await writer.written(entry(partner_id))
        assert logged() == 1  # committed before it returned
        return await asyncio.gather(
            writer.written(entry(partner_id)), writer.written(entry(partner_id + 1000)), return_exceptions=True
        )

    def logged() -> int:
        with ctx.db.snapshot() as session:
            return session.scalar(select(func.count()).select_from(IdentityCheck)) or 0

    with ThreadPoolExecutor(1) as own_loop:  # the browser tests keep an event loop running in this thread
        outcomes = own_loop.submit(asyncio.run, ask()).result(timeout=60)
    # The unknown partner's row failed the batch; written again one by one, the good row went in and only the
    # bad one's request failed.
    assert outcomes[0] is None and type(outcomes[1]) is IntegrityError
    assert logged() == 2
