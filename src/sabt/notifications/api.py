"""Routes for health facilities (API key): a notification in the JSON form or as a FHIR R4 Bundle; and for
office staff: the notifications waiting at their office."""

import json
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader

from ..context import Context
from ..core.errors import RequestNotJson, SabtError
from ..db import LARGEST_ID
from ..http import CurrentActor, CurrentContext, RowId, retry_after
from . import fhir, service
from .schemas import (
    BirthNotificationIn,
    DeathNotificationIn,
    DismissalIn,
    NotificationIn,
    NotificationOut,
    NotificationReceipt,
    WaitingOut,
)

router = APIRouter(tags=["notifications"])
api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="A facility's key: sabt_<prefix>_<secret>"
)
ApiKey = Annotated[str | None, Security(api_key_header)]


def _notify(ctx: Context, request: Request, api_key: str | None, notification: NotificationIn) -> NotificationReceipt:
    caller = service.facility_for_key(ctx, api_key, limiter=request.app.state.rate_limiter)
    notified = service.notify(ctx, caller=caller, notification=notification)
    return NotificationReceipt.model_validate(notified, from_attributes=True)


@router.post("/notifications/births", response_model=NotificationReceipt, status_code=status.HTTP_201_CREATED)
def notify_birth(
    ctx: CurrentContext, request: Request, response: Response, api_key: ApiKey, notification: BirthNotificationIn
) -> NotificationReceipt:
    """A health facility notifies a birth that happened with it; the same `reference` again is one
    notification (200 with `replayed`)."""
    notified = _notify(ctx, request, api_key, notification)
    if notified.replayed:
        response.status_code = status.HTTP_200_OK
    return notified


@router.post("/notifications/deaths", response_model=NotificationReceipt, status_code=status.HTTP_201_CREATED)
def notify_death(
    ctx: CurrentContext, request: Request, response: Response, api_key: ApiKey, notification: DeathNotificationIn
) -> NotificationReceipt:
    """A health facility notifies a death, with the physician's certificate of its cause coded in ICD-10."""
    notified = _notify(ctx, request, api_key, notification)
    if notified.replayed:
        response.status_code = status.HTTP_200_OK
    return notified


@router.post(
    "/fhir/Bundle",
    status_code=status.HTTP_201_CREATED,
    responses={
        201: {"description": "Received: an informational OperationOutcome", "content": {fhir.MEDIA_TYPE: {}}},
        200: {"description": "The same notification was received before", "content": {fhir.MEDIA_TYPE: {}}},
    },
    openapi_extra={
        # Refusals are OperationOutcomes naming the element (api/openapi.py lists them so).
        "x-sabt-refuses-also-as": fhir.MEDIA_TYPE,
        "requestBody": {
            "required": True,
            "content": {
                fhir.MEDIA_TYPE: {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
            },
        },
    },
)
async def notify_fhir(ctx: CurrentContext, request: Request, api_key: ApiKey) -> Response:
    """A birth or death notification as a FHIR R4 Bundle (docs/integration.md): answered with an
    OperationOutcome, on refusal too."""
    try:
        body: Any = json.loads(await request.body())
    except (ValueError, RecursionError):
        return _fhir_answer(fhir.outcome(fhir.FhirRefusal(RequestNotJson(), "Bundle")), RequestNotJson.status)
    return await run_in_threadpool(_notify_fhir, ctx, request, api_key, body)


def _notify_fhir(ctx: Context, request: Request, api_key: str | None, body: Any) -> Response:
    read = fhir.Read()
    try:
        caller = service.facility_for_key(ctx, api_key, limiter=request.app.state.rate_limiter)
        service.require_notifier(caller)
        notification, read = fhir.notification_from(body, ZoneInfo(ctx.settings.timezone))
        notified = service.notify(ctx, caller=caller, notification=notification)
    except fhir.FhirRefusal as refusal:
        return _fhir_answer(fhir.outcome(refusal), refusal.error.status, refusal.error)
    except SabtError as error:
        return _fhir_answer(fhir.outcome(fhir.refusal_at(error, read)), error.status, error)
    answer = fhir.accepted(notified.id, replayed=notified.replayed)
    code = status.HTTP_200_OK if notified.replayed else status.HTTP_201_CREATED
    response = _fhir_answer(answer, code)
    response.headers["Location"] = f"/api/notifications/{notified.id}"
    return response


def _fhir_answer(content: dict[str, Any], code: int, error: SabtError | None = None) -> Response:
    headers = retry_after(error) if error is not None else {}
    return JSONResponse(content, status_code=code, media_type=fhir.MEDIA_TYPE, headers=headers)


@router.get("/notifications", response_model=WaitingOut)
def waiting_notifications(
    ctx: CurrentContext,
    actor: CurrentActor,
    office: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=service.PAGE)] = service.PAGE,
    offset: Annotated[int, Query(ge=0, le=LARGEST_ID)] = 0,
) -> WaitingOut:
    """The notifications waiting at an office (the caller's own unless `office` names another) for a
    declaration of their event, oldest first, a page at a time."""
    return service.waiting(ctx, actor=actor, office_code=office, limit=limit, offset=offset)


@router.get("/notifications/{notification_id}", response_model=NotificationOut)
def get_notification(ctx: CurrentContext, actor: CurrentActor, notification_id: RowId) -> NotificationOut:
    return service.get_notification(ctx, actor=actor, notification_id=notification_id)


@router.post("/notifications/{notification_id}/dismiss", response_model=NotificationOut)
def dismiss_notification(
    ctx: CurrentContext, actor: CurrentActor, notification_id: RowId, dismissal: DismissalIn
) -> NotificationOut:
    """A registrar closes a waiting notification no declaration will answer, with the reason."""
    return service.dismiss(ctx, actor=actor, notification_id=notification_id, dismissal=dismissal)
