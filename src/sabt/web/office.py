"""The registrar's workspace: the office's desk, an event and its steps, search, a person's record with its
certificates, and the look-up the declaration forms use. Personal data travels in POST bodies, never in
addresses: a person's page is reached by submitting their code, not by a link that names it."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError

from ..cards import service as cards
from ..certificates import service as certificates
from ..certificates.schemas import PERSON_KINDS, CertificateOut, CertificateRequest, Kind
from ..context import Context
from ..core.cards import eligible_from
from ..core.errors import SabtError
from ..core.permissions import Action, Actor, Role
from ..core.text import is_ascii_number, to_ascii_digits, to_persian_digits
from ..core.vocabulary import ACTION_FA, CERTIFICATE_FA, KIND_FA
from ..db import LARGEST_ID
from ..geo import service as geo
from ..http import CurrentContext, RowId
from ..linkage import service as linkage
from ..registry import service as registry
from ..registry.schemas import EventOut, PersonCorrection, PersonOut
from .fields import county_names, flattened, shown_fields
from .forms import Errors, FormFields, invalid, nest, refusal
from .session import SignedIn, WebUser, check_csrf
from .templating import page

router = APIRouter(include_in_schema=False)
STEP_FA = {step: ACTION_FA[step] for step in ("validate", "register", "approve_late", "reject", "resubmit")} | {
    "declared": "ثبت اعلام",
    "assign": "برداشتن برای خودم",
    "release": "رها کردن",
}
CSRF = Annotated[str, Form(max_length=100)]
SEARCH_LIMIT = 50  # a page of results; past it the registrar is asked to narrow the search
BIRTH_YEARS = (1200, 2200)  # Jalali or Gregorian, as the API's search takes them
CodeField = Annotated[str, Form(max_length=20)]


@router.get("/office/events/{event_id}", response_class=HTMLResponse)
def event_page(ctx: CurrentContext, request: Request, user: SignedIn, event_id: RowId, done: str = "") -> Response:
    event = registry.get_event(ctx, actor=user.actor, event_id=event_id)
    return _event_page(ctx, request, user, event, notice=STEP_FA.get(done, "") and f"«{STEP_FA[done]}» انجام شد.")


def _event_page(
    ctx: Context,
    request: Request,
    user: WebUser,
    event: EventOut,
    *,
    error: str = "",
    notice: str = "",
    status_code: int = 200,
) -> Response:
    history = registry.event_history(ctx, actor=user.actor, event_id=event.id)
    steps = [step for step in ("approve_late", "validate", "register", "reject") if _offered(user.actor, event, step)]
    may_resubmit = event.status == "rejected" and user.actor.may(Action.RESUBMIT)
    # Before a birth is registered, the registrar sees the persons it may duplicate.
    pending_birth = event.kind == "birth" and event.status in registry.PENDING
    duplicates = linkage.check_birth(ctx, actor=user.actor, event_id=event.id) if pending_birth else []
    return page(
        request,
        "office/event.html",
        {
            "user": user,
            "event": event,
            "history": history,
            "steps": steps,
            "step_fa": STEP_FA,
            "kind_fa": KIND_FA,
            "error": error,
            "notice": notice,
            "fields": shown_fields(flattened(event.data), county_names(ctx), event.names),
            "who": _who(event),
            "office_names": {office.code: office.name_fa for office in geo.list_offices(ctx)},
            "duplicates": duplicates,
            "may_resubmit": may_resubmit,
            "holding": _holding(user.actor, event),
            "back": f"/office/events/{event.id}",
        },
        status=status_code,
    )


def _holding(actor: Actor, event: EventOut) -> str:
    """What the actor may do about who works on the event: take it up, hand it back, or nothing."""
    if event.status not in ("declared", "validated", "rejected") or not actor.may(Action.ASSIGN):
        return ""
    if event.assigned_to == actor.username:
        return "release"
    if event.assigned_to is None or actor.role == Role.OFFICE_HEAD:
        return "assign"
    return ""


def _who(event: EventOut) -> str:
    """Whom an event is about, for its title: the child as declared, else the persons it names."""
    if event.data.get("first_name"):
        return f"{event.data['first_name']} {event.data.get('last_name', '')}".strip()
    codes = [event.subject_national_code, event.partner_national_code]
    return " و ".join(event.names[code] for code in codes if code and code in event.names)


def _offered(actor: Actor, event: EventOut, step: str) -> bool:
    action = Action(step)
    if not actor.may(action):
        return False
    if step == "approve_late":
        return event.late and not event.late_approved and event.status in ("declared", "validated")
    if step == "validate":
        return event.status == "declared"
    if step == "register":
        return event.status == "validated" and (not event.late or event.late_approved)
    return event.status in ("declared", "validated")


@router.post("/office/events/{event_id}/{step}", response_class=HTMLResponse)
def take_step(
    ctx: CurrentContext,
    request: Request,
    user: SignedIn,
    event_id: RowId,
    step: str,
    csrf: CSRF = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    check_csrf(user.csrf, csrf)
    steps = {
        "validate": lambda: registry.validate_event(ctx, actor=user.actor, event_id=event_id),
        "register": lambda: registry.register_event(ctx, actor=user.actor, event_id=event_id),
        "approve_late": lambda: registry.approve_late(ctx, actor=user.actor, event_id=event_id),
        "reject": lambda: registry.reject_event(ctx, actor=user.actor, event_id=event_id, reason=reason.strip()),
        "assign": lambda: registry.assign_event(ctx, actor=user.actor, event_id=event_id),
        "release": lambda: registry.release_event(ctx, actor=user.actor, event_id=event_id),
    }
    if step not in steps:
        return page(request, "office/error.html", {"user": user, "message": "چنین کاری وجود ندارد."}, status=404)
    if step == "reject" and len(reason.strip()) < 3:
        event = registry.get_event(ctx, actor=user.actor, event_id=event_id)
        return _event_page(ctx, request, user, event, error="دلیل رد را بنویسید.", status_code=422)
    try:
        steps[step]()
    except SabtError as error:
        event = registry.get_event(ctx, actor=user.actor, event_id=event_id)
        return _event_page(ctx, request, user, event, error=error.message_fa, status_code=error.status)
    return RedirectResponse(f"/office/events/{event_id}?done={step}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/office/search", response_class=HTMLResponse)
def search_form(request: Request, user: SignedIn) -> Response:
    return page(request, "office/search.html", {"user": user, "query": {}, "results": None})


@router.post("/office/search", response_class=HTMLResponse)
def search(
    ctx: CurrentContext,
    request: Request,
    user: SignedIn,
    csrf: CSRF = "",
    national_code: CodeField = "",
    first_name: Annotated[str, Form(max_length=120)] = "",
    last_name: Annotated[str, Form(max_length=120)] = "",
    birth_year: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """By national code (straight to the record), or by name and birth year."""
    check_csrf(user.csrf, csrf)
    query = {"national_code": national_code, "first_name": first_name, "last_name": last_name, "birth_year": birth_year}
    try:
        if national_code.strip():
            return _person_page(ctx, request, user, national_code)
        if not (first_name.strip() or last_name.strip()):
            errors = {"first_name": "کد ملی، یا نام یا نام خانوادگی را بنویسید."}
            return page(
                request,
                "office/search.html",
                {"user": user, "back": "/office/search", "query": query, "results": None, "errors": errors},
                status=422,
            )
        year = to_ascii_digits(birth_year.strip())
        if year and not (is_ascii_number(year) and BIRTH_YEARS[0] <= int(year) <= BIRTH_YEARS[1]):
            errors = {"birth_year": "سال تولد را با رقم بنویسید، مانند ۱۳۷۰."}
            return page(
                request,
                "office/search.html",
                {"user": user, "back": "/office/search", "query": query, "results": None, "errors": errors},
                status=422,
            )
        found = registry.search_persons(
            ctx,
            actor=user.actor,
            name=first_name.strip() or None,
            last_name=last_name.strip() or None,
            birth_year=int(year) if year else None,
            limit=SEARCH_LIMIT,
        )
    except SabtError as error:
        return page(
            request,
            "office/search.html",
            {"user": user, "back": "/office/search", "query": query, "results": None, "errors": refusal(error)},
            status=error.status,
        )
    values = {
        "user": user,
        "back": "/office/search",
        "query": query,
        "results": found,
        "more": len(found) >= SEARCH_LIMIT,
    }
    return page(request, "office/search.html", values)


@router.post("/office/person", response_class=HTMLResponse)
def person_page(
    ctx: CurrentContext, request: Request, user: SignedIn, csrf: CSRF = "", national_code: CodeField = ""
) -> Response:
    check_csrf(user.csrf, csrf)
    return _person_page(ctx, request, user, national_code)


def _person_page(
    ctx: Context,
    request: Request,
    user: WebUser,
    code: str,
    *,
    errors: Errors | None = None,
    notice: str = "",
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    record = registry.get_person(ctx, actor=user.actor, national_code=code)
    code = record.national_code
    may_correct = registry.may_act_on(ctx, actor=user.actor, national_code=code, action=Action.CORRECT)
    issued = certificates.certificates_of(ctx, actor=user.actor, national_code=code)
    return page(
        request,
        "office/person.html",
        {
            "user": user,
            "person": record,
            "history": registry.person_history(ctx, actor=user.actor, national_code=code),
            "certificates": issued,
            "to_print": _printable(record, issued, may_issue=user.actor.may(Action.ISSUE_CERTIFICATE)),
            "cards": cards.cards_of(ctx, actor=user.actor, national_code=code),
            "certificate_fa": CERTIFICATE_FA,
            "may_print": user.actor.may(Action.PRINT_CERTIFICATE),
            "may_correct": may_correct,
            "may_card_desk": user.actor.may(Action.CARD_DESK),
            # A card is applied for from age 15: a child's record says from when instead of offering it.
            "card_from": eligible_from(record.birth_date.gregorian),
            "today": ctx.today(),
            "errors": errors or {},
            "notice": notice,
            "typed": typed or {},
            "back": "/office/search",  # the record was reached by posting its code
        },
        status=status_code,
    )


def person_page_with(
    ctx: Context,
    request: Request,
    user: WebUser,
    code: str,
    *,
    error: SabtError | None = None,
    message: str = "",
    notice: str = "",
) -> Response:
    """A person's page after an action on it: with the refusal (or message) at the top, or what was done."""
    errors = refusal(error) if error else {"_form": message} if message else None
    status_code = error.status if error else 422 if message else 200
    return _person_page(ctx, request, user, code, errors=errors, notice=notice, status_code=status_code)


