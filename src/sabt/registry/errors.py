"""Refusals of vital events and persons: declarations, their evidence, corrections and imports."""

from ..core.errors import Conflict, InvalidInput, NotFound


class IdempotencyKeyFormat(InvalidInput):
    code = "idempotency_key.format"
    en = "An Idempotency-Key is 1 to 100 visible ASCII characters."
    fa = "کلید یکتایی باید ۱ تا ۱۰۰ نویسه ASCII دیدنی باشد."


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key.reused"
    en = "This Idempotency-Key was already used for a different request."
    fa = "این کلید یکتایی قبلاً برای درخواست دیگری به کار رفته است."


class OfficeRequired(InvalidInput):
    code = "office.required"
    en = "Name the office where the event is declared."
    fa = "اداره‌ای را که واقعه در آن اعلام می‌شود مشخص کنید."


class PersonMerged(Conflict):
    code = "person.merged"
    en = "{code} was found to be a duplicate and merged into {into}; use that record."
    fa = "کد ملی {code} تکراری شناخته و در {into} ادغام شده است؛ از آن رکورد استفاده کنید."


class PersonUnknown(NotFound):
    code = "person.unknown"
    en = "No person with national code {code} is in the registry."
    fa = "شخصی با کد ملی {code} در ثبت وجود ندارد."


class PersonDeceased(Conflict):
    code = "person.deceased"
    en = "The person with national code {code} is recorded as deceased."
    fa = "شخص با کد ملی {code} فوت‌شده ثبت شده است."


class PersonSex(InvalidInput):
    code = "person.sex"
    en = "The person with national code {code} must be {sex}."
    fa = "شخص با کد ملی {code} باید {sex_fa} باشد."


class PersonBornAfterChild(InvalidInput):
    code = "person.born_after_child"
    en = "The parent with national code {code} was born after the child."
    fa = "والد با کد ملی {code} پس از فرزند متولد شده است."


class PersonDeclarant(InvalidInput):
    code = "person.declarant"
    en = "Name the declarant (first and last name) when they are not a parent."
    fa = "نام و نام خانوادگی اعلام‌کننده را وقتی پدر یا مادر نیست وارد کنید."


class PersonSame(InvalidInput):
    code = "person.same"
    en = "Both sides name the same person."
    fa = "هر دو طرف یک شخص هستند."


class PersonNoCorrection(InvalidInput):
    code = "person.no_correction"
    en = "The correction changes nothing."
    fa = "اصلاحیه تغییری ایجاد نمی‌کند."


class MarriageUnderAge(InvalidInput):
    code = "marriage.under_age"
    en = "The person with national code {code} is under the minimum age of {age} on the marriage date."
    fa = "شخص با کد ملی {code} در تاریخ ازدواج کمتر از {age} سال دارد."


class MarriageWifeMarried(Conflict):
    code = "marriage.wife_married"
    en = "The woman with national code {code} is already married."
    fa = "بانو با کد ملی {code} در حال حاضر همسر دارد."


class MarriageNeedsCourtPermission(Conflict):
    code = "marriage.needs_court_permission"
    en = "The man with national code {code} is already married; a further marriage needs a court permission."
    fa = "آقا با کد ملی {code} همسر دارد؛ ازدواج مجدد نیازمند اجازه دادگاه است."


class MarriageLimit(Conflict):
    code = "marriage.limit"
    en = "The man with national code {code} already has the maximum number of wives."
    fa = "آقا با کد ملی {code} به حداکثر تعداد همسر رسیده است."


class MarriageExists(Conflict):
    code = "marriage.exists"
    en = "These two persons are already married to each other."
    fa = "این دو نفر در حال حاضر با یکدیگر ازدواج کرده‌اند."


class MarriageNone(Conflict):
    code = "marriage.none"
    en = "These two persons are not married to each other."
    fa = "این دو نفر با یکدیگر ازدواج ثبت‌شده‌ای ندارند."


class EventUnknown(NotFound):
    code = "event.unknown"
    en = "There is no event {id}."
    fa = "واقعه‌ای با شناسه {id} وجود ندارد."


class EventPending(Conflict):
    code = "event.pending"
    en = "An earlier declaration of this {kind} (event {id}) is still in progress."
    fa = "اعلام قبلی همین واقعه (شناسه {id}) هنوز در جریان است."


class EventTransition(Conflict):
    code = "event.transition"
    en = "An event that is {status} cannot be {action_past}."
    fa = "واقعه‌ای در وضعیت «{status_fa}» قابل «{action_fa}» نیست."


class EventAssigned(Conflict):
    code = "event.assigned"
    en = "{holder} is working on this event; they or the office head can hand it back."
    fa = "این واقعه در دست «{holder}» است؛ او یا رئیس اداره می‌تواند آن را رها کند."


class EventLateUnapproved(Conflict):
    code = "event.late_unapproved"
    en = "This declaration is late and needs the office head's approval first."
    fa = "این اعلام خارج از مهلت قانونی است و ابتدا به تأیید رئیس اداره نیاز دارد."


class EventNotLate(Conflict):
    code = "event.not_late"
    en = "This declaration is on time; it needs no approval."
    fa = "این اعلام در مهلت است و به تأیید نیاز ندارد."


class EventOfOtherKind(InvalidInput):
    code = "event.kind"
    en = "Event {id} is a {kind}, not a {expected}."
    fa = "واقعه {id} از نوع دیگری است."


class EvidenceKind(InvalidInput):
    code = "evidence.kind"
    en = "A {event} cannot be registered on a {kind}."
    fa = "واقعه از این نوع با این مدرک قابل ثبت نیست."


