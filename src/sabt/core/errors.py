"""Refusals: one class per stable code, owning its HTTP status (through its kind) and its message in English
and Persian side by side.

Each feature keeps its own refusals in its `errors.py`. This module holds the kinds they derive from, the
refusals of input that every feature checks (national codes, dates, names, text, requests), and how a
message is filled in. The API maps a refusal to RFC 9457 problem+json, the pages to a Persian message, the
command line to a message and an exit code.
"""

import re
from typing import ClassVar

from .text import to_persian_digits
from .vocabulary import ACTION_FA, NEEDS_FA, ROLE_FA, SEX_FA, STATUS_FA


class SabtError(Exception):
    """A refusal that the caller can act on. `code` is stable; `field` names the input at fault; `params`
    fill in the message."""

    code: ClassVar[str]
    en: ClassVar[str]
    fa: ClassVar[str]
    status: ClassVar[int] = 400
    exit_code: ClassVar[int] = 1
    # Every refusal by its code, filled in as each class is defined: `refusal` and the tests read it.
    catalogue: ClassVar[dict[str, type["SabtError"]]] = {}

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if "code" not in cls.__dict__:
            return  # a kind of refusal, not one refusal
        if cls.code in SabtError.catalogue:
            raise TypeError(f"{cls.__qualname__} and {SabtError.catalogue[cls.code].__qualname__} share {cls.code}")
        SabtError.catalogue[cls.code] = cls

    def __init__(self, *, field: str | None = None, **params: object) -> None:
        if "code" not in type(self).__dict__:
            raise TypeError(f"{type(self).__name__} is a kind of refusal; raise one of its refusals")
        self.field = field
        self.params = params
        self.message_en, self.message_fa = fill_message(self.en, self.fa, **params)
        super().__init__(f"{self.code}: {self.message_en}")


def refusal(code: str, /, *, field: str | None = None, **params: object) -> SabtError:
    """The refusal with this code, for a pure rule that names its reason (a date's `no_such_day`, a
    marriage's `marriage.limit`) rather than raising."""
    return SabtError.catalogue[code](field=field, **params)


def fill_message(template_en: str, template_fa: str, /, **params: object) -> tuple[str, str]:
    """A message in English and Persian with its parameters filled in. In Persian, numbers and national codes
    take Persian digits; a value with Latin letters (a serial, a document number, a username) is shown as it
    is typed, and so is the template's own text (UTF-8, SHA-256)."""
    return template_en.format(**_english(params)), template_fa.format(**_persian(params))


def _english(params: dict[str, object]) -> dict[str, str]:
    return {key: str(value).replace("_", " ") for key, value in params.items()} | {
        "action_past": _past(str(params.get("action", ""))),
    }


def _persian(params: dict[str, object]) -> dict[str, str]:
    values = {key: _as_read(str(value)) for key, value in params.items()}
    values["role_fa"] = ROLE_FA.get(values.get("role", ""), "")
    values["action_fa"] = ACTION_FA.get(values.get("action", ""), "")
    values["status_fa"] = STATUS_FA.get(values.get("status", ""), "")
    values["sex_fa"] = SEX_FA.get(values.get("sex", ""), "")
    values["needs_fa"] = NEEDS_FA.get(values.get("needs", ""), "")
    return values


def _as_read(value: str) -> str:
    return value if _LATIN_LETTER.search(value) else to_persian_digits(value)


_LATIN_LETTER = re.compile("[A-Za-z]")
_PAST_PARTICIPLE = {
    "validate": "validated",
    "register": "registered",
    "reject": "rejected",
    "resubmit": "re-submitted",
    "assign": "assigned",
    "approve_late": "approved as late",
}


def _past(action: str) -> str:
    return _PAST_PARTICIPLE.get(action, action)


# --- the kinds of refusal: each fixes the HTTP status and the exit code of the refusals derived from it ----


class InvalidInput(SabtError):
    status = 422


