"""The investigator's pages: the review queue, a case with its evidence side by side and the decision, and
runs over the registry (started here, followed on the queue page)."""

from typing import Annotated, get_args

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..context import Context
from ..core.errors import SabtError
from ..core.permissions import Action
from ..http import CurrentContext, RowId
from ..inputs import AsciiDigits
from ..linkage import service as linkage
from ..linkage.schemas import Decision
from .session import SignedIn, WebUser, check_csrf
from .templating import page

router = APIRouter(include_in_schema=False)
CSRF = Annotated[str, Form(max_length=100)]
FIELDS = (
    ("first_name", "نام"),
    ("last_name", "نام خانوادگی"),
    ("sex", "جنسیت"),
    ("birth_date", "تاریخ تولد"),
    ("birth_county_code", "محل تولد"),
    ("father_first_name", "نام پدر"),
    ("mother_first_name", "نام مادر"),
    ("mother_last_name", "نام خانوادگی مادر"),
    ("died_on", "تاریخ فوت"),
    ("merged_into", "ادغام‌شده در"),
)
DONE = {"run": "اجرای کشف موارد تکراری آغاز شد؛ نتیجه در همین صفحه می‌آید.", "decided": "تصمیم ثبت شد."}


@router.get("/office/linkage", response_class=HTMLResponse)
def queue(ctx: CurrentContext, request: Request, user: SignedIn, kind: str = "", done: str = "") -> Response:
    cases = linkage.list_cases(ctx, actor=user.actor, kind=kind[:30] or None, limit=100)
    runs = linkage.list_runs(ctx, actor=user.actor, limit=5) if user.actor.may(Action.RUN_LINKAGE) else []
    return page(
        request,
        "linkage/queue.html",
        {"user": user, "page": cases, "runs": runs, "kind": kind, "notice": DONE.get(done, "")},
    )


@router.post("/office/linkage/runs")
def start_run(ctx: CurrentContext, request: Request, user: SignedIn, csrf: CSRF = "") -> Response:
    check_csrf(user.csrf, csrf)
    try:
        linkage.run_in_background(ctx, actor=user.actor)
    except SabtError as error:
        return page(request, "office/error.html", {"user": user, "message": error.message_fa}, status=error.status)
    return RedirectResponse("/office/linkage?done=run", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/office/linkage/cases/{case_id}", response_class=HTMLResponse)
def case_page(ctx: CurrentContext, request: Request, user: SignedIn, case_id: RowId) -> Response:
    return _case(ctx, request, user, case_id)


@router.post("/office/linkage/cases/{case_id}", response_class=HTMLResponse)
def decide(
    ctx: CurrentContext,
    request: Request,
    user: SignedIn,
    case_id: RowId,
    csrf: CSRF = "",
    decision: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
    keep: Annotated[int | None, Form(ge=1, le=2**31 - 1), AsciiDigits] = None,
) -> Response:
    check_csrf(user.csrf, csrf)
    if decision not in get_args(Decision):
        return _case(ctx, request, user, case_id, error="یکی از تصمیم‌ها را برگزینید.", status_code=422)
    try:
        linkage.decide(ctx, actor=user.actor, case_id=case_id, decision=decision, note=note.strip(), keep=keep)
    except SabtError as error:
        return _case(ctx, request, user, case_id, error=error.message_fa, status_code=error.status)
    return RedirectResponse("/office/linkage?done=decided", status_code=status.HTTP_303_SEE_OTHER)


def _case(
    ctx: Context, request: Request, user: WebUser, case_id: int, *, error: str = "", status_code: int = 200
) -> Response:
    case = linkage.get_case(ctx, actor=user.actor, case_id=case_id)
    return page(
        request, "linkage/case.html", {"user": user, "case": case, "fields": FIELDS, "error": error}, status=status_code
    )
