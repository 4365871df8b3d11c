"""Declaring a birth, death, marriage or divorce in the browser: the form, a confirmation screen that has
already run every check the registry will run, and the submission.

A refusal comes back on the same form, next to the field it names, with everything typed kept. Each form
carries an idempotency key, so a confirmation sent twice (a double click, a reload) declares once.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ..context import Context
from ..core.errors import RequestInvalid, SabtError
from ..core.text import is_ascii_number, to_persian_digits
from ..db import LARGEST_ID
from ..geo import service as geo
from ..http import CurrentContext, RowId
from ..notifications import service as notifications
from ..notifications.schemas import NotificationOut
from ..registry import service as registry
from ..registry.schemas import (
    BirthDeclaration,
    DeathDeclaration,
    Declaration,
    DivorceDeclaration,
    EventOut,
    MarriageDeclaration,
)
from .fields import CAUSE_LINES, CHOICES, LABELS, county_names, flattened, shown_fields
from .forms import Errors, FormFields, invalid, nest, refusal
from .session import SignedIn, WebUser, check_csrf
from .templating import page

router = APIRouter(include_in_schema=False)
SCHEMAS: dict[str, type[Declaration]] = {
    "birth": BirthDeclaration,
    "death": DeathDeclaration,
    "marriage": MarriageDeclaration,
    "divorce": DivorceDeclaration,
}
TITLES = {"birth": "اعلام ولادت", "death": "اعلام وفات", "marriage": "ثبت واقعه ازدواج", "divorce": "ثبت واقعه طلاق"}


@router.get("/office/declare/{kind}", response_class=HTMLResponse)
def declaration_form(
    ctx: CurrentContext,
    request: Request,
    user: SignedIn,
    kind: str,
    notification: Annotated[int | None, Query(ge=1, le=LARGEST_ID)] = None,
) -> Response:
    """A new declaration's form; with `notification`, filled in with what the facility notified."""
    if kind not in SCHEMAS:
        return page(request, "office/error.html", {"user": user, "message": "چنین فرمی وجود ندارد."}, status=404)
    values = {"_key": str(uuid.uuid4())}
    if notification is not None:
        notified = notifications.get_notification(ctx, actor=user.actor, notification_id=notification)
        if notified.kind != kind or notified.status != "waiting":
            message = "این اعلام مرکز درمانی از این نوع نیست یا پیش‌تر اعلام شده است."
            return page(request, "office/error.html", {"user": user, "message": message}, status=409)
        values |= _from_notification(notified)
    return _form(ctx, request, user, kind, values, {})


def _from_notification(notified: NotificationOut) -> dict[str, str]:
    """The form's fields from a facility's notification: the event, the mother or the deceased, the
    certificate of cause of death, and the facility's certificate as the evidence. The family adds the
    rest (the child's name, the father, the declarant)."""
    values = flattened(notified.data)
    values.pop("weight_grams", None)  # the registry does not keep it
    for date_field in ("birth_date", "death_date"):
        if date_field in values:
            values[date_field] = to_persian_digits(notified.event_date.jalali)
    for name, value in values.items():  # digits as a clerk reads them; the form takes either
        if name.endswith(("_time", "birth_order", "national_code", "interval.amount")):
            values[name] = to_persian_digits(value)
    values["_province"] = notified.county_code[:2]
    issuer = "facility" if notified.kind == "birth" else "physician"
    return values | {
        "evidence.kind": "medical_certificate",
        "evidence.issuer": issuer,
        "evidence.document_number": notified.reference[:40],
    }


@router.get("/office/events/{event_id}/resubmit", response_class=HTMLResponse)
def resubmission_form(ctx: CurrentContext, request: Request, user: SignedIn, event_id: RowId) -> Response:
    """A rejected declaration on its form again, as it was declared, to be corrected and sent back."""
    event = registry.get_event(ctx, actor=user.actor, event_id=event_id)
    if event.status != "rejected":
        message = "فقط اعلام ردشده دوباره ارسال می‌شود."
        return page(request, "office/error.html", {"user": user, "message": message}, status=409)
    values = flattened(event.data) | {"_resubmit": str(event.id), "_key": str(uuid.uuid4())}
    return _form(ctx, request, user, event.kind, values, {"_form": f"دلیل رد: {event.rejection_reason}"})


@router.post("/office/declare/{kind}", response_class=HTMLResponse)
def declaration_submitted(
    ctx: CurrentContext, request: Request, user: SignedIn, kind: str, form: FormFields
) -> Response:
    if kind not in SCHEMAS:
        return page(request, "office/error.html", {"user": user, "message": "چنین فرمی وجود ندارد."}, status=404)
    check_csrf(user.csrf, form.get("csrf", ""))
    values = {name: value for name, value in form.items() if name != "csrf"}
    if form.get("_step") == "edit":
        return _form(ctx, request, user, kind, values, {})
    try:
        declaration = SCHEMAS[kind].model_validate(nest(form))
        if form.get("_step") != "submit":
            preview = registry.preview_declaration(ctx, actor=user.actor, declaration=declaration)
            return page(
                request,
                "office/review.html",
                {
                    "user": user,
                    "kind": kind,
                    "title": TITLES[kind],
                    "values": values,
                    "preview": preview,
                    "rows": shown_fields(values, county_names(ctx)),  # what the registrar confirms
                    "back": _back(kind, form),
                },
            )
        event = _send(ctx, user, declaration, form)
    except ValidationError as error:
        return _form(ctx, request, user, kind, values, invalid(error), status_code=422, back=_back(kind, form))
    except SabtError as error:
        return _form(ctx, request, user, kind, values, refusal(error), status_code=error.status, back=_back(kind, form))
    done = "resubmit" if form.get("_resubmit") else "declared"
    return RedirectResponse(f"/office/events/{event.id}?done={done}", status_code=status.HTTP_303_SEE_OTHER)


def _back(kind: str, form: dict[str, str]) -> str:
    """Where Back leads from a page that answered the form: the rejected event it corrects, or a new form."""
    resubmitted = form.get("_resubmit", "")
    return f"/office/events/{resubmitted}" if is_ascii_number(resubmitted) else f"/office/declare/{kind}"


def _send(ctx: Context, user: WebUser, declaration: Declaration, form: dict[str, str]) -> EventOut:
    """Declare the event, or send a rejected one back corrected when the form re-submits it."""
    resubmitted = form.get("_resubmit", "")
    if not resubmitted:
        declared = registry.declare(ctx, actor=user.actor, declaration=declaration, idempotency_key=form.get("_key"))
        notifications.answer(ctx, event=declared)
        return declared
    if not is_ascii_number(resubmitted):
        raise RequestInvalid(field="_resubmit", detail="an event's number")
    return registry.resubmit(ctx, actor=user.actor, event_id=int(resubmitted), declaration=declaration)


def _form(
    ctx: Context,
    request: Request,
    user: WebUser,
    kind: str,
    values: dict[str, str],
    errors: Errors,
    *,
    status_code: int = 200,
    back: str = "",
) -> Response:
    values.setdefault("_key", str(uuid.uuid4()))
    counties = geo.list_counties(ctx)
    template = "declare_couple" if kind in ("marriage", "divorce") else f"declare_{kind}"
    return page(
        request,
        f"office/{template}.html",
        {
            "user": user,
            "kind": kind,
            "title": TITLES[kind],
            "values": values,
            "errors": errors,
            "provinces": geo.list_provinces(ctx),
            "counties": counties,
            "choices": CHOICES,
            "cause_lines": CAUSE_LINES,
            "labels": LABELS,
            "back": back,
        },
        status=status_code,
    )
