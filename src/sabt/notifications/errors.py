"""Refusals of facilities' notifications and of their FHIR form."""

from ..core.errors import Conflict, Forbidden, InvalidInput, NotFound


class NotificationNotAllowed(Forbidden):
    code = "notification.not_allowed"
    en = "This partner's policy does not let it notify {kind}s."
    fa = "سیاست دسترسی این دستگاه اجازه اعلام این نوع واقعه را نمی‌دهد."


class NotificationFacility(InvalidInput):
    code = "notification.facility"
    en = "The notification names facility {facility}, which is not the caller ({caller})."
    fa = "اعلام به نام مرکز {facility} است که فرستنده آن ({caller}) نیست."


class NotificationReused(Conflict):
    code = "notification.reference_reused"
    en = "Reference {reference} was already used for a different notification."
    fa = "شناسه {reference} پیش‌تر برای اعلام دیگری به کار رفته است."


class NotificationBeforeBirth(InvalidInput):
    code = "notification.before_birth"
    en = "The day is before the person's birth."
    fa = "این تاریخ پیش از تولد این شخص است."


class NotificationNoOffice(Conflict):
    code = "notification.no_office"
    en = "No office serves county {county} or its province."
    fa = "هیچ اداره‌ای در شهرستان {county} یا استان آن نیست."


class NotificationUnknown(NotFound):
    code = "notification.unknown"
    en = "There is no notification {id}."
    fa = "اعلامی با شماره {id} وجود ندارد."


class NotificationClosed(Conflict):
    code = "notification.closed"
    en = "Notification {id} no longer waits: a declaration answers it, or it was closed."
    fa = "اعلام شماره {id} دیگر در انتظار نیست: اعلامی از خانواده دارد یا بسته شده است."


class FhirInvalid(InvalidInput):
    code = "fhir.invalid"
    en = "Not a valid FHIR R4 resource: {detail}."
    fa = "منبع معتبر FHIR R4 نیست: {detail}."


class FhirNotANotification(InvalidInput):
    code = "fhir.not_a_notification"
    en = "The Bundle is not a birth or death notification: {detail}."
    fa = "این Bundle اعلام ولادت یا وفات نیست: {detail}."
