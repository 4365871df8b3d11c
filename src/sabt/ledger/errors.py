"""Refusals of the ledger: proofs, its integrity, the audit and the witnesses."""

from ..core.errors import InvalidInput, NotFound, Unavailable


class LedgerNoLeaf(NotFound):
    code = "ledger.no_leaf"
    en = "There is no leaf {index} in a tree of size {size}."
    fa = "برگ {index} در درختی به اندازه {size} وجود ندارد."


class AuditNoKey(InvalidInput):
    code = "audit.no_key"
    en = "The key store holds no ledger key: pass the published verifier key with --key."
    fa = "کلید دفتر در انبار کلیدها نیست: کلید وارسی منتشرشده را با ‎--key‎ بدهید."


class AuditBadKey(InvalidInput):
    code = "audit.bad_key"
    en = "This is not a ledger verifier key (name+keyid+base64 key)."
    fa = "این کلید وارسی دفتر نیست (نام+شناسه کلید+کلید base64)."


class WitnessConfig(InvalidInput):
    code = "witness.config"
    en = "SABT_WITNESSES holds an entry that is not a witness's verifier key, '=', and its http(s) address: {entry}"
    fa = "در SABT_WITNESSES موردی هست که کلید وارسی گواه، «=» و نشانی http(s) آن نیست: {entry}"


class LedgerIntegrity(Unavailable):
    code = "ledger.integrity"
    en = (
        "The ledger was changed outside the registry; nothing was saved, and nothing will be until an auditor "
        "has looked (`sabt audit verify`)."
    )
    fa = (
        "دفتر ثبت بیرون از سامانه تغییر کرده است؛ چیزی ذخیره نشد و تا بازرس آن را بررسی نکند (sabt audit "
        "verify) چیزی ذخیره نمی‌شود."
    )


class WitnessQuorum(InvalidInput):
    code = "witness.quorum"
    en = "SABT_WITNESS_QUORUM asks for {quorum} witnesses, but SABT_WITNESSES names {witnesses}."
    fa = "SABT_WITNESS_QUORUM {quorum} گواه می‌خواهد، اما SABT_WITNESSES تنها {witnesses} گواه نام برده است."


class LedgerNoRecord(NotFound):
    code = "ledger.no_record"
    en = "The ledger holds no change to {record}."
    fa = "دفتر ثبت تغییری برای {record} ندارد."


class LedgerSizes(InvalidInput):
    code = "ledger.sizes"
    en = "A consistency proof needs 0 < old size ({old}) ≤ new size ({new}) ≤ the log's size ({size})."
    fa = "اثبات سازگاری به شرط ۰ < اندازه قدیم ({old}) ≤ اندازه جدید ({new}) ≤ اندازه دفتر ({size}) نیاز دارد."