@router.post("/office/person/certificate")
def print_certificate(
    ctx: CurrentContext,
    request: Request,
    user: SignedIn,
    kind: Annotated[Kind, Form()],
    csrf: CSRF = "",
    national_code: CodeField = "",
    event_id: Annotated[int | None, Form(ge=1, le=LARGEST_ID)] = None,
) -> Response:
    """Print one of the person's certificates (birth, death, extract, or a marriage's or divorce's, named by
    its event), issuing it first when there is no current one (as the role allows)."""
    check_csrf(user.csrf, csrf)
    try:
        if kind not in PERSON_KINDS and not _is_their_event(ctx, user, national_code, event_id):
            message = "این واقعه ازدواج یا طلاق از پرونده همین شخص نیست."
            return person_page_with(ctx, request, user, national_code, message=message)
        current = _current_certificate(ctx, user, national_code, kind, event_id)
        serial = current.serial if current else _issue(ctx, user, national_code, kind, event_id)
        _, pdf = certificates.print_certificate(ctx, actor=user.actor, serial=serial)
    except SabtError as error:
        return _person_page(ctx, request, user, national_code, errors=refusal(error), status_code=error.status)
    headers = {"Content-Disposition": f'attachment; filename="{serial}.pdf"', "Cache-Control": "no-store"}
    return Response(pdf, media_type="application/pdf", headers=headers)


