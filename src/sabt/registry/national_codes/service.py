"""Handing out national codes: never the same code twice, never a code that was used before.

Each 3-digit place prefix has a counter row. Taking a serial is one `UPDATE … RETURNING`, so concurrent
registrations on PostgreSQL queue on that row and each gets its own serial; on SQLite the write
transaction already holds the database lock. Every code ever issued or imported is kept in
`issued_national_codes`, whose primary key is the last guard: a serial whose code exists already
(imported from a legacy register, say) is skipped.
"""

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...context import Context
from ...core.errors import NationalCodeExhausted, NationalCodePrefix
from ...core.national_code import SERIAL_LIMIT, compose_national_code, national_code_problem
from ...core.text import is_ascii_number, to_ascii_digits
from ...db import take_from_counter
from .models import IssuedNationalCode, NationalCodeCounter


def issue_national_code(session: Session, *, prefix: str, at: dt.datetime) -> IssuedNationalCode:
    """Reserve a new national code under `prefix`, inside the caller's transaction."""
    while True:
        code = compose_national_code(prefix, _take_serial(session, prefix))
        if national_code_problem(code):  # e.g. ten identical digits
            continue
        if session.get(IssuedNationalCode, code) is not None:
            continue
        issued = IssuedNationalCode(code=code, source="issued", issued_at=at)
        try:
            with session.begin_nested():
                session.add(issued)
        except IntegrityError:
            continue  # imported concurrently; the savepoint rolled back only this insert
        return issued


def peek_next_national_code(session: Session, *, prefix: str) -> str | None:
    """The code the next registration under `prefix` would get, without reserving it."""
    serial = session.scalar(select(NationalCodeCounter.next_serial).where(NationalCodeCounter.prefix == prefix)) or 0
    while serial < SERIAL_LIMIT:
        code = compose_national_code(prefix, serial)
        if national_code_problem(code) is None and session.get(IssuedNationalCode, code) is None:
            return code
        serial += 1
    return None


def _take_serial(session: Session, prefix: str) -> int:
    serial = take_from_counter(session, NationalCodeCounter, key={"prefix": prefix}, column="next_serial", start=0)
    if serial >= SERIAL_LIMIT:
        raise NationalCodeExhausted(prefix=prefix)
    return serial


def reserve_serials(session: Session, highest: dict[str, int]) -> None:
    """Move each prefix's counter past the highest serial a legacy file holds, so that codes issued while
    the file is imported never collide with a code that comes later in it."""
    for prefix, serial in highest.items():
        _take_serial(session, prefix)  # creates the counter row if it is missing
        session.execute(
            update(NationalCodeCounter)
            .where(NationalCodeCounter.prefix == prefix, NationalCodeCounter.next_serial <= serial)
            .values(next_serial=serial + 1)
        )


def next_national_code(ctx: Context, *, prefix: str) -> str:
    """The code the next birth registered under `prefix` would receive; nothing is reserved."""
    prefix = to_ascii_digits(prefix).strip()
    if len(prefix) != 3 or not is_ascii_number(prefix):
        raise NationalCodePrefix(field="prefix")
    with ctx.db.snapshot() as session:
        code = peek_next_national_code(session, prefix=prefix)
    if code is None:
        raise NationalCodeExhausted(prefix=prefix)
    return code
