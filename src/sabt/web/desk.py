"""The office's desk and its work queues, like the ones registrars know: requires updates (rejected), ready
for validation, ready to register, waiting for the office head, the events one has taken up, births ready to
print and the copies printed; each with its count and the days it waited, a page at a time."""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from ..cards import service as cards
from ..certificates import service as certificates
from ..context import Context
from ..core.cards import CardStatus
from ..core.permissions import Action, Actor, authorize
from ..core.text import to_persian_digits
from ..core.vocabulary import CERTIFICATE_FA, KIND_FA, QUEUE_FA
from ..core.workflow import EventStatus
from ..http import CurrentContext, RowId
from ..notifications import service as notifications
from ..notifications.schemas import DismissalIn
from ..registry import service as registry
from ..registry.schemas import QueueCounts
from .forms import invalid
from .session import SignedIn, WebUser, check_csrf
from .templating import page

router = APIRouter(include_in_schema=False)
DESK_ROWS = 10  # the desk shows the oldest of each queue; the rest are on the queue's own pages
PAGE_ROWS = 25
LAST_PAGE = 10_000  # past any office's work: a page number from an address is bounded

Rows = Callable[[Context, Actor, int, int], Sequence[BaseModel]]


@dataclass(frozen=True)
class Queue:
    title: str
    rows: Rows  # a page of the queue: (ctx, actor, limit, offset)
    shows: str  # which kind of row: events, to_print or printed
    count: Callable[[QueueCounts], int] | None = None  # its size, where the registry counts it


def _events(status: EventStatus | None = None, *, late_unapproved: bool = False, mine: bool = False) -> Rows:
    def rows(ctx: Context, actor: Actor, limit: int, offset: int) -> Sequence[BaseModel]:
        return registry.list_events(
            ctx, actor=actor, status=status, late_unapproved=late_unapproved, mine=mine, limit=limit, offset=offset
        )

    return rows


def _to_print(ctx: Context, actor: Actor, limit: int, offset: int) -> Sequence[BaseModel]:
    if actor.office_id is None:
        return []
    return certificates.births_without_certificate(ctx, actor=actor, limit=limit, offset=offset)


def _printed(ctx: Context, actor: Actor, limit: int, offset: int) -> Sequence[BaseModel]:
    if actor.office_id is None:
        return []
    return certificates.printed_at_office(ctx, actor=actor, limit=limit, offset=offset)


QUEUES = {
    "to-correct": Queue(QUEUE_FA["to-correct"], _events(EventStatus.REJECTED), "events", lambda c: c.rejected),
    "to-validate": Queue(QUEUE_FA["to-validate"], _events(EventStatus.DECLARED), "events", lambda c: c.declared),
    "to-register": Queue(QUEUE_FA["to-register"], _events(EventStatus.VALIDATED), "events", lambda c: c.validated),
    "to-approve": Queue(
        QUEUE_FA["to-approve"],
        _events(late_unapproved=True),
        "events",
        lambda c: c.late_unapproved,
    ),
    "mine": Queue(QUEUE_FA["mine"], _events(mine=True), "events", lambda c: c.mine),
    "to-print": Queue(QUEUE_FA["to-print"], _to_print, "to_print"),
    "printed": Queue(QUEUE_FA["printed"], _printed, "printed"),
}


DONE_FA = {
    "batch": "دسته کارت‌ها برای تولید فرستاده شد.",
    "handed": "کارت تحویل شد و فعال است.",
    "dismissed": "اعلام مرکز درمانی بسته شد.",
}


@router.get("/office", response_class=HTMLResponse)
def desk(ctx: CurrentContext, request: Request, user: SignedIn, done: str = "") -> Response:
    """The office's work with counts and ages: the oldest of each queue, and the smart-card desk."""
    actor = user.actor
    counts = registry.queue_counts(ctx, actor=actor)
    shown = {name: queue.rows(ctx, actor, DESK_ROWS + 1, 0) for name, queue in QUEUES.items()}
    at_office = actor.office_id is not None
    return page(
        request,
        "office/desk.html",
        {
            **_shared(ctx, user),
            "queues": QUEUES,
            "shown": {name: rows[:DESK_ROWS] for name, rows in shown.items()},
            "more": {name: len(rows) > DESK_ROWS for name, rows in shown.items()},
            "sizes": {name: _size(queue, counts, shown[name]) for name, queue in QUEUES.items()},
            "card_queue": cards.office_queue(ctx, actor=actor),
            "ready_cards": cards.cards_at_office(ctx, actor=actor, status=CardStatus.READY) if at_office else [],
            "enrolled_cards": cards.cards_at_office(ctx, actor=actor, status=CardStatus.ENROLLED) if at_office else [],
            "may_issue_cards": actor.may(Action.ISSUE_CARD),
            "notified": notifications.waiting(ctx, actor=actor, limit=DESK_ROWS) if at_office else None,
            "done": DONE_FA.get(done, ""),
        },
    )