class NotFound(SabtError):
    status = 404
    exit_code = 3


class Conflict(SabtError):
    status = 409
    exit_code = 4


class Unauthorized(SabtError):
    status = 401
    exit_code = 5


class Forbidden(SabtError):
    status = 403
    exit_code = 5


class TooManyRequests(SabtError):
    status = 429


class BadRequest(SabtError):
    status = 400


class MethodNotAllowed(SabtError):
    status = 405


class PayloadTooLarge(SabtError):
    status = 413


class UnsupportedMediaType(SabtError):
    status = 415


class Unavailable(SabtError):
    """A part the registry depends on (the database, the key store) cannot serve just now; nothing was saved
    and the same request may be sent again after `seconds`."""

    status = 503
    exit_code = 75  # EX_TEMPFAIL


class ServerFault(SabtError):
    """Something the caller cannot act on went wrong; nothing was saved."""

    status = 500


# --- refusals of input that every feature checks ----------------------------------------------------------


class NationalCodeLength(InvalidInput):
    code = "national_code.length"
    en = "A national code has exactly 10 digits."
    fa = "کد ملی باید دقیقاً ۱۰ رقم باشد."


class NationalCodeNotDigits(InvalidInput):
    code = "national_code.not_digits"
    en = "A national code contains only digits."
    fa = "کد ملی فقط از رقم تشکیل می‌شود."


class NationalCodeRepeatedDigit(InvalidInput):
    code = "national_code.repeated_digit"
    en = "A national code cannot be ten identical digits."
    fa = "کد ملی نمی‌تواند ده رقم یکسان باشد."


class NationalCodeCheckDigit(InvalidInput):
    code = "national_code.check_digit"
    en = "The check digit of this national code is wrong."
    fa = "رقم کنترل این کد ملی نادرست است."


class NationalCodePrefix(InvalidInput):
    code = "national_code.prefix"
    en = "A place prefix has exactly 3 digits."
    fa = "پیشوند محل باید ۳ رقم باشد."


class DateFormat(InvalidInput):
    code = "date.format"
    en = "Write the date as YYYY/MM/DD, Jalali or Gregorian."
    fa = "تاریخ را به صورت سال/ماه/روز (شمسی یا میلادی) بنویسید."


class DateNoSuchDay(InvalidInput):
    code = "date.no_such_day"
    en = "There is no such day in the calendar."
    fa = "چنین روزی در تقویم وجود ندارد."


class DateOutOfRange(InvalidInput):
    code = "date.out_of_range"
    en = "The date is not between 1800 and 2199 (1178 and 1578 in the Jalali calendar)."
    fa = "تاریخ میان ۱۱۷۸ و ۱۵۷۸ خورشیدی (۱۸۰۰ تا ۲۱۹۹ میلادی) نیست."


class DateInFuture(InvalidInput):
    code = "date.in_future"
    en = "The date is in the future."
    fa = "تاریخ در آینده است."


class DateTooOld(InvalidInput):
    code = "date.too_old"
    en = "The date is earlier than {limit}."
    fa = "تاریخ پیش از {limit} است."


class DateBeforeBirth(InvalidInput):
    code = "date.before_birth"
    en = "The date is before the person's birth on {birth_date}."
    fa = "تاریخ پیش از تولد این شخص ({birth_date}) است."


class DateBeforeMarriage(InvalidInput):
    code = "date.before_marriage"
    en = "The divorce date is before the marriage on {married_on}."
    fa = "تاریخ طلاق پیش از تاریخ ازدواج ({married_on}) است."


class NameEmpty(InvalidInput):
    code = "name.empty"
    en = "The name is empty."
    fa = "نام خالی است."


class NameTooLong(InvalidInput):
    code = "name.too_long"
    en = "The name is longer than 60 letters."
    fa = "نام بیش از ۶۰ حرف است."


