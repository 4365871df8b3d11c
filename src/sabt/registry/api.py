from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from ..context import Context
from ..core.errors import RequestMissing
from ..core.national_code import national_code_problem, normalize_national_code
from ..core.workflow import EventKind, EventStatus
from ..db import LARGEST_ID
from ..http import CurrentActor, CurrentContext, RowId
from ..notifications import service as notifications
from . import service
from .schemas import (
    BirthDeclaration,
    CauseOfDeathOut,
    CorrectedPersonOut,
    DeathDeclaration,
    Declaration,
    DivorceDeclaration,
    EventOut,
    EventStepOut,
    MarriageDeclaration,
    NoteIn,
    PersonCorrection,
    PersonOut,
    PersonRevisionOut,
    PersonSummary,
    QueueCounts,
    ReasonIn,
)

# Why a record is looked at (a case number, a citizen's request), kept in the staff access log.
Purpose = Annotated[str, Query(max_length=200, description="Why the record is read, for the access log")]

router = APIRouter(tags=["registry"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=100,
        description="Any unique string; a retried request with the same key returns the first result",
    ),
]


def _declared(ctx: Context, response: Response, event: EventOut) -> EventOut:
    """A declaration's answer; a birth or death also answers the facility's notification of it, if any."""
    response.status_code = status.HTTP_200_OK if event.replayed else status.HTTP_201_CREATED
    notifications.answer(ctx, event=event)
    return event


@router.post("/events/births", response_model=EventOut, status_code=status.HTTP_201_CREATED)
def declare_birth(
    ctx: CurrentContext,
    actor: CurrentActor,
    response: Response,
    declaration: BirthDeclaration,
    idempotency_key: IdempotencyKey = None,
) -> EventOut:
    return _declared(
        ctx, response, service.declare(ctx, actor=actor, declaration=declaration, idempotency_key=idempotency_key)
    )


@router.post("/events/deaths", response_model=EventOut, status_code=status.HTTP_201_CREATED)
def declare_death(
    ctx: CurrentContext,
    actor: CurrentActor,
    response: Response,
    declaration: DeathDeclaration,
    idempotency_key: IdempotencyKey = None,
) -> EventOut:
    return _declared(
        ctx, response, service.declare(ctx, actor=actor, declaration=declaration, idempotency_key=idempotency_key)
    )


@router.post("/events/marriages", response_model=EventOut, status_code=status.HTTP_201_CREATED)
def declare_marriage(
    ctx: CurrentContext,
    actor: CurrentActor,
    response: Response,
    declaration: MarriageDeclaration,
    idempotency_key: IdempotencyKey = None,
) -> EventOut:
    return _declared(
        ctx, response, service.declare(ctx, actor=actor, declaration=declaration, idempotency_key=idempotency_key)
    )


@router.post("/events/divorces", response_model=EventOut, status_code=status.HTTP_201_CREATED)
def declare_divorce(
    ctx: CurrentContext,
    actor: CurrentActor,
    response: Response,
    declaration: DivorceDeclaration,
    idempotency_key: IdempotencyKey = None,
) -> EventOut:
    return _declared(
        ctx, response, service.declare(ctx, actor=actor, declaration=declaration, idempotency_key=idempotency_key)
    )


@router.get("/events", response_model=list[EventOut])
def list_events(
    ctx: CurrentContext,
    actor: CurrentActor,
    status: EventStatus | None = None,
    kind: EventKind | None = None,
    office: Annotated[str | None, Query(max_length=20)] = None,
    late_unapproved: Annotated[bool, Query(description="Only late declarations waiting for the office head")] = False,
    mine: Annotated[bool, Query(description="Only events the caller is working on")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=LARGEST_ID)] = 0,
) -> list[EventOut]:
    """The work queue of an office (the caller's own unless `office` names another), oldest first, a page
    of `limit` after `offset`; `/api/events/queues` counts each queue."""
    return service.list_events(
        ctx,
        actor=actor,
        status=status,
        kind=kind,
        office_code=office,
        late_unapproved=late_unapproved,
        mine=mine,
        limit=limit,
        offset=offset,
    )


@router.get("/events/queues", response_model=QueueCounts)
def queue_counts(ctx: CurrentContext, actor: CurrentActor) -> QueueCounts:
    """How many events wait in each of the caller's office's queues, and how many the caller holds."""
    return service.queue_counts(ctx, actor=actor)


@router.post("/events/{event_id}/assign", response_model=EventOut)
def assign_event(ctx: CurrentContext, actor: CurrentActor, event_id: RowId) -> EventOut:
    """Take a pending event as the caller's own work (the office head may take one from its holder)."""
    return service.assign_event(ctx, actor=actor, event_id=event_id)


@router.post("/events/{event_id}/release", response_model=EventOut)
def release_event(ctx: CurrentContext, actor: CurrentActor, event_id: RowId) -> EventOut:
    """Hand an event back to the office's queue (its holder, or the office head)."""
    return service.release_event(ctx, actor=actor, event_id=event_id)


