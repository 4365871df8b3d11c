"""Refusals of the reference geography: offices, provinces and counties."""

from ..core.errors import Conflict, InvalidInput, NotFound


class CountyUnknown(NotFound):
    code = "county.unknown"
    en = "There is no county with code {code}."
    fa = "شهرستانی با کد {code} وجود ندارد."


class ProvinceUnknown(NotFound):
    code = "province.unknown"
    en = "There is no province with code {code}."
    fa = "استانی با کد {code} وجود ندارد."


class OfficeUnknown(NotFound):
    code = "office.unknown"
    en = "There is no office with code {code}."
    fa = "اداره‌ای با کد {code} وجود ندارد."


class OfficeExists(Conflict):
    code = "office.exists"
    en = "An office with code {code} already exists."
    fa = "اداره‌ای با کد {code} از قبل وجود دارد."


class OfficeNoPrefix(InvalidInput):
    code = "office.no_prefix"
    en = "The office's county has no national-code prefix; give the office one."
    fa = "شهرستان این اداره پیشوند کد ملی ندارد؛ برای اداره پیشوند تعیین کنید."