class NameBadCharacters(InvalidInput):
    code = "name.bad_characters"
    en = "A name is written in Persian letters, its parts separated by a space or a ZWNJ."
    fa = "نام فقط با حروف فارسی نوشته می‌شود و اجزای آن با فاصله یا نیم‌فاصله جدا می‌شوند."


class TextBadCharacter(InvalidInput):
    code = "text.bad_character"
    en = "The text holds a character no text may hold ({character}: a control or direction-override character)."
    fa = "این متن نویسه‌ای پنهان و غیرمجاز دارد (نویسه کنترلی یا تغییر جهت)؛ آن را دوباره تایپ کنید."


class TextLineBreak(InvalidInput):
    code = "text.line_break"
    en = "This field is one line: no line breaks or tabs."
    fa = "این فیلد یک‌خطی است: بدون شکست خط یا تب."


class RequestMalformed(BadRequest):
    code = "request.malformed"
    en = "The request body could not be read: it is not valid UTF-8, or it is nested too deeply."
    fa = "بدنه درخواست خوانا نیست: با UTF-8 نوشته نشده یا بیش از اندازه تودرتو است."


class TimeFormat(InvalidInput):
    code = "time.format"
    en = "Write the time as HH:MM."
    fa = "ساعت را به صورت ساعت:دقیقه بنویسید."


class RequestInvalid(InvalidInput):
    code = "request.invalid"
    en = "{detail}"
    fa = "مقدار این فیلد پذیرفتنی نیست؛ آن را مطابق راهنمای فیلد اصلاح کنید."


class RequestTooLong(InvalidInput):
    code = "request.too_long"
    en = "Too long: write at most {limit} characters."
    fa = "بیش از اندازه بلند است: حداکثر {limit} نویسه بنویسید."


class RequestTooShort(InvalidInput):
    code = "request.too_short"
    en = "Too short: write at least {limit} characters."
    fa = "بیش از اندازه کوتاه است: دست‌کم {limit} نویسه بنویسید."


class RequestTooMany(InvalidInput):
    code = "request.too_many"
    en = "Too many: at most {limit} items."
    fa = "بیش از اندازه است: حداکثر {limit} مورد پذیرفته می‌شود."


class RequestTooFew(InvalidInput):
    code = "request.too_few"
    en = "Too few: at least {limit} items."
    fa = "کم است: دست‌کم {limit} مورد لازم است."


class RequestBelowMinimum(InvalidInput):
    code = "request.below_minimum"
    en = "Too small: write a number of at least {limit}."
    fa = "عدد کوچک‌تر از حد مجاز است: عددی از {limit} به بالا بنویسید."


class RequestAboveMaximum(InvalidInput):
    code = "request.above_maximum"
    en = "Too large: write a number of at most {limit}."
    fa = "عدد بزرگ‌تر از حد مجاز است: عددی تا {limit} بنویسید."


class RequestNotANumber(InvalidInput):
    code = "request.not_a_number"
    en = "Write a whole number (Persian, Arabic-Indic or Latin digits)."
    fa = "یک عدد صحیح بنویسید (با رقم‌های فارسی یا لاتین)."


class RequestNotAChoice(InvalidInput):
    code = "request.not_a_choice"
    en = "Not one of the choices: {choices}."
    fa = "یکی از گزینه‌های فهرست را انتخاب کنید."


class RequestMissing(InvalidInput):
    code = "request.missing"
    en = "This field is required."
    fa = "این فیلد الزامی است."


class RequestExtra(InvalidInput):
    code = "request.extra"
    en = "This field is not expected here."
    fa = "این فیلد در اینجا پیش‌بینی نشده است."


class ServerError(ServerFault):
    code = "server.error"
    en = "Something went wrong on the server; nothing was saved."
    fa = "خطایی در سرور رخ داد؛ چیزی ذخیره نشد."