class EvidenceIncomplete(InvalidInput):
    code = "evidence.incomplete"
    en = "This evidence needs its issuer and document number."
    fa = "این مدرک باید صادرکننده و شماره سند داشته باشد."


class EvidenceWitnesses(InvalidInput):
    code = "evidence.witnesses"
    en = "Testimony needs two different witnesses."
    fa = "گواهی شهود به دو شاهد متفاوت نیاز دارد."


class ImportNoFile(InvalidInput):
    code = "import.no_file"
    en = "There is no file at {path}."
    fa = "فایلی در {path} وجود ندارد."


class ImportUnreadable(InvalidInput):
    code = "import.unreadable"
    en = "The file cannot be read from row {row} on: it is not UTF-8 CSV, or a field is too long."
    fa = "پرونده از ردیف {row} به بعد خوانا نیست: CSV با UTF-8 نیست یا فیلدی بیش از اندازه بلند است."


class ImportColumns(InvalidInput):
    code = "import.columns"
    en = "The file has no column {column}: it is not a person file of the import format."
    fa = "پرونده ستون {column} را ندارد: پرونده اشخاص با قالب ورود اطلاعات نیست."


class ImportSex(InvalidInput):
    code = "import.sex"
    en = "Sex must be male or female."
    fa = "جنسیت باید مرد یا زن باشد."


class ImportDayMonthSwapped(InvalidInput):
    """A warning, not a refusal: the row is imported with the date read the only way it can be."""

    code = "import.day_month_swapped"
    en = "The month of {typed} cannot be a month: read as {read}, with the day and month swapped back."
    fa = "ماه در {typed} نمی‌تواند ماه باشد: با جابه‌جا کردن روز و ماه، {read} خوانده شد."


class ImportFatherUnnamed(InvalidInput):
    """A warning, not a refusal: old registers often lack the father's first name."""

    code = "import.father_unnamed"
    en = "The father's first name is missing: imported without it."
    fa = "نام پدر در ردیف نیست: ردیف بدون آن وارد شد."


class ImportCodeTaken(InvalidInput):
    code = "import.code_taken"
    en = "National code {code} already belongs to someone in the registry or earlier in this file."
    fa = "کد ملی {code} پیش‌تر در ثبت یا در ردیف‌های قبلی همین فایل آمده است."


# --- the medical certificate of cause of death (core.causes names which rule a certificate breaks) ----------


class CauseCodeUnknown(InvalidInput):
    code = "cause.code_unknown"
    en = "{code} is not a code of ICD-10 (WHO's 2019 edition)."
    fa = "{code} کدی از ICD-10 (ویرایش ۲۰۱۹ سازمان جهانی بهداشت) نیست."


class CauseCodeNotSpecific(InvalidInput):
    code = "cause.code_not_specific"
    en = "{code} has subcategories: give the fourth character (for example {code}.9)."
    fa = "{code} زیرگروه دارد: رقم چهارم را هم بنویسید (مثلاً {code}.9)."


class CauseIntervalOrder(InvalidInput):
    code = "cause.interval_order"
    en = "A condition on a lower line of part I led to the ones above it: it cannot have begun after them."
    fa = "بیماری سطر پایین‌تر بخش یک به بیماری‌های بالاتر انجامیده است و نمی‌تواند دیرتر از آن‌ها شروع شده باشد."


class CauseUnderlyingNotListed(InvalidInput):
    code = "cause.underlying_not_listed"
    en = "The underlying cause {code} is not one of the conditions the certificate lists."
    fa = "علت زمینه‌ای {code} در میان بیماری‌های نوشته‌شده در گواهی نیست."


class CauseInjuryNotUnderlying(InvalidInput):
    code = "cause.injury_not_underlying"
    en = "{code} is the nature of an injury: the underlying cause is its external cause (V01–Y98)."
    fa = "{code} نوع آسیب است: علت زمینه‌ای، علت خارجی آن است (V01–Y98)."


class CauseFactorNotUnderlying(InvalidInput):
    code = "cause.factor_not_underlying"
    en = "{code} is a factor influencing health, not a cause of death."
    fa = "{code} عاملی مؤثر بر سلامت است، نه علت مرگ."


class CauseManifestationNotUnderlying(InvalidInput):
    code = "cause.manifestation_not_underlying"
    en = "{code} is a manifestation or agent of a disease coded elsewhere: the underlying cause is that disease."
    fa = "{code} تظاهر یا عامل بیماری دیگری است: علت زمینه‌ای همان بیماری است."


class CauseExternalCauseNeeded(InvalidInput):
    code = "cause.external_cause_needed"
    en = "The manner of death is not disease: the underlying cause is an external cause (V01–Y98), not {code}."
    fa = "نحوه مرگ بیماری نیست: علت زمینه‌ای باید علتی خارجی باشد (V01–Y98)، نه {code}."


class CauseMannerNotDisease(InvalidInput):
    code = "cause.manner_not_disease"
    en = "The underlying cause {code} is an external cause: the manner of death cannot be disease."
    fa = "علت زمینه‌ای {code} علتی خارجی است: نحوه مرگ نمی‌تواند بیماری باشد."


class CausePregnancyImpossible(InvalidInput):
    code = "cause.pregnancy_impossible"
    en = "Pregnancy cannot be stated for this deceased (a woman aged 10 to 54 only)."
    fa = "بارداری برای این متوفی ممکن نیست (تنها برای زنان ۱۰ تا ۵۴ ساله)."


class CausePregnancyStatus(InvalidInput):
    code = "cause.pregnancy_status"
    en = "The underlying cause {code} concerns a pregnancy, but the certificate says she was not pregnant."
    fa = "علت زمینه‌ای {code} مربوط به بارداری است، اما در گواهی باردار نبودن آمده است."
