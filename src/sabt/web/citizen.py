"""A citizen's own pages: their record, which agencies checked their identity and which staff read it, the
lock on their code, and their smart cards (with a report of a lost or stolen one)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import service as access
from ..cards import service as cards
from ..cards.schemas import ReportIn
from ..core.errors import SabtError
from ..http import CurrentContext
from ..registry import service as registry
from ..verification import service as verification
from .session import SignedIn, WebUser, check_csrf
from .templating import page

router = APIRouter(include_in_schema=False)
CSRF = Annotated[str, Form(max_length=100)]
DONE = {"locked": "کد ملی شما قفل شد.", "unlocked": "قفل کد ملی شما برداشته شد.", "reported": "کارت شما باطل شد."}


@router.get("/me", response_class=HTMLResponse)
def my_page(ctx: CurrentContext, request: Request, user: SignedIn, done: str = "") -> Response:
    """`done` names a notice the page knows; a refusal is shown only where it happened, never taken from the
    address (a crafted link could otherwise show any text as an official message)."""
    return _my_page(ctx, request, user, notice=DONE.get(done, ""))


def _my_page(
    ctx: CurrentContext, request: Request, user: WebUser, *, notice: str = "", error: str = "", status: int = 200
) -> Response:
    values = {
        "user": user,
        "person": registry.own_record(ctx, actor=user.actor),
        "checks": verification.checks_about_me(ctx, actor=user.actor),
        "reads": access.reads_about_me(ctx, actor=user.actor),
        "lock": verification.my_lock(ctx, actor=user.actor),
        "cards": cards.my_cards(ctx, actor=user.actor),
        "notice": notice,
        "error": error,
    }
    return page(request, "citizen/me.html", values, status=status)


@router.post("/me/lock")
def lock(ctx: CurrentContext, user: SignedIn, csrf: CSRF = "") -> Response:
    check_csrf(user.csrf, csrf)
    verification.set_lock(ctx, actor=user.actor, locked=True)
    return RedirectResponse("/me?done=locked", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/me/unlock")
def unlock(ctx: CurrentContext, user: SignedIn, csrf: CSRF = "") -> Response:
    check_csrf(user.csrf, csrf)
    verification.set_lock(ctx, actor=user.actor, locked=False)
    return RedirectResponse("/me?done=unlocked", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/me/card/report", response_class=HTMLResponse)
def report_card(
    ctx: CurrentContext,
    request: Request,
    user: SignedIn,
    csrf: CSRF = "",
    what: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    check_csrf(user.csrf, csrf)
    try:
        cards.report_my_card(ctx, actor=user.actor, report=ReportIn.model_validate({"what": what}))
    except SabtError as error:
        return _my_page(ctx, request, user, error=error.message_fa, status=error.status)
    except ValueError:
        return _my_page(ctx, request, user, error="نوع گزارش را انتخاب کنید.", status=422)
    return RedirectResponse("/me?done=reported", status_code=status.HTTP_303_SEE_OTHER)