@dataclass(frozen=True)
class Printable:
    """A certificate the person's page offers to print: reprinted when a current one exists, else issued."""

    kind: Kind
    event_id: int | None
    label: str
    current: bool


def _printable(record: PersonOut, issued: list[CertificateOut], *, may_issue: bool) -> list[Printable]:
    current = {_subject_of(certificate) for certificate in issued if certificate.status == "current"}
    wanted: list[tuple[Kind, int | None, str]] = [("birth", None, "شناسنامه"), ("extract", None, "خلاصه پرونده")]
    if not record.alive:
        wanted.append(("death", None, "گواهی فوت"))
    for marriage in record.marriages:
        wanted.append(("marriage", marriage.marriage_event_id, f"گواهی ازدواج با {marriage.spouse_name}"))
        if marriage.divorce_event_id:
            wanted.append(("divorce", marriage.divorce_event_id, f"گواهی طلاق از {marriage.spouse_name}"))
    choices = [Printable(kind, event, label, (kind, event) in current) for kind, event, label in wanted]
    return [choice for choice in choices if choice.current or may_issue]


def _is_their_event(ctx: Context, user: WebUser, national_code: str, event_id: int | None) -> bool:
    """Whether a marriage's or divorce's event is one of this person's: the form names a person's page."""
    record = registry.get_person(ctx, actor=user.actor, national_code=national_code)
    theirs = {m.marriage_event_id for m in record.marriages} | {m.divorce_event_id for m in record.marriages}
    return event_id is not None and event_id in theirs


