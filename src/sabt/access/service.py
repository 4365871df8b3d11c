"""Use cases for the staff access log: write a read before its answer leaves; read the log as a citizen (by
role and office), as an auditor (by person or by user), and the report of unusual access.

A read is logged once per person shown: opening a record, a search's results, a history, certificates
and cards, the events and declarations that name them (the desk's queues too), a case of suspected
duplicates, and the record a step answers with (a correction, an issued certificate, a card's step). A
citizen reading their own record and operators' bulk work (imports, statistics) are not staff reads.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ..accounts.service import user_named, usernames
from ..context import Context
from ..core.errors import refusal
from ..core.national_code import national_code_problem, normalize_national_code
from ..core.permissions import STAFF_ROLES, Action, Actor, authorize, own_national_code
from ..geo.service import office_names
from .models import StaffRead

# Also published: the report of unusual access (it reads the log; the log does not know it).
from .report import HoldingOffices as HoldingOffices
from .report import unusual_access as unusual_access
from .schemas import StaffReadOut, What

MOST_SHOWN = 500


def record_reads(ctx: Context, actor: Actor, codes: Iterable[str], what: What, *, purpose: str = "") -> None:
    """Log that `actor` was shown the data of the persons with these codes, committed before the answer
    leaves; nothing for a citizen (their own record) or when nobody was shown."""
    if actor.role not in STAFF_ROLES:
        return
    normalized = (normalize_national_code(code) for code in codes)
    distinct = sorted({code for code in normalized if national_code_problem(code) is None})
    if not distinct:
        return
    now = ctx.now()
    with ctx.db.transaction() as session:
        session.add_all(
            StaffRead(
                user_id=actor.user_id,
                role=actor.role,
                office_id=actor.office_id,
                national_code=code,
                what=what,
                purpose=purpose[:200],
                at=now,
            )
            for code in distinct
        )


def national_codes_in(shown: list[dict[str, Any]]) -> list[str]:
    """Every national code in what is shown (a declaration's parents, spouses and declarant, the person an
    event registered), each a person whose data the reader saw."""
    codes: list[str] = []
    waiting: list[Any] = list(shown)
    while waiting:
        node = waiting.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith("national_code") and isinstance(value, str) and value:
                    codes.append(value)
                else:
                    waiting.append(value)
        elif isinstance(node, list):
            waiting.extend(node)
    return codes


def reads_about_me(ctx: Context, *, actor: Actor, limit: int = 200) -> list[StaffReadOut]:
    """Staff reads of the citizen's own record, newest first: by role and office, never by name."""
    code = own_national_code(actor)
    with ctx.db.snapshot(primary=True) as session:
        rows = _reads(session, StaffRead.national_code == code, limit)
        return _out(session, rows, named=False)


def reads_of_person(ctx: Context, *, actor: Actor, national_code: str, limit: int = MOST_SHOWN) -> list[StaffReadOut]:
    """Who read this person's data, newest first (auditors and national administrators)."""
    authorize(actor, Action.READ_ACCESS_LOG)
    code = normalize_national_code(national_code)
    if problem := national_code_problem(code):
        raise refusal(f"national_code.{problem}", field="national_code")
    with ctx.db.snapshot(primary=True) as session:
        return _out(session, _reads(session, StaffRead.national_code == code, limit), named=True)


def reads_by_user(ctx: Context, *, actor: Actor, username: str, limit: int = MOST_SHOWN) -> list[StaffReadOut]:
    """What this staff user read, newest first."""
    authorize(actor, Action.READ_ACCESS_LOG)
    with ctx.db.snapshot(primary=True) as session:
        user_id = user_named(session, username).id
        return _out(session, _reads(session, StaffRead.user_id == user_id, limit), named=True)


def _reads(session: Session, condition: ColumnElement[bool], limit: int) -> list[StaffRead]:
    query = select(StaffRead).where(condition).order_by(StaffRead.id.desc()).limit(limit)
    return list(session.scalars(query))


def _out(session: Session, rows: list[StaffRead], *, named: bool) -> list[StaffReadOut]:
    offices = office_names(session, {row.office_id for row in rows if row.office_id is not None})
    names = usernames(session, {row.user_id for row in rows}) if named else {}
    return [
        StaffReadOut(
            national_code=row.national_code,
            what=row.what,
            role=row.role,
            office=offices[row.office_id][0] if row.office_id in offices else None,
            office_name=offices[row.office_id][1] if row.office_id in offices else None,
            username=names.get(row.user_id) if named else None,
            purpose=row.purpose,
            at=row.at,
        )
        for row in rows
    ]
