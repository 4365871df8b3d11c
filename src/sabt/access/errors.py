"""Refusals of the staff access log's questions."""

from ..core.errors import InvalidInput


class AccessOneQuestion(InvalidInput):
    code = "access.one_question"
    en = "Ask one thing: --person, --user or --unusual."
    fa = "فقط یکی را بپرسید: گزینه person، user یا unusual."


class AccessTooLong(InvalidInput):
    code = "access.too_long"
    en = "The report covers at most {days} days."
    fa = "گزارش حداکثر {days} روز را در بر می‌گیرد."
