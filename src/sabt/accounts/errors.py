"""Refusals of staff and citizen accounts: signing in, second factors, users and sessions."""

from ..core.errors import Conflict, InvalidInput, NotFound, TooManyRequests, Unauthorized


class CitizenCode(InvalidInput):
    code = "citizen.code"
    en = "A citizen's account needs their national code."
    fa = "حساب شهروند به کد ملی او نیاز دارد."


class CitizenExists(Conflict):
    code = "citizen.exists"
    en = "The person with national code {code} already has an account."
    fa = "شخص با کد ملی {code} از قبل حساب کاربری دارد."


class AuthRequired(Unauthorized):
    code = "auth.required"
    en = "Sign in first."
    fa = "ابتدا وارد شوید."


class AuthInvalid(Unauthorized):
    code = "auth.invalid"
    en = "The username or password is wrong."
    fa = "نام کاربری یا گذرواژه نادرست است."


class AuthToken(Unauthorized):
    code = "auth.token"
    en = "The access token is unknown or expired."
    fa = "توکن دسترسی نامعتبر یا منقضی است."


class AuthSecondFactor(Unauthorized):
    code = "auth.second_factor"
    en = "Give the second factor (an authenticator app's code or a passkey) before anything else."
    fa = "پیش از هر کار، عامل دوم ورود (رمز یک‌بار مصرف برنامه احراز هویت یا کلید عبور) را وارد کنید."


class AuthLocked(TooManyRequests):
    code = "auth.locked"
    en = (
        "Too many failed sign-ins for this account: try again in {seconds} seconds, or ask the national "
        "administrator to unlock it."
    )
    fa = (
        "ورودهای ناموفق این حساب بیش از حد بوده است: {seconds} ثانیه دیگر دوباره تلاش کنید یا از مدیر ملی "
        "بخواهید قفل آن را باز کند."
    )


class AuthThrottled(TooManyRequests):
    code = "auth.throttled"
    en = "Too many failed sign-ins from this address: try again in {seconds} seconds."
    fa = "ورودهای ناموفق از این نشانی بیش از حد بوده است: {seconds} ثانیه دیگر دوباره تلاش کنید."


class AuthNotLocked(Conflict):
    code = "auth.not_locked"
    en = "The account {username} is not locked."
    fa = "حساب {username} قفل نیست."


class FactorInvalid(Unauthorized):
    code = "factor.invalid"
    en = "The code is wrong, expired or already used: give the code your authenticator app shows now."
    fa = "رمز نادرست، منقضی یا تکراری است: رمزی را که اکنون برنامه احراز هویت نشان می‌دهد وارد کنید."


class FactorRecovery(Unauthorized):
    code = "factor.recovery"
    en = "This recovery code is wrong or was used already: each works once."
    fa = "این کد بازیابی نادرست است یا پیش‌تر به کار رفته است: هر کد فقط یک بار کار می‌کند."


class FactorPasskey(Unauthorized):
    code = "factor.passkey"
    en = "The passkey's answer was refused ({detail})."
    fa = "پاسخ کلید عبور پذیرفته نشد؛ دوباره تلاش کنید."


class FactorPasskeyKnown(Conflict):
    code = "factor.passkey_known"
    en = "This passkey is registered already."
    fa = "این کلید عبور پیش‌تر ثبت شده است."


class FactorNoPasskey(NotFound):
    code = "factor.no_passkey"
    en = "This account has no passkey."
    fa = "این حساب کلید عبوری ندارد."


class FactorNothingToConfirm(Conflict):
    code = "factor.nothing_to_confirm"
    en = "No authenticator app is waiting to be confirmed: start again."
    fa = "برنامه احراز هویتی در انتظار تأیید نیست: از ابتدا شروع کنید."


class SessionUnknown(NotFound):
    code = "session.unknown"
    en = "This user has no session {id}."
    fa = "این کاربر نشستی با شناسه {id} ندارد."


class UserExists(Conflict):
    code = "user.exists"
    en = "A user named {username} already exists."
    fa = "کاربری با نام {username} از قبل وجود دارد."


class UserUnknown(NotFound):
    code = "user.unknown"
    en = "There is no user named {username}."
    fa = "کاربری با نام {username} وجود ندارد."


class UserOffice(InvalidInput):
    code = "user.office"
    en = "A {role} must belong to an office."
    fa = "کاربر با نقش «{role_fa}» باید به یک اداره تعلق داشته باشد."


class UserPassword(InvalidInput):
    code = "user.password"
    en = "A password needs at least 10 characters."
    fa = "گذرواژه باید دست‌کم ۱۰ نویسه باشد."
