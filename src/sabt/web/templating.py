"""The pages' Jinja2 environment, how a page is answered (with the headers every page carries), and the
static files they use (the Persian font comes from PyPI)."""

import datetime as dt
import re
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from ..certificates.service import font_dir  # the pages use the font the certificates are printed in
from ..core.jalali import to_jalali
from ..core.text import to_persian_digits
from ..core.vocabulary import ACTION_FA, ROLE_FA, SEX_FA, STATUS_FA

# A decimal point between two digits, which Persian writes as the momayyez (٫).
_DECIMAL_POINT = re.compile(r"(?<=[0-9])\.(?=[0-9])")


def persian_figures(text: str) -> str:
    """Text as Persian readers read figures: Persian digits and the Persian decimal separator."""
    return to_persian_digits(_DECIMAL_POINT.sub("\u066b", text))


FONT_PATH = "/static/fonts/noto-sans-arabic.ttf"
STATIC = resources.files("sabt.web") / "static"
ASSETS = {"sabt.css": "text/css", "sabt.js": "text/javascript", "api-docs.js": "text/javascript"}
# Pages load nothing from elsewhere and run no inline script; no other site may frame them.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

templates = Jinja2Templates(directory=str(resources.files("sabt.web") / "templates"))
templates.env.filters["fa"] = lambda value: persian_figures(str(value))
templates.env.filters["jalali"] = to_jalali
templates.env.globals["font_path"] = FONT_PATH

# Steps and reasons the registry records in English, as the pages say them: the registry's own terms in the
# one vocabulary refusals use too (core/vocabulary.py), and the words only pages need.
WORDS_FA = {
    **{step: ACTION_FA[step] for step in ("declare", "validate", "register", "reject", "resubmit", "approve_late")},
    **STATUS_FA,
    **ROLE_FA,
    **SEX_FA,
    "birth registered": "ثبت ولادت",
    "death registered": "ثبت وفات",
    "imported": "انتقال از دفاتر پیشین",
    # record linkage: fields, levels of agreement, kinds of case and decisions
    "first_name": "نام",
    "last_name": "نام خانوادگی",
    "birth_date": "تاریخ تولد",
    "birth_county": "محل تولد",
    "sex": "جنسیت",
    "parents": "والدین",
    "the same": "یکسان",
    "differs": "متفاوت",
    "missing": "نامعلوم",
    "sounds the same": "هم‌آوا",
    "one letter apart": "یک حرف اختلاف",
    "day and month swapped": "جابه‌جایی روز و ماه",
    "one part of a compound name": "بخشی از نام مرکب",
    "spelled back from Latin": "برگردانده از املای لاتین",
    "one letter mistyped": "یک حرف اشتباه",
    "another name a letter apart": "نامی دیگر با یک حرف اختلاف",
    "another child of the same mother and day": "فرزند دیگر همان مادر در همان روز",
    "the same but for an affix": "یکسان جز پیشوند یا پسوند",
    "the year in the other calendar": "سال به تقویم میلادی",
    "a day apart": "یک روز اختلاف",
    "a month apart": "یک ماه اختلاف",
    "possible_twin": "شاید دوقلو",
    "same month": "همان ماه",
    "within a year": "در فاصله یک سال",
    "same province": "همان استان",
    "both parents' codes agree": "کد ملی هر دو والد یکسان",
    "parents' names agree": "نام والدین یکسان",
    "mother's name agrees": "نام مادر یکسان",
    "one parent's first name agrees": "نام یکی از والدین یکسان",
    "duplicate": "تکراری",
    "not_duplicate": "تکراری نیست",
    "fraud": "تقلب",
    "open": "باز",
    "born_after_mothers_death": "ولادت پس از فوت مادر",
    "births_too_close": "دو ولادت با فاصله ناممکن",
    "adult_as_newborn": "ثبت بزرگسال به‌عنوان نوزاد",
    "older_than_plausible": "سن ناممکن",
    "impossible_mother_age": "سن ناممکن مادر",
    "serial_declarant": "اعلام‌کننده ثبت‌های دیرهنگام پیاپی",
    "certificate_many_places": "استعلام یک گواهی از چند جا",
    "running": "در حال اجرا",
    "finished": "پایان‌یافته",
    "failed": "ناموفق",
    # roles, staff reads and second factors
    "record": "پرونده",
    "search": "نتیجه جستجو",
    "history": "سوابق اصلاح",
    "certificate": "گواهی‌ها",
    "print": "چاپ گواهی",
    "cards": "کارت هوشمند",
    "event": "واقعه",
    "linkage": "بررسی موارد تکراری",
    "notification": "اعلام مرکز درمانی",
    "totp": "برنامه احراز هویت",
    "webauthn": "کلید عبور",
    "recovery": "کد بازیابی",
    "password": "فقط گذرواژه",
    "console": "خط فرمان سرور",
    "signed_in": "ورود",
    "stepped_up": "تأیید دوباره",
    "failed_password": "گذرواژه نادرست",
    "failed_factor": "عامل دوم نادرست",
    "locked": "قفل",
    "unlocked": "باز شدن قفل",
    "recovery_used": "کد بازیابی",
    "factor_added": "افزودن عامل دوم",
    "session_revoked": "پایان نشست",
    "refused": "درخواست ردشده",
    "factors_reset": "ابطال عامل‌های دوم",
    "outside_office": "پرونده‌های ادارات دیگر",
    "much_read_person": "شخصی که بسیار دیده شده",
    "at_night": "مشاهده در شب",
}
templates.env.filters["words_fa"] = lambda value: WORDS_FA.get(str(value), str(value))
# Why a record changed, as the registry writes it into a revision (English, for logs and the API), in Persian.
_REASONS_FA = (
    (re.compile(r"imported from (?P<file>.+)"), "انتقال از دفاتر پیشین (پرونده {file})"),
    (
        re.compile(r"duplicate of (?P<code>[0-9]+) \(review case (?P<case>[0-9]+)\)(?:: (?P<note>.*))?"),
        "تکرار پرونده {code}، ادغام‌شده در بررسی شماره {case}{note}",
    ),
)


