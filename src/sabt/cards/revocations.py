"""The card revocation list: every produced card taken out of use, numbered in the order it happened, in a
statement signed with the registry's published key, so a partner can check cards offline.

A partner keeps the highest number it holds and asks for what came after (`after`): the list grows only at
its end, because each number is taken from a counter row that stays locked until its transaction commits,
so numbers become visible in order and a reader never sees a later entry without the earlier ones."""

from typing import Any

from sqlalchemy import select

from ..certificates import service as certificates
from ..clock import local_day
from ..context import Context
from ..core.cards import public_reason
from ..db import LARGEST_ID
from .errors import CardCrlAfter
from .models import Card
from .schemas import RevocationList

STATEMENT_KIND = "sabt-card-revocations/1"
MOST_ENTRIES = 100_000


def revocation_list(ctx: Context, *, after: int = 0, limit: int = MOST_ENTRIES) -> RevocationList:
    if not 0 <= after <= LARGEST_ID:
        raise CardCrlAfter(field="after")
    limit = max(1, min(limit, MOST_ENTRIES))
    with ctx.db.snapshot(primary=True) as session:
        rows = session.execute(
            select(Card.revocation_number, Card.serial, Card.chip_id, Card.end_reason, Card.ended_at)
            .where(Card.revocation_number > after)
            .order_by(Card.revocation_number)
            .limit(limit + 1)
        ).all()
    entries: list[dict[str, Any]] = [
        {
            "number": number,
            "serial": serial,
            "chip_id": chip_id,
            "reason": public_reason(reason),
            "revoked_on": local_day(ended_at, ctx.settings.timezone).isoformat() if ended_at else None,
        }
        for number, serial, chip_id, reason, ended_at in rows[:limit]
    ]
    statement = {
        "kind": STATEMENT_KIND,
        "issuer": ctx.settings.certificate_issuer,
        "after": after,
        "through": entries[-1]["number"] if entries else after,
        "complete": len(rows) <= limit,
        "generated_at": ctx.now().isoformat(),
        "entries": entries,
    }
    kid, signature = certificates.sign_statement(ctx, statement)
    return RevocationList(statement=statement, kid=kid, signature=signature)
