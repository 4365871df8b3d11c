"""Refusals of certificates: issuing, printing, revoking, and reading and checking a certificate's code."""

from ..core.errors import Conflict, InvalidInput, NotFound


class NotGenuine(InvalidInput):
    """The code decoded, but its signature or its key says it is not a certificate Sabt issued."""


class SerialFormat(InvalidInput):
    code = "serial.format"
    en = "A certificate serial is a letter, 9 digits and a check character."
    fa = "شماره سریال گواهی یک حرف، ۹ رقم و یک نویسه کنترل است."


class SerialCheck(InvalidInput):
    code = "serial.check"
    en = "The check character of this serial is wrong."
    fa = "نویسه کنترل این شماره سریال نادرست است."


class CertificateUnknown(NotFound):
    code = "certificate.unknown"
    en = "There is no certificate with serial {serial}."
    fa = "گواهی با سریال {serial} وجود ندارد."


class CertificateSubject(InvalidInput):
    code = "certificate.subject"
    en = "A {kind} certificate needs {needs}."
    fa = "برای این نوع گواهی {needs_fa} لازم است."


class CertificateAlive(InvalidInput):
    code = "certificate.alive"
    en = "The person with national code {code} is not recorded as deceased."
    fa = "شخص با کد ملی {code} فوت‌شده ثبت نشده است."


class CertificateEvent(InvalidInput):
    code = "certificate.event"
    en = "Event {id} is not a registered {kind}."
    fa = "واقعه {id} یک واقعه ثبت‌شده از این نوع نیست."


class CertificateExists(Conflict):
    code = "certificate.exists"
    en = "Certificate {serial} is already current for this record; print it again, or revoke it first."
    fa = "گواهی {serial} برای این پرونده معتبر است؛ آن را دوباره چاپ کنید یا ابتدا باطل کنید."


class CertificateTampered(Conflict):
    code = "certificate.tampered"
    en = (
        "Certificate {serial} was changed outside Sabt: its stored facts are not those its signed code "
        "carries. Nothing was printed; report it to the auditor."
    )
    fa = (
        "اطلاعات گواهی {serial} بیرون از سامانه تغییر کرده و با کد امضاشده آن یکی نیست. چیزی چاپ نشد؛ موضوع "
        "را به بازرس گزارش دهید."
    )


class CertificateNotCurrent(Conflict):
    code = "certificate.not_current"
    en = "Certificate {serial} is {status}; only a current certificate can be used."
    fa = "گواهی {serial} دیگر معتبر نیست و قابل استفاده نیست."


class CertificateNoKey(InvalidInput):
    code = "certificate.no_key"
    en = "No certificate signing key is held here; run `sabt certificates keys rotate`."
    fa = "کلید امضای گواهی در این سرور وجود ندارد."


class QrEmpty(InvalidInput):
    code = "qr.empty"
    en = "Give the certificate's code, or a photo, scan or PDF of it."
    fa = "کد گواهی یا تصویر یا فایل PDF آن را وارد کنید."


class QrTooLong(InvalidInput):
    code = "qr.too_long"
    en = "The code is longer than any Sabt certificate code."
    fa = "این کد از هر کد گواهی ثبت بلندتر است."


class QrPrefix(InvalidInput):
    code = "qr.prefix"
    en = "The code does not start with {prefix}: it is not a Sabt certificate code."
    fa = "کد با {prefix} آغاز نمی‌شود؛ کد گواهی ثبت احوال نیست."


class QrBase45(InvalidInput):
    code = "qr.base45"
    en = "The code is not valid Base45; it may be cut short or mistyped."
    fa = "کد در قالب درست نیست؛ شاید ناقص یا اشتباه وارد شده باشد."


class QrCompressed(InvalidInput):
    code = "qr.compressed"
    en = "The code's compressed data is damaged."
    fa = "داده فشرده کد آسیب دیده است."


class QrStructure(InvalidInput):
    code = "qr.structure"
    en = "The code is not a signed certificate (COSE_Sign1 CWT)."
    fa = "کد یک گواهی امضاشده نیست."


class UploadFormat(InvalidInput):
    code = "upload.format"
    en = "The file is not a PNG, JPEG or PDF."
    fa = "فایل از نوع PNG، JPEG یا PDF نیست."


class UploadUnreadable(InvalidInput):
    code = "upload.unreadable"
    en = "The file cannot be read as {kind}."
    fa = "فایل قابل خواندن نیست."


class UploadNoQr(InvalidInput):
    code = "upload.no_qr"
    en = "No QR code was found in the file."
    fa = "هیچ کد QR در فایل یافت نشد."


class VerifyUnknownKey(NotGenuine):
    code = "verify.unknown_key"
    en = "The code was signed with a key that is not in the key set."
    fa = "کد با کلیدی امضا شده که در مجموعه کلیدهای سازمان نیست."


class VerifyBadSignature(NotGenuine):
    code = "verify.bad_signature"
    en = "The signature does not match the data: the code was altered or forged."
    fa = "امضا با داده‌ها مطابقت ندارد؛ کد دستکاری یا جعل شده است."


class VerifyKeyExpired(NotGenuine):
    code = "verify.key_expired"
    en = "The code claims to be issued when its signing key was not in use."
    fa = "تاریخ صدور کد خارج از دوره اعتبار کلید امضای آن است."


class VerifyIssuedInFuture(NotGenuine):
    code = "verify.issued_in_future"
    en = "The code claims to be issued in the future."
    fa = "تاریخ صدور کد در آینده است."


class VerifyIssuer(NotGenuine):
    code = "verify.issuer"
    en = "The code names another issuer ({issuer})."
    fa = "صادرکننده کد سازمان دیگری است ({issuer})."