@router.get("/events/{event_id}", response_model=EventOut)
def get_event(ctx: CurrentContext, actor: CurrentActor, event_id: RowId) -> EventOut:
    return service.get_event(ctx, actor=actor, event_id=event_id)


@router.get("/events/{event_id}/history", response_model=list[EventStepOut])
def event_history(ctx: CurrentContext, actor: CurrentActor, event_id: RowId) -> list[EventStepOut]:
    return service.event_history(ctx, actor=actor, event_id=event_id)


@router.get("/events/{event_id}/cause-of-death", response_model=CauseOfDeathOut)
def cause_of_death(ctx: CurrentContext, actor: CurrentActor, event_id: RowId) -> CauseOfDeathOut:
    """The cause a death declaration states (empty for another kind of event): for the office staff who take
    and register it. Other readers of the event see it without its cause."""
    return service.cause_of_death(ctx, actor=actor, event_id=event_id)


@router.put("/events/{event_id}/declaration", response_model=EventOut)
def resubmit(
    ctx: CurrentContext, actor: CurrentActor, event_id: RowId, body: Annotated[dict[str, Any], Body()]
) -> EventOut:
    """Re-submit a rejected declaration, corrected; the body has the same form as the original."""
    kind = EventKind(service.get_event(ctx, actor=actor, event_id=event_id).kind)
    try:
        declaration: Declaration = service.SCHEMA_OF[kind].model_validate(body)
    except ValidationError as error:
        raise RequestValidationError([{**item, "loc": ("body", *item["loc"])} for item in error.errors()]) from None
    return service.resubmit(ctx, actor=actor, event_id=event_id, declaration=declaration)


@router.post("/events/{event_id}/validate", response_model=EventOut)
def validate_event(ctx: CurrentContext, actor: CurrentActor, event_id: RowId) -> EventOut:
    return service.validate_event(ctx, actor=actor, event_id=event_id)


@router.post("/events/{event_id}/register", response_model=EventOut)
def register_event(ctx: CurrentContext, actor: CurrentActor, event_id: RowId) -> EventOut:
    return service.register_event(ctx, actor=actor, event_id=event_id)


@router.post("/events/{event_id}/reject", response_model=EventOut)
def reject_event(ctx: CurrentContext, actor: CurrentActor, event_id: RowId, body: ReasonIn) -> EventOut:
    return service.reject_event(ctx, actor=actor, event_id=event_id, reason=body.reason)


@router.post("/events/{event_id}/approve-late", response_model=EventOut)
def approve_late(ctx: CurrentContext, actor: CurrentActor, event_id: RowId, body: NoteIn | None = None) -> EventOut:
    return service.approve_late(ctx, actor=actor, event_id=event_id, note=body.note if body else "")


@router.get("/persons", response_model=list[PersonSummary])
def search_persons(
    ctx: CurrentContext,
    actor: CurrentActor,
    name: Annotated[str | None, Query(max_length=60)] = None,
    last_name: Annotated[str | None, Query(max_length=60)] = None,
    birth_year: Annotated[int | None, Query(ge=1200, le=2200, description="Jalali (e.g. 1370) or Gregorian")] = None,
    father_name: Annotated[str | None, Query(max_length=60)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    purpose: Purpose = "",
) -> list[PersonSummary]:
    """Find persons by normalized first name and/or surname, narrowed by Gregorian birth year and father's name.
    Every person in the results is a read in the staff access log."""
    if not (name or last_name):
        raise RequestMissing(field="name")
    return service.search_persons(
        ctx,
        actor=actor,
        name=name,
        last_name=last_name,
        birth_year=birth_year,
        father_name=father_name,
        limit=limit,
        purpose=purpose,
    )


@router.get("/persons/{national_code}", response_model=PersonOut)
def get_person(ctx: CurrentContext, actor: CurrentActor, national_code: str, purpose: Purpose = "") -> PersonOut:
    """A person's record; the read is in the staff access log, with its purpose when one is given."""
    return service.get_person(ctx, actor=actor, national_code=national_code, purpose=purpose)


@router.get("/persons/{national_code}/history", response_model=list[PersonRevisionOut])
def person_history(ctx: CurrentContext, actor: CurrentActor, national_code: str) -> list[PersonRevisionOut]:
    return service.person_history(ctx, actor=actor, national_code=national_code)


@router.post("/persons/{national_code}/corrections", response_model=CorrectedPersonOut)
def correct_person(
    ctx: CurrentContext, actor: CurrentActor, national_code: str, correction: PersonCorrection
) -> CorrectedPersonOut:
    """A new revision of the record; every current certificate whose facts changed is superseded by a new
    one under a new serial (listed in `reissued_certificates`)."""
    return service.correct_person(ctx, actor=actor, national_code=national_code, correction=correction)


@router.get("/national-codes/{code}/check")
def check_national_code(code: str) -> dict[str, Any]:
    """Whether a national code is well-formed (check digit and all); says nothing about who holds it."""
    normalized = normalize_national_code(code)
    problem = national_code_problem(normalized)
    return {"national_code": normalized, "valid": problem is None, "reason": problem}
