"""Refusals of partners' checks, their keys and policies, voters' lists and webhooks."""

from ..core.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests, Unauthorized


class PartnerKeyRefused(Unauthorized):
    code = "partner.key"
    en = "The API key is missing, unknown or revoked."
    fa = "کلید دسترسی وجود ندارد، ناشناخته یا باطل است."


class PartnerExists(Conflict):
    code = "partner.exists"
    en = "A partner with code {code} already exists."
    fa = "دستگاهی با کد {code} از قبل وجود دارد."


class PartnerUnknown(NotFound):
    code = "partner.unknown"
    en = "There is no partner with code {code}."
    fa = "دستگاهی با کد {code} وجود ندارد."


class PartnerKeyUnknown(NotFound):
    code = "partner.key_unknown"
    en = "There is no API key {prefix}."
    fa = "کلید دسترسی {prefix} وجود ندارد."


class PartnerPolicy(Forbidden):
    code = "partner.policy"
    en = "This partner's policy does not allow {check}."
    fa = "سیاست دسترسی این دستگاه اجازه این استعلام را نمی‌دهد."


class PartnerAttribute(InvalidInput):
    code = "partner.attribute"
    en = "Attribute {attribute} is not one the registry releases."
    fa = "مشخصه {attribute} از مشخصات قابل ارائه نیست."


class RateLimited(TooManyRequests):
    code = "rate.limited"
    en = "Too many requests; try again in {seconds} seconds."
    fa = "تعداد درخواست‌ها بیش از حد مجاز است؛ {seconds} ثانیه دیگر دوباره تلاش کنید."


class IdentityNothing(InvalidInput):
    code = "identity.nothing"
    en = "Give at least one of first name, surname, birth date or father's name to compare."
    fa = "دست‌کم یکی از نام، نام خانوادگی، تاریخ تولد یا نام پدر را برای مقایسه وارد کنید."


class VotersOut(InvalidInput):
    code = "voters.out"
    en = "The roll cannot be written to {path}."
    fa = "فهرست در {path} قابل نوشتن نیست."
