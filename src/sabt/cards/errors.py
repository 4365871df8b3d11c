"""Refusals of smart national cards: applications, enrolment, production batches and hand-over."""

from ..core.errors import Conflict, InvalidInput, NotFound


class CardUnknown(NotFound):
    code = "card.unknown"
    en = "There is no card {card}."
    fa = "کارتی با شناسه {card} وجود ندارد."


class CardSerialFormat(InvalidInput):
    code = "card.serial_format"
    en = "A card serial is N, 9 digits and a check character."
    fa = "شماره سریال کارت حرف N، ۹ رقم و یک نویسه کنترل است."


class CardSerialCheck(InvalidInput):
    code = "card.serial_check"
    en = "The check character of this card serial is wrong."
    fa = "نویسه کنترل سریال کارت نادرست است."


class CardTransition(Conflict):
    code = "card.transition"
    en = "A card that is {status} cannot take the step {step}."
    fa = "این کارت در وضعیت «{status_fa}» است و این کار روی آن ممکن نیست."


class CardTooYoung(InvalidInput):
    code = "card.too_young"
    en = "A card can be applied for from age 15, on {from_date}."
    fa = "درخواست کارت از ۱۵ سالگی، از تاریخ {from_date}، ممکن است."


class CardPending(Conflict):
    code = "card.pending"
    en = "The person already has card application {card} in progress."
    fa = "این شخص درخواست کارت در جریان (شناسه {card}) دارد."


class CardActiveExists(Conflict):
    code = "card.active_exists"
    en = "The person holds active card {serial}; apply for a replacement of it instead."
    fa = "این شخص کارت فعال {serial} دارد؛ به جای آن درخواست کارت المثنی یا تعویض دهید."


class CardReplaces(Conflict):
    code = "card.replaces"
    en = "Card {serial} is not the person's active card."
    fa = "کارت {serial} کارت فعال این شخص نیست."


class CardTemplate(InvalidInput):
    code = "card.template"
    en = "The fingerprint template hash is 64 hexadecimal characters (SHA-256)."
    fa = "چکیده الگوی اثر انگشت باید ۶۴ نویسه هگزادسیمال (SHA-256) باشد."


class CardBatchEmpty(Conflict):
    code = "card.batch_empty"
    en = "There are no enrolled applications to send."
    fa = "درخواست ثبت‌نام‌شده‌ای برای ارسال نیست."


class CardBatchUnknown(NotFound):
    code = "card.batch_unknown"
    en = "There is no card batch {batch}."
    fa = "دسته تولید کارت {batch} وجود ندارد."


class CardBatchState(Conflict):
    code = "card.batch_state"
    en = "Batch {batch} is already produced."
    fa = "دسته {batch} پیش از این تولید شده است."


class CardManifest(InvalidInput):
    code = "card.manifest"
    en = "The production manifest must list every card of batch {batch} once: {detail}."
    fa = "فهرست تولید باید هر کارت دسته {batch} را یک بار داشته باشد ({detail})."


class CardChipFormat(InvalidInput):
    code = "card.chip_format"
    en = "A chip identifier is 8, 14 or 20 hexadecimal characters (a 4, 7 or 10-byte UID)."
    fa = "شناسه تراشه باید ۸، ۱۴ یا ۲۰ نویسه هگزادسیمال باشد."


class CardChipTaken(Conflict):
    code = "card.chip_taken"
    en = "Chip {chip_id} is already on another card."
    fa = "تراشه {chip_id} روی کارت دیگری ثبت است."


class CardNoneActive(NotFound):
    code = "card.none_active"
    en = "You hold no active card to report."
    fa = "شما کارت فعالی برای اعلام ندارید."


class CardCrlAfter(InvalidInput):
    code = "card.crl_after"
    en = "`after` is a revocation number, from 0 to 2147483647."
    fa = "مقدار after باید شماره‌ای از ۰ تا ۲۱۴۷۴۸۳۶۴۷ باشد."


# A serial's problem, as core.cards names it, and the refusal that says it.
SERIAL_PROBLEMS: dict[str, type[InvalidInput]] = {"format": CardSerialFormat, "check": CardSerialCheck}