class ServerDatabaseUnavailable(Unavailable):
    code = "server.database_unavailable"
    en = "The registry's database connection was lost; nothing was saved. Try again in a moment."
    fa = "اتصال به پایگاه داده ثبت قطع شد؛ چیزی ذخیره نشد. لحظه‌ای بعد دوباره تلاش کنید."


class MetricsToken(Unauthorized):
    code = "metrics.token"
    en = "The metrics are read with the bearer token kept in the server's data directory (keys/metrics-token)."
    fa = "سنجه‌ها فقط با توکن حامل موجود در پوشه داده‌های سرور (keys/metrics-token) خوانده می‌شوند."


class KeysUnavailable(Unavailable):
    code = "keys.unavailable"
    en = "The registry's signing keys cannot be reached just now; nothing was saved. Try again in a moment."
    fa = "کلیدهای امضای ثبت اکنون در دسترس نیستند؛ چیزی ذخیره نشد. لحظه‌ای بعد دوباره تلاش کنید."


class RequestNotJson(InvalidInput):
    code = "request.not_json"
    en = "The request body is not valid JSON."
    fa = "بدنه درخواست JSON معتبر نیست."


class RequestMediaType(UnsupportedMediaType):
    code = "request.media_type"
    en = "Send the body as application/json."
    fa = "بدنه درخواست باید application/json باشد."


class RequestTooLarge(PayloadTooLarge):
    code = "request.too_large"
    en = "The request body is larger than {limit} bytes."
    fa = "حجم بدنه درخواست بیش از {limit} بایت است."


class DateBeforeEvent(InvalidInput):
    code = "date.before_event"
    en = "This date is before the event itself."
    fa = "این تاریخ پیش از خود واقعه است."


class NationalCodeExhausted(Conflict):
    code = "national_code.exhausted"
    en = "Every national code under prefix {prefix} has been issued."
    fa = "همه کدهای ملی با پیشوند {prefix} صادر شده‌اند."


class KeysFile(InvalidInput):
    code = "keys.file"
    en = "The key set cannot be read: {detail}."
    fa = "مجموعه کلیدها قابل خواندن نیست ({detail})."


class CitizenOnly(Forbidden):
    code = "citizen.only"
    en = "Only a citizen's own account can do this."
    fa = "این کار فقط با حساب خود شهروند ممکن است."


class DateRange(InvalidInput):
    code = "date.range"
    en = "The end of the period is before its start."
    fa = "پایان دوره پیش از آغاز آن است."


class AuthStepUp(Unauthorized):
    code = "auth.step_up"
    en = "This step ({action}) needs the second factor again: give a fresh code or use your passkey."
    fa = "این کار («{action_fa}») دوباره عامل دوم ورود را می‌خواهد: رمز یک‌بار مصرف تازه یا کلید عبور."


class RoleForbidden(Forbidden):
    code = "role.forbidden"
    en = "The role {role} may not {action}."
    fa = "نقش «{role_fa}» اجازه «{action_fa}» ندارد."


class OfficeForbidden(Forbidden):
    code = "office.forbidden"
    en = "This record belongs to another office."
    fa = "این پرونده متعلق به اداره دیگری است."


class CsrfInvalid(Forbidden):
    code = "csrf.invalid"
    en = "The form has expired or did not come from this site; open it again."
    fa = "این فرم منقضی شده یا از این سامانه نیامده است؛ دوباره آن را باز کنید."


class NoSuchAddress(NotFound):
    code = "not_found"
    en = "There is nothing at this address."
    fa = "چیزی در این نشانی وجود ندارد."


class MethodNotAccepted(MethodNotAllowed):
    code = "method"
    en = "This address does not accept that method."
    fa = "این نشانی این روش را نمی‌پذیرد."


class WebhookUrl(InvalidInput):
    code = "webhook.url"
    en = "This is not an address a request can be sent to (a host, and a port from 1 to 65535)."
    fa = "این نشانی‌ای نیست که بتوان به آن درخواست فرستاد (میزبان و درگاهی از ۱ تا ۶۵۵۳۵)."