@router.get("/office/notifications", response_class=HTMLResponse)
def notified_page(
    ctx: CurrentContext,
    request: Request,
    user: SignedIn,
    page_number: int = Query(1, alias="page", ge=1, le=LAST_PAGE),
) -> Response:
    """The facilities' notifications waiting at the office, a page at a time, oldest first; a registrar may
    dismiss one no declaration will answer."""
    return _notified(ctx, request, user, page_number)


@router.post("/office/notifications/{notification_id}/dismiss", response_class=HTMLResponse)
def dismiss_notification(
    ctx: CurrentContext,
    request: Request,
    user: SignedIn,
    notification_id: RowId,
    csrf: Annotated[str, Form(max_length=100)] = "",
    reason: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    check_csrf(user.csrf, csrf)
    try:
        dismissal = DismissalIn.model_validate({"reason": reason, "note": note})
    except ValidationError as error:
        field, message = next(iter(invalid(error).items()))
        label = DISMISSAL_FIELD_FA.get(field, field)
        return _notified(ctx, request, user, 1, error=f"{label}: {message}", status_code=422)
    notifications.dismiss(ctx, actor=user.actor, notification_id=notification_id, dismissal=dismissal)
    return RedirectResponse("/office?done=dismissed#notified", status_code=status.HTTP_303_SEE_OTHER)


DISMISSAL_FA = {"duplicate": "تکراری (همان واقعه با شناسه دیگر)", "error": "اشتباه مرکز درمانی"}
DISMISSAL_FIELD_FA = {"reason": "دلیل بستن", "note": "یادداشت"}


def _notified(
    ctx: Context, request: Request, user: WebUser, page_number: int, *, error: str = "", status_code: int = 200
) -> Response:
    found = notifications.waiting(ctx, actor=user.actor, limit=PAGE_ROWS, offset=(page_number - 1) * PAGE_ROWS)
    if not found.notifications and page_number > 1:
        message = f"این فهرست صفحه {to_persian_digits(str(page_number))} ندارد."
        return page(request, "office/error.html", {"user": user, "message": message}, status=404)
    return page(
        request,
        "office/notifications.html",
        {
            **_shared(ctx, user),
            "notified": found,
            "page_number": page_number,
            "pages": max(1, -(-found.total // PAGE_ROWS)),
            "may_dismiss": user.actor.may(Action.REJECT),
            "reasons_fa": DISMISSAL_FA,
            "error": error,
        },
        status=status_code,
    )


@router.get("/office/queues/{name}", response_class=HTMLResponse)
def queue_page(
    ctx: CurrentContext,
    request: Request,
    user: SignedIn,
    name: str,
    page_number: int = Query(1, alias="page", ge=1, le=LAST_PAGE),
) -> Response:
    """One queue, a page at a time, oldest first (the printed copies newest first)."""
    authorize(user.actor, Action.READ_OFFICE_WORK)
    queue = QUEUES.get(name)
    if queue is None:
        return page(request, "office/error.html", {"user": user, "message": "چنین صفی وجود ندارد."}, status=404)
    rows = queue.rows(ctx, user.actor, PAGE_ROWS + 1, (page_number - 1) * PAGE_ROWS)
    if not rows and page_number > 1:
        message = f"این صف صفحه {to_persian_digits(str(page_number))} ندارد."
        return page(request, "office/error.html", {"user": user, "message": message}, status=404)
    count = queue.count(registry.queue_counts(ctx, actor=user.actor)) if queue.count else None
    return page(
        request,
        "office/queue.html",
        {
            **_shared(ctx, user),
            "name": name,
            "queue": queue,
            "rows_shown": rows[:PAGE_ROWS],
            "count": count,
            "page_number": page_number,
            "pages": -(-count // PAGE_ROWS) if count is not None else None,
            "has_next": len(rows) > PAGE_ROWS,
        },
    )


def _size(queue: Queue, counts: QueueCounts, shown: Sequence[BaseModel]) -> str:
    """How many wait in a queue, in Persian digits: counted by the registry, or as many as the desk holds
    ("۱۰+" when there are more)."""
    if queue.count is not None:
        return to_persian_digits(str(queue.count(counts)))
    more = "+" if len(shown) > DESK_ROWS else ""
    return to_persian_digits(f"{min(len(shown), DESK_ROWS)}{more}")


def _shared(ctx: Context, user: WebUser) -> dict[str, object]:
    today = ctx.today()

    def waited(day: dt.date) -> int:
        return (today - day).days

    return {"user": user, "kind_fa": KIND_FA, "certificate_fa": CERTIFICATE_FA, "waited": waited}