def reason_fa(reason: str) -> str:
    """A revision's reason in Persian: the registry's own words translated, a person's words as typed."""
    if reason in WORDS_FA:
        return WORDS_FA[reason]
    for pattern, persian in _REASONS_FA:
        if match := pattern.fullmatch(reason):
            parts = {key: value or "" for key, value in match.groupdict().items()}
            note = f": {parts['note']}" if parts.get("note") else ""
            return persian_figures(persian.format(**(parts | {"note": note})))
    return reason


templates.env.filters["reason_fa"] = reason_fa

static = APIRouter(include_in_schema=False)


def use_timezone(timezone: str) -> None:
    """Moments on the pages in the registry's local time, Jalali date and hour, in Persian digits."""

    def when(moment: dt.datetime) -> str:
        local = (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(ZoneInfo(timezone))
        return to_persian_digits(f"{to_jalali(local.date())} {local:%H:%M}")

    templates.env.filters["when"] = when


def page(request: Request, name: str, values: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    """A page from its template, with the security headers every page carries."""
    response = templates.TemplateResponse(request, name, values, status_code=status)
    response.headers.update(PAGE_HEADERS)
    if request.url.scheme == "https":  # a browser that saw the registry over HTTPS never asks over HTTP again
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


@static.get(FONT_PATH)
def font() -> FileResponse:
    path = next(Path(font_dir()).glob("*.ttf"))
    return FileResponse(path, media_type="font/ttf", headers={"Cache-Control": "public, max-age=86400"})


@static.get("/static/{name}")
def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(status_code=404)
    return FileResponse(str(STATIC / name), media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})
