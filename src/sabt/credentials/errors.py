"""Refusals of identity credentials."""

from ..core.errors import Conflict, InvalidInput


class CredentialNoActiveCard(Conflict):
    code = "credential.no_active_card"
    en = "The person holds no active smart card: an identity QR is issued to a card holder."
    fa = "این شخص کارت هوشمند فعالی ندارد؛ کد هویتی فقط به دارنده کارت فعال داده می‌شود."


class CredentialUnreadable(InvalidInput):
    code = "credential.unreadable"
    en = "Not an ID Claim 169 identity QR ({reason}): {detail}."
    fa = "این متن کد هویتی شناسه ۱۶۹ نیست یا خوانا نیست."


class CredentialNotGenuine(InvalidInput):
    code = "credential.not_genuine"
    en = "The identity QR is not the registry's ({reason}): {detail}."
    fa = "این کد هویتی را سازمان ثبت احوال امضا نکرده یا پس از امضا دست‌کاری شده است."


class CredentialNotCurrent(Conflict):
    code = "credential.not_current"
    en = "The identity QR is genuine but not current ({reason}): {detail}."
    fa = "این کد هویتی اصیل است اما کارت آن منقضی یا باطل شده یا هنوز معتبر نیست."


# Which refusal each of claim169.Claim169Refused's reasons (and a card's public status) is.
REFUSALS: dict[str, type[InvalidInput] | type[Conflict]] = {
    **dict.fromkeys(("base45", "compressed", "structure", "tag", "algorithm"), CredentialUnreadable),
    **dict.fromkeys(("issuer", "unknown_key", "signature"), CredentialNotGenuine),
    **dict.fromkeys(("expired", "not_yet_valid", "revoked", "unknown"), CredentialNotCurrent),
}
