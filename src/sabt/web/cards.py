"""Card work at the office desk: take an application (from a person's page), send the enrolled ones for
production, hand a ready card over, and take a report of a lost, stolen or damaged card. Enrolment itself
comes from the capture station, which posts the capture's reference and template hash to the API."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..cards import service as cards
from ..cards.schemas import ApplicationIn, ReportIn
from ..core.errors import SabtError
from ..http import CurrentContext, RowId
from .office import person_page_with
from .session import SignedIn, check_csrf

router = APIRouter(include_in_schema=False)
CSRF = Annotated[str, Form(max_length=100)]


@router.post("/office/cards/apply", response_class=HTMLResponse)
def apply(
    ctx: CurrentContext,
    request: Request,
    user: SignedIn,
    csrf: CSRF = "",
    national_code: Annotated[str, Form(max_length=20)] = "",
    replaces: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    check_csrf(user.csrf, csrf)
    try:
        application = ApplicationIn(national_code=national_code, replaces=replaces or None)
        card = cards.apply_for_card(ctx, actor=user.actor, application=application)
    except SabtError as error:
        return person_page_with(ctx, request, user, national_code, error=error)
    notice = f"درخواست کارت به شماره {card.id} ثبت شد؛ ثبت‌نام (عکس و اثر انگشت) در ایستگاه ثبت‌نام انجام می‌شود."
    return person_page_with(ctx, request, user, national_code, notice=notice)


@router.post("/office/cards/{card_id}/report", response_class=HTMLResponse)
def report(
    ctx: CurrentContext,
    request: Request,
    user: SignedIn,
    card_id: RowId,
    csrf: CSRF = "",
    national_code: Annotated[str, Form(max_length=20)] = "",
    what: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    check_csrf(user.csrf, csrf)
    try:
        cards.report_card(ctx, actor=user.actor, card_id=card_id, report=ReportIn.model_validate({"what": what}))
    except SabtError as error:
        return person_page_with(ctx, request, user, national_code, error=error)
    except ValueError:
        return person_page_with(ctx, request, user, national_code, message="نوع گزارش را انتخاب کنید.")
    return person_page_with(ctx, request, user, national_code, notice="کارت باطل شد و در فهرست ابطال قرار گرفت.")


@router.post("/office/cards/batch")
def send_batch(ctx: CurrentContext, user: SignedIn, csrf: CSRF = "") -> Response:
    check_csrf(user.csrf, csrf)
    cards.send_batch(ctx, actor=user.actor, card_ids=None)
    return RedirectResponse("/office?done=batch#cards", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/office/cards/{card_id}/hand-over")
def hand_over(ctx: CurrentContext, user: SignedIn, card_id: RowId, csrf: CSRF = "") -> Response:
    check_csrf(user.csrf, csrf)
    cards.hand_over(ctx, actor=user.actor, card_id=card_id)
    return RedirectResponse("/office?done=handed#cards", status_code=status.HTTP_303_SEE_OTHER)
