"""Card routes: the lifecycle for office staff and the card factory's administrators, reports for
administrators and auditors, and, for anyone, a serial's status and the signed revocation list."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from ..db import LARGEST_ID
from ..http import CurrentActor, CurrentContext, DayQuery, RowId
from . import reports, revocations, service
from .schemas import (
    ApplicationIn,
    BatchIn,
    BatchOut,
    CardOut,
    CardStatusOut,
    CoverageRow,
    EnrolmentIn,
    OfficeQueue,
    ProductionIn,
    ReportIn,
    RevocationIn,
    RevocationList,
)

router = APIRouter(tags=["cards"])


@router.post("/cards/applications", response_model=CardOut, status_code=status.HTTP_201_CREATED)
def apply(ctx: CurrentContext, actor: CurrentActor, application: ApplicationIn) -> CardOut:
    """A person applies at the office (from age 15; a holder of an active card names it in `replaces`)."""
    return service.apply_for_card(ctx, actor=actor, application=application)


@router.post("/cards/{card_id}/enrolment", response_model=CardOut)
def enrol(ctx: CurrentContext, actor: CurrentActor, card_id: RowId, enrolment: EnrolmentIn) -> CardOut:
    """Photo and fingerprints captured: the capture's reference and the template's SHA-256, never biometrics."""
    return service.enrol(ctx, actor=actor, card_id=card_id, enrolment=enrolment)


@router.post("/cards/batches", response_model=BatchOut, status_code=status.HTTP_201_CREATED)
def send_batch(ctx: CurrentContext, actor: CurrentActor, batch: BatchIn) -> BatchOut:
    """Send the office's enrolled applications (or those listed) to the card factory as one batch."""
    return service.send_batch(ctx, actor=actor, card_ids=batch.card_ids)


@router.post("/cards/batches/{batch_id}/production", response_model=BatchOut)
def record_production(ctx: CurrentContext, actor: CurrentActor, batch_id: RowId, production: ProductionIn) -> BatchOut:
    """The factory's manifest: every card of the batch with its chip's UID; serials are assigned here."""
    return service.record_production(ctx, actor=actor, batch_id=batch_id, production=production)


@router.post("/cards/{card_id}/hand-over", response_model=CardOut)
def hand_over(ctx: CurrentContext, actor: CurrentActor, card_id: RowId) -> CardOut:
    """The holder collected the card: it is active, and the card it replaces is revoked as replaced."""
    return service.hand_over(ctx, actor=actor, card_id=card_id)


@router.post("/cards/{card_id}/report", response_model=CardOut)
def report(ctx: CurrentContext, actor: CurrentActor, card_id: RowId, report: ReportIn) -> CardOut:
    """Lost, stolen or damaged, reported at any office: revoked at once and put on the revocation list."""
    return service.report_card(ctx, actor=actor, card_id=card_id, report=report)


@router.post("/cards/{card_id}/revoke", response_model=CardOut)
def revoke(ctx: CurrentContext, actor: CurrentActor, card_id: RowId, revocation: RevocationIn) -> CardOut:
    return service.revoke_card(ctx, actor=actor, card_id=card_id, revocation=revocation)


@router.get("/cards/coverage", response_model=list[CoverageRow])
def coverage(
    ctx: CurrentContext,
    actor: CurrentActor,
    province: Annotated[str | None, Query(max_length=2)] = None,
    as_of: DayQuery = None,
) -> list[CoverageRow]:
    """People with an active card ÷ people eligible (alive, 15 or older), per county and province."""
    return reports.coverage(ctx, actor=actor, province=province, as_of=as_of)


@router.get("/cards/queue", response_model=OfficeQueue)
def queue(
    ctx: CurrentContext, actor: CurrentActor, office: Annotated[str | None, Query(max_length=20)] = None
) -> OfficeQueue:
    """What waits at the office, with ages in days; national roles see every office unless they name one."""
    return reports.office_queue(ctx, actor=actor, office=office)


@router.get("/cards/status/{serial}", response_model=CardStatusOut)
def card_status(ctx: CurrentContext, serial: Annotated[str, Path(max_length=20)]) -> CardStatusOut:
    """Public: the status of a card serial and nothing else (active, expired, revoked with why, unknown)."""
    return service.status_of_serial(ctx, serial=serial)


@router.get("/cards/revocations", response_model=RevocationList)
def revocation_list(
    ctx: CurrentContext,
    after: Annotated[int, Query(ge=0, le=LARGEST_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=revocations.MOST_ENTRIES)] = revocations.MOST_ENTRIES,
) -> RevocationList:
    """Public: the signed list of revoked cards after number `after` (0 for all); keep `through` for next time."""
    return revocations.revocation_list(ctx, after=after, limit=limit)


@router.get("/me/cards", response_model=list[CardOut])
def my_cards(ctx: CurrentContext, actor: CurrentActor) -> list[CardOut]:
    """The signed-in citizen's cards."""
    return service.my_cards(ctx, actor=actor)


@router.post("/me/card/report", response_model=CardOut)
def report_my_card(ctx: CurrentContext, actor: CurrentActor, report: ReportIn) -> CardOut:
    """The signed-in citizen reports their active card lost, stolen or damaged: revoked at once."""
    return service.report_my_card(ctx, actor=actor, report=report)


@router.get("/cards/{card_id}", response_model=CardOut)
def get_card(ctx: CurrentContext, actor: CurrentActor, card_id: RowId) -> CardOut:
    return service.get_card(ctx, actor=actor, card_id=card_id)


@router.get("/persons/{national_code}/cards", response_model=list[CardOut])
def cards_of(
    ctx: CurrentContext, actor: CurrentActor, national_code: Annotated[str, Path(max_length=20)]
) -> list[CardOut]:
    """Every card a person applied for, oldest first."""
    return service.cards_of(ctx, actor=actor, national_code=national_code)
