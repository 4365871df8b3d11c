"""Which tables the ledger commits to, and why the others are left out: the one list `sabt audit coverage`
prints.

Every table is evidence unless it is listed here: a new table is committed to the log from its first row,
and leaving one out takes a reason written below. Evidence covers everything that grants access (users,
tokens, partners and their keys, policies, webhook subscriptions, code locks), everything a certificate or
card shows, every registry fact and history row, the access logs citizens and auditors rely on, and the
reference data that changes answers (offices and their code prefixes, census populations).
"""

from dataclasses import dataclass

LOG = {
    "ledger_leaves": "the log itself: each leaf is hashed into the tree the audit recomputes",
    "ledger_nodes": "the log itself: every stored subtree hash is recomputed by the audit",
    "ledger_head": "the log itself: its size and root are signed by the ledger key, checked by the audit",
    "ledger_salts": "the log itself: a changed salt no longer opens its leaf's commitment",
    "ledger_checkpoints": "the log itself: each signed note is checked against the recomputed tree",
    "ledger_cosignatures": "the log itself: each witness cosignature is checked with the witness's key",
}

OPERATIONAL = {
    "idempotency_keys": "a client's retry gets the stored answer again; the records it names are evidence",
    "national_code_counters": "where the next code search starts; each issued code is evidence and unique",
    "card_counters": "where the next card serial search starts; each card is evidence and its serial unique",
    "certificate_serials": "where the next serial search starts; each certificate is evidence, serial unique",
    "import_jobs": "progress of a legacy import; every imported person and code is evidence",
    "import_rejects": (
        "rows a legacy import refused, or imported with a warning of how they were read, kept for the "
        "operator to correct; the persons imported are evidence in their own tables"
    ),
    "linkage_runs": "progress of a duplicate search; the cases it opens and their decisions are evidence",
    "webhook_deliveries": "attempts to deliver a message; the messages and subscriptions are evidence, and a "
    "delivery is sent only for a kind its subscription names",
    "alembic_version": "the schema's version, written by migrations",
}


# What the log may commit to besides table rows: things the registry published, by their record type.
STATEMENTS = {
    "voter_roll": "a published voter roll's digest, so the election body can prove which roll it received",
}


def is_evidence(table: str) -> bool:
    return table not in LOG and table not in OPERATIONAL


@dataclass(frozen=True)
class Coverage:
    table: str
    kind: str  # evidence, log, operational
    reason: str


def coverage(tables: list[str]) -> list[Coverage]:
    """Every table of the schema with its kind and the reason."""
    rows = []
    for table in sorted(tables):
        if table in LOG:
            rows.append(Coverage(table, "log", LOG[table]))
        elif table in OPERATIONAL:
            rows.append(Coverage(table, "operational", OPERATIONAL[table]))
        else:
            rows.append(Coverage(table, "evidence", "every row is committed to the log and recomputed by the audit"))
    return rows
