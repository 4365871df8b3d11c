"""Routes for partner agencies (API key), national administrators (partners and keys), office staff
(citizen enrolment) and citizens (their lock and who checked them)."""

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Request, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader

from ..accounts.schemas import UserOut
from ..batched_writes import BatchedWriter
from ..db import LoopReads
from ..http import CurrentActor, CurrentContext
from . import service, webhooks
from .ratelimit import RateLimiter
from .schemas import (
    CheckOut,
    CitizenIn,
    DeliveryOut,
    EkycAnswer,
    EkycQuery,
    IdentityAnswer,
    IdentityQuery,
    KeyOut,
    LockOut,
    PartnerIn,
    PartnerOut,
    SubscriptionIn,
    SubscriptionOut,
)

# The server relays the outbox to partners' webhooks on a schedule (api/app.py): the job.
from .webhooks import relay as relay

router = APIRouter(tags=["verification"])
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="A partner's key: sabt_<prefix>_<secret>")


ApiKey = Annotated[str | None, Security(api_key_header)]


def _rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


def _loop_reads(request: Request) -> LoopReads:
    reads: LoopReads = request.app.state.loop_reads
    return reads


def _access_log(request: Request) -> BatchedWriter:
    log: BatchedWriter = request.app.state.access_log
    return log


# The partner checks are the high-volume routes. The yes/no check reads on the event loop (see `LoopReads`)
# and each check is answered once its access-log entry is committed, awaited on the loop rather than in a
# thread; eKYC, which reads a whole record and signs, runs in a worker thread.


@router.post("/identity/verify", response_model=IdentityAnswer)
async def verify_identity(
    ctx: CurrentContext, request: Request, api_key: ApiKey, query: IdentityQuery
) -> IdentityAnswer:
    """Yes/no: does the registry hold this national code with these details? Per field and overall."""
    limiter, reads = _rate_limiter(request), _loop_reads(request)
    answer, entry = await reads.run(
        lambda connection: service.verify_identity(ctx, connection, api_key=api_key, query=query, limiter=limiter)
    )
    await _access_log(request).written(entry)
    return answer


@router.post("/identity/ekyc", response_model=EkycAnswer)
async def ekyc(ctx: CurrentContext, request: Request, api_key: ApiKey, query: EkycQuery) -> EkycAnswer:
    """The attributes the partner's policy lists, with the citizen's consent, in a signed statement."""
    answer, entry = await run_in_threadpool(
        partial(service.ekyc, ctx, api_key=api_key, query=query, limiter=_rate_limiter(request))
    )
    await _access_log(request).written(entry)
    return answer


@router.post("/partners", response_model=PartnerOut, status_code=status.HTTP_201_CREATED)
def create_partner(ctx: CurrentContext, actor: CurrentActor, partner: PartnerIn) -> PartnerOut:
    return service.create_partner(ctx, actor=actor, partner=partner)


@router.get("/partners", response_model=list[PartnerOut])
def list_partners(ctx: CurrentContext, actor: CurrentActor) -> list[PartnerOut]:
    return service.list_partners(ctx, actor=actor)


@router.post("/partners/{code}/keys", response_model=KeyOut, status_code=status.HTTP_201_CREATED)
def create_key(ctx: CurrentContext, actor: CurrentActor, code: str) -> KeyOut:
    """A new API key; the whole key is in this response only."""
    return service.create_key(ctx, actor=actor, partner_code=code)


@router.post("/partner-keys/{prefix}/revoke", response_model=KeyOut)
def revoke_key(ctx: CurrentContext, actor: CurrentActor, prefix: str) -> KeyOut:
    return service.revoke_key(ctx, actor=actor, prefix=prefix)


@router.post("/partners/{code}/subscriptions", response_model=SubscriptionOut, status_code=status.HTTP_201_CREATED)
def subscribe(ctx: CurrentContext, actor: CurrentActor, code: str, subscription: SubscriptionIn) -> SubscriptionOut:
    """A webhook for the registrations the partner's policy lets it be told of."""
    return webhooks.subscribe(ctx, actor=actor, partner_code=code, subscription=subscription)


@router.get("/webhooks/deliveries", response_model=list[DeliveryOut])
def deliveries(
    ctx: CurrentContext, actor: CurrentActor, status: Literal["pending", "delivered", "failed"] | None = None
) -> list[DeliveryOut]:
    """Webhook deliveries, newest first: pending ones wait for a retry, failed ones gave up."""
    return webhooks.list_deliveries(ctx, actor=actor, status=status)


@router.post("/citizens", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def enrol_citizen(ctx: CurrentContext, actor: CurrentActor, citizen: CitizenIn) -> UserOut:
    """Open a citizen's account (registrar or office head, after checking identity in person)."""
    return service.enrol_citizen(ctx, actor=actor, citizen=citizen)


@router.get("/me/checks", response_model=list[CheckOut])
def my_checks(ctx: CurrentContext, actor: CurrentActor) -> list[CheckOut]:
    """Which agencies checked the signed-in citizen's identity, when, why, and with what result."""
    return service.checks_about_me(ctx, actor=actor)


@router.post("/me/lock", response_model=LockOut)
def lock(ctx: CurrentContext, actor: CurrentActor) -> LockOut:
    """Lock the citizen's code: every partner check answers "locked" until it is unlocked."""
    return service.set_lock(ctx, actor=actor, locked=True)


@router.post("/me/unlock", response_model=LockOut)
def unlock(ctx: CurrentContext, actor: CurrentActor) -> LockOut:
    return service.set_lock(ctx, actor=actor, locked=False)