def _current_certificate(
    ctx: Context, user: WebUser, national_code: str, kind: str, event_id: int | None
) -> CertificateOut | None:
    wanted = (kind, None if kind in PERSON_KINDS else event_id)
    for certificate in certificates.certificates_of(ctx, actor=user.actor, national_code=national_code):
        if certificate.status == "current" and _subject_of(certificate) == wanted:
            return certificate
    return None


def _subject_of(certificate: CertificateOut) -> tuple[str, int | None]:
    """What a certificate is one of: a person's (one current per kind) or an event's (one per marriage)."""
    return certificate.kind, None if certificate.kind in PERSON_KINDS else certificate.event_id


def _issue(ctx: Context, user: WebUser, national_code: str, kind: Kind, event_id: int | None) -> str:
    subject = {"national_code": national_code} if kind in PERSON_KINDS else {"event_id": event_id}
    request = CertificateRequest.model_validate({"kind": kind, **subject})
    return certificates.issue_certificate(ctx, actor=user.actor, request=request).serial


@router.post("/office/person/correct", response_class=HTMLResponse)
def correct(ctx: CurrentContext, request: Request, user: SignedIn, form: FormFields) -> Response:
    """The office head corrects a record; superseded certificates are reissued in the same step."""
    check_csrf(user.csrf, form.get("csrf", ""))
    code = form.get("_national_code", "")
    try:
        correction = PersonCorrection.model_validate(nest(form))
        corrected = registry.correct_person(ctx, actor=user.actor, national_code=code, correction=correction)
    except SabtError as error:
        return _person_page(ctx, request, user, code, errors=refusal(error), typed=form, status_code=error.status)
    except ValidationError as error:
        return _person_page(ctx, request, user, code, errors=invalid(error), typed=form, status_code=422)
    reissued = "، ".join(item.serial for item in corrected.reissued_certificates)
    notice = "پرونده اصلاح شد." + (f" گواهی‌های جدید: {reissued}" if reissued else "")
    return _person_page(ctx, request, user, code, notice=notice)


class LookupIn(BaseModel):
    national_code: str = Field(max_length=20)


@router.post("/office/lookup")
def lookup(ctx: CurrentContext, request: Request, user: SignedIn, query: LookupIn) -> JSONResponse:
    """For the forms: who holds a national code (name, birth date, alive), as the registrar types it."""
    check_csrf(user.csrf, request.headers.get("x-csrf-token", ""))
    try:
        record = registry.get_person(ctx, actor=user.actor, national_code=query.national_code)
    except SabtError as error:
        return JSONResponse({"message_fa": error.message_fa}, status_code=error.status)
    alive = "" if record.alive else " (فوت‌شده)"
    summary = f"{record.first_name} {record.last_name}، متولد {record.birth_date.jalali}{alive}"
    return JSONResponse({"summary": to_persian_digits(summary), "sex": record.sex, "alive": record.alive})
