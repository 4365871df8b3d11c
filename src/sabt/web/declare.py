"""Declaring a birth, death, marriage or divorce in the browser: the form, a confirmation screen that has
already run every check the registry will run, and the submission.

A refusal comes back on the same form, next to the field it names, with everything typed kept. Each form
carries an idempotency key, so a confirmation sent twice (a double click, a reload) declares once.
"""

import uuid
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ..context import Context
from ..core.errors import SabtError
from ..core.text import to_persian_digits
from ..geo import service as geo
from ..http import CurrentContext
from ..registry import service as registry
from ..registry.schemas import BirthDeclaration, DeathDeclaration, Declaration, DivorceDeclaration, MarriageDeclaration
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
# How each field is named on the confirmation screen.
LABELS = {
    "first_name": "نام",
    "last_name": "نام خانوادگی",
    "sex": "جنس",
    "birth_date": "تاریخ تولد",
    "birth_time": "ساعت تولد",
    "county": "شهرستان",
    "place": "محل (بخش، شهر یا روستا)",
    "birth_order": "ترتیب تولد",
    "father.national_code": "کد ملی پدر",
    "father.first_name": "نام پدر",
    "father.last_name": "نام خانوادگی پدر",
    "mother.national_code": "کد ملی مادر",
    "mother.first_name": "نام مادر",
    "mother.last_name": "نام خانوادگی مادر",
    "declarant.relation": "نسبت اعلام‌کننده",
    "declarant.national_code": "کد ملی اعلام‌کننده",
    "declarant.first_name": "نام اعلام‌کننده",
    "declarant.last_name": "نام خانوادگی اعلام‌کننده",
    "evidence.kind": "مدرک",
    "evidence.issuer": "صادرکننده گواهی",
    "evidence.issuer_name": "نام صادرکننده",
    "evidence.document_number": "شماره مدرک",
    "arrival_date": "تاریخ رسیدن از سفر",
    "national_code": "کد ملی متوفی",
    "death_date": "تاریخ وفات",
    "death_time": "ساعت وفات",
    "cause": "علت وفات",
    "learned_on": "تاریخ اطلاع از وفات",
    "husband_national_code": "کد ملی زوج",
    "wife_national_code": "کد ملی زوجه",
    "marriage_date": "تاریخ ازدواج",
    "divorce_date": "تاریخ طلاق",
    "notary_office": "دفترخانه",
    "document_number": "شماره سند",
    "court_permission": "شماره اجازه دادگاه",
    "divorce_type": "نوع طلاق",
    **{
        f"evidence.witnesses.{i}.{part}": f"{label} شاهد {'اول' if i == 0 else 'دوم'}"
        for i in (0, 1)
        for part, label in (("national_code", "کد ملی"), ("first_name", "نام"), ("last_name", "نام خانوادگی"))
    },
}
CHOICES = {
    "sex": {"female": "زن", "male": "مرد"},
    "declarant.relation": {
        "father": "پدر",
        "mother": "مادر",
        "grandparent": "جد",
        "sibling": "خواهر یا برادر",
        "guardian": "قیم",
        "physician": "پزشک",
        "other": "دیگر",
    },
    "evidence.kind": {
        "medical_certificate": "گواهی پزشک، ماما یا زایشگاه",
        "witnesses": "گواهی دو شاهد",
        "burial_permit": "جواز دفن",
        "court_order": "حکم دادگاه",
    },
    "evidence.issuer": {
        "physician": "پزشک",
        "midwife": "ماما",
        "facility": "بیمارستان یا زایشگاه",
        "cemetery": "آرامستان",
        "court": "دادگاه",
    },
    "divorce_type": {"revocable": "رجعی", "irrevocable": "بائن", "khul": "خلع", "mubarat": "مبارات"},
}


@router.get("/office/declare/{kind}", response_class=HTMLResponse)
def declaration_form(ctx: CurrentContext, request: Request, user: SignedIn, kind: str) -> Response:
    if kind not in SCHEMAS:
        return page(request, "office/error.html", {"user": user, "message": "چنین فرمی وجود ندارد."}, status=404)
    return _form(ctx, request, user, kind, {"_key": str(uuid.uuid4())}, {})


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
                    "rows": _rows(ctx, values),
                },
            )
        event = registry.declare(ctx, actor=user.actor, declaration=declaration, idempotency_key=form.get("_key"))
    except ValidationError as error:
        return _form(ctx, request, user, kind, values, invalid(error), status_code=422)
    except SabtError as error:
        return _form(ctx, request, user, kind, values, refusal(error), status_code=error.status)
    return RedirectResponse(f"/office/events/{event.id}?done=declared", status_code=status.HTTP_303_SEE_OTHER)


def _form(
    ctx: Context,
    request: Request,
    user: WebUser,
    kind: str,
    values: dict[str, str],
    errors: Errors,
    *,
    status_code: int = 200,
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
            "labels": LABELS,
        },
        status=status_code,
    )


def _rows(ctx: Context, values: dict[str, str]) -> list[tuple[str, str]]:
    """What the registrar confirms: each filled field with its label, choices and places in words."""
    county_names = {county.code: f"{county.name_fa} ({county.code})" for county in geo.list_counties(ctx)}
    rows: list[tuple[str, str]] = []
    for name, value in values.items():
        if name.startswith("_") or not value.strip():
            continue
        shown: Any = CHOICES.get(name, {}).get(value, value)
        if name == "county":
            shown = county_names.get(value, value)
        elif name.endswith(("_date", "_time", "learned_on", "birth_order")):
            shown = to_persian_digits(value)
        rows.append((LABELS.get(name, name), str(shown)))
    return rows
