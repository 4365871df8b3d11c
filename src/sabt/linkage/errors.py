"""Refusals of duplicate detection: runs, review cases and evaluations."""

from ..core.errors import Conflict, InvalidInput, NotFound


class LinkageBadTruth(InvalidInput):
    code = "linkage.bad_truth"
    en = "The truth file needs the columns row and person."
    fa = "فایل واقعیت باید ستون‌های row و person را داشته باشد."


class LinkageTruthMismatch(InvalidInput):
    code = "linkage.truth_mismatch"
    en = "The truth file labels {labelled} rows but the legacy file has {rows}."
    fa = "فایل واقعیت {labelled} ردیف را برچسب زده اما فایل قدیمی {rows} ردیف دارد."


class LinkageTruthOf(InvalidInput):
    code = "linkage.truth_of"
    en = "Row {row} of the truth file says it is of row {of}, which is not a row of the legacy file."
    fa = "ردیف {row} فایل واقعیت به ردیف {of} ارجاع می‌دهد که در فایل قدیمی نیست."


class LinkageTooFewPairs(InvalidInput):
    code = "linkage.too_few_pairs"
    en = "A model needs at least {needed} pairs known to be one person; the file has {pairs}."
    fa = "برای آموختن مدل دست‌کم {needed} جفت رکورد از یک شخص لازم است؛ این فایل {pairs} جفت دارد."


class LinkageNoCase(NotFound):
    code = "linkage.no_case"
    en = "There is no review case {case}."
    fa = "پرونده بررسی {case} وجود ندارد."


class LinkageDecided(Conflict):
    code = "linkage.decided"
    en = "Case {case} was already decided ({status})."
    fa = "درباره پرونده {case} پیش‌تر تصمیم گرفته شده است ({status})."


class LinkageKeep(InvalidInput):
    code = "linkage.keep"
    en = "The record to keep must be one of the case's two persons."
    fa = "رکورد ماندگار باید یکی از دو شخص این پرونده باشد."


class LinkageNotAPair(InvalidInput):
    code = "linkage.not_a_pair"
    en = "Only a case about two persons can be decided as a duplicate."
    fa = "فقط پرونده‌ای که دو شخص دارد می‌تواند تکراری شناخته شود."


class LinkageMerged(Conflict):
    code = "linkage.merged"
    en = "Person {code} was merged into another record."
    fa = "شخص با کد ملی {code} در رکورد دیگری ادغام شده است."


class LinkageRunning(Conflict):
    code = "linkage.running"
    en = "Run {run} is still running."
    fa = "اجرای {run} هنوز در جریان است."


class LinkageNotBirth(InvalidInput):
    code = "linkage.not_birth"
    en = "Only a birth declaration creates a person to check for duplicates."
    fa = "فقط اعلام ولادت شخص تازه‌ای می‌سازد که باید از نظر تکرار بررسی شود."
