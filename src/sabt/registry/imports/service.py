"""Bulk import of legacy person records (CSV or Parquet), resumable after a crash.

Every row is checked with the same rules as a registration through the API (names, dates, national
codes, counties, parents), with two allowances for what old registers really hold: a father without a
first name, and a day and month swapped where the month as typed cannot be one (1366/23/11). Such a row is
imported, with a warning beside the rejects that says how it was read. Valid rows become persons with a
first revision and ledger leaves, exactly as a registration would leave them; invalid rows are kept with
their row number, field and reason. Speed comes from batching: one transaction per batch, COPY on PostgreSQL,
ids allocated in one step.

The job's progress is stored in the same transaction as each batch, so a run killed at any moment and
started again continues after the last committed batch: no row is lost and none is imported twice.
"""

import csv
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ...context import Context
from ...core.errors import SabtError
from ...core.jalali import DateProblem, parse_date_unswapping, to_jalali
from ...core.national_code import national_code_problem, normalize_national_code
from ...core.permissions import Action, Actor, authorize
from ...core.text import to_ascii_digits
from ...db import bulk_insert, one_of
from ...geo.errors import CountyUnknown
from ...geo.schemas import CountyOut
from ...geo.service import list_counties, office_by_id
from ..errors import (
    ImportCodeTaken,
    ImportDayMonthSwapped,
    ImportFatherUnnamed,
    ImportNoFile,
    ImportSex,
    ImportUnreadable,
    PersonBornAfterChild,
    PersonSex,
    PersonUnknown,
)
from ..national_codes.models import IssuedNationalCode
from ..national_codes.service import issue_national_code, reserve_serials
from ..persons.models import Person, PersonRevision
from ..persons.records import snapshot
from ..persons.rules import NameValue, Rules
from .models import ImportJob, ImportReject

COLUMNS = (
    "national_code",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "birth_county",
    "father_national_code",
    "father_first_name",
    "father_last_name",
    "mother_national_code",
    "mother_first_name",
    "mother_last_name",
    "death_date",
)


SEXES = {"male": "male", "female": "female", "m": "male", "f": "female", "مرد": "male", "زن": "female"}


@dataclass(frozen=True)
class Parent:
    id: int | None  # None: the parent is earlier in the same batch and has no id yet
    sex: str
    birth_date: dt.date


@dataclass
class ImportSummary:
    job_id: int
    file: str
    rows: int
    imported: int
    rejected: int
    warned: int  # rows imported with a warning
    resumed_from: int
    already_done: bool
    rejects_by_code: dict[str, int]  # warnings included


def read_rows(path: Path, start_after: int = 0) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, record) from row `start_after + 1` on; row 1 is the first record after the header."""
    if path.suffix.lower() == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        number = 0
        try:
            for batch in pq.ParquetFile(path).iter_batches(batch_size=10_000):
                for record in batch.to_pylist():
                    number += 1
                    if number > start_after:
                        yield number, {key: "" if value is None else str(value) for key, value in record.items()}
        except pa.ArrowException:
            raise ImportUnreadable(field="file", row=number + 1) from None
        return
    with path.open(encoding="utf-8-sig", newline="") as file:
        for number, record in csv_records(file, field="file"):
            if number > start_after:
                yield number, {key: (value or "").strip() for key, value in record.items() if key}


def csv_records(file: TextIO, *, field: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, record) of a CSV file someone else wrote: bytes that are not UTF-8, or a field past the csv
    module's limit, are a refusal naming the row, not an exception."""
    number = 0
    try:
        for number, record in enumerate(csv.DictReader(file), start=1):
            yield number, record
    except (UnicodeDecodeError, csv.Error):
        raise ImportUnreadable(field=field, row=number + 1) from None


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def highest_serials(path: Path) -> dict[str, int]:
    """For each 3-digit prefix, the highest serial among the file's valid national codes."""
    highest: dict[str, int] = {}
    for _, row in read_rows(path):
        code = normalize_national_code(row.get("national_code", ""))
        if national_code_problem(code) is None:
            highest[code[:3]] = max(highest.get(code[:3], -1), int(code[3:9]))
    return highest


def count_rows(path: Path) -> int:
    """How many records a file holds (for a progress bar)."""
    if path.suffix.lower() == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            return int(pq.ParquetFile(path).metadata.num_rows)
        except pa.ArrowException:
            raise ImportUnreadable(field="file", row=1) from None
    with path.open("rb") as file:
        return max(sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b"")) - 1, 0)


def import_persons(
    ctx: Context,
    *,
    actor: Actor,
    path: Path,
    batch_size: int = 5000,
    on_batch: Callable[[int], None] = lambda _: None,
    on_resume: Callable[[int], None] = lambda _: None,
) -> ImportSummary:
    """Import a legacy file, or continue an interrupted import of the same file (same content)."""
    authorize(actor, Action.CORRECT)  # an office head's act: it creates records without a declaration
    if not path.is_file():
        raise ImportNoFile(field="file", path=str(path))
    digest = file_digest(path)
    job = _job_for(ctx, actor, path, digest)
    resumed_from = job.rows_done
    on_resume(resumed_from)
    if job.finished_at is None:
        importer = _BatchImporter(ctx, actor, job.id, path.name)
        batch: list[tuple[int, dict[str, str]]] = []
        for row in read_rows(path, start_after=job.rows_done):
            batch.append(row)
            if len(batch) >= batch_size:
                importer.run(batch)
                on_batch(len(batch))
                batch = []
        importer.run(batch)
        on_batch(len(batch))
        job = _finish(ctx, job.id)
    return _summary(ctx, job, resumed_from)


def _job_for(ctx: Context, actor: Actor, path: Path, digest: str) -> ImportJob:
    with ctx.db.snapshot() as session:
        known = session.scalar(select(ImportJob.id).where(ImportJob.file_digest == digest))
    highest = highest_serials(path) if known is None else {}  # read before taking the write lock
    with ctx.db.transaction() as session:
        job = session.scalar(select(ImportJob).where(ImportJob.file_digest == digest))
        if job is None:
            reserve_serials(session, highest)
            job = ImportJob(
                file_name=path.name,
                file_digest=digest,
                rows_done=0,
                imported=0,
                rejected=0,
                actor_id=actor.user_id,
                started_at=ctx.now(),
                finished_at=None,
            )
            session.add(job)
            session.flush()
        return job


def _finish(ctx: Context, job_id: int) -> ImportJob:
    with ctx.db.transaction() as session:
        job = session.get(ImportJob, job_id, with_for_update=True)
        assert job is not None
        job.finished_at = job.finished_at or ctx.now()
        return job


def _summary(ctx: Context, job: ImportJob, resumed_from: int) -> ImportSummary:
    with ctx.db.snapshot() as session:
        by_code = dict(
            session.execute(
                select(ImportReject.code, func.count()).where(ImportReject.job_id == job.id).group_by(ImportReject.code)
            ).all()
        )
        warned = session.scalar(
            select(func.count(func.distinct(ImportReject.row_number))).where(
                ImportReject.job_id == job.id, ImportReject.imported.is_(True)
            )
        )
    return ImportSummary(
        job.id,
        job.file_name,
        job.rows_done,
        job.imported,
        job.rejected,
        warned or 0,
        resumed_from,
        already_done=resumed_from == job.rows_done and resumed_from > 0,
        rejects_by_code=by_code,
    )


def write_rejects(ctx: Context, job_id: int, path: Path) -> int:
    """The rejected rows of an import as CSV: row number, whether the row was refused or imported with a
    warning, field, code, reasons, and the row as it was. Returns how many lines it wrote."""
    with ctx.db.snapshot() as session, path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["row", "outcome", "field", "code", "reason", "reason_fa", *COLUMNS])
        count = 0
        for reject in session.scalars(
            select(ImportReject).where(ImportReject.job_id == job_id).order_by(ImportReject.row_number, ImportReject.id)
        ):
            writer.writerow(
                [
                    reject.row_number,
                    "imported" if reject.imported else "refused",
                    reject.field or "",
                    reject.code,
                    reject.message_en,
                    reject.message_fa,
                    *(reject.row.get(column, "") for column in COLUMNS),
                ]
            )
            count += 1
    return count


class _BatchImporter:
    def __init__(self, ctx: Context, actor: Actor, job_id: int, file_name: str) -> None:
        self.ctx, self.actor, self.job_id = ctx, actor, job_id
        self.reason = f"imported from {file_name}"
        self.counties = {county.code: county for county in list_counties(ctx)}
        with ctx.db.snapshot() as session:
            assert actor.office_id is not None  # an office head: authorized above
            self.prefix = office_by_id(session, actor.office_id).national_code_prefix

    def run(self, batch: list[tuple[int, dict[str, str]]]) -> None:
        if not batch:
            return
        with self.ctx.db.transaction() as session:
            job = session.get(ImportJob, self.job_id, with_for_update=True)
            assert job is not None
            if job.rows_done >= batch[-1][0]:
                return  # committed by an earlier run
            checker = _RowChecker(Rules(session, self.ctx.settings, self.ctx.today()), self.counties, batch)
            persons, rejects, refused = [], [], 0
            for number, row in batch:
                warnings: list[SabtError] = []
                try:
                    persons.append(checker.check(row, warnings))
                except SabtError as error:
                    rejects.append(self._reject(number, row, error, imported=False))
                    refused += 1
                else:
                    rejects += [self._reject(number, row, warning, imported=True) for warning in warnings]
            self._insert(session, persons)
            bulk_insert(session, ImportReject, rejects)
            job.rows_done, job.imported, job.rejected = (
                batch[-1][0],
                job.imported + len(persons),
                job.rejected + refused,
            )

    def _reject(self, number: int, row: dict[str, str], error: SabtError, *, imported: bool) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "row_number": number,
            "field": error.field,
            "code": error.code,
            "message_en": error.message_en,
            "message_fa": error.message_fa,
            "row": row,
            "imported": imported,
        }

    def _insert(self, session: Session, persons: list[dict[str, Any]]) -> None:
        if not persons:
            return
        now = self.ctx.now()
        imported_codes = {p["national_code"] for p in persons if p["national_code"] is not None}
        for person in persons:
            if person["national_code"] is None:  # none in the old register: the importing office issues one
                person["national_code"] = issue_national_code(session, prefix=self.prefix, at=now).code
        ids = dict(
            zip((p["national_code"] for p in persons), _allocate_ids(session, Person, len(persons)), strict=True)
        )
        for person in persons:
            person["id"] = ids[person["national_code"]]
            for parent in ("father", "mother"):
                code = person.pop(f"{parent}_code")
                if code is not None:  # a parent earlier in this batch
                    person[f"{parent}_id"] = ids[code]
        bulk_insert(
            session,
            IssuedNationalCode,
            [{"code": code, "source": "imported", "issued_at": now} for code in sorted(imported_codes)],
        )
        rows = [person | {"revision": 1, "created_at": now, "updated_at": now} for person in persons]
        bulk_insert(session, Person, rows)
        revision_ids = _allocate_ids(session, PersonRevision, len(rows))
        revisions = [
            {
                "id": revision_id,
                "person_id": row["id"],
                "revision": 1,
                "snapshot": snapshot(row),
                "reason": self.reason,
                "actor_id": self.actor.user_id,
                "event_id": None,
                "recorded_at": now,
            }
            for revision_id, row in zip(revision_ids, rows, strict=True)
        ]
        bulk_insert(session, PersonRevision, revisions)


def _allocate_ids(session: Session, model: type[Person] | type[PersonRevision], count: int) -> list[int]:
    """Ids for `count` new rows, taken in one step (the write transaction holds the lock on SQLite), so that
    bulk rows carry their keys and the ledger can commit to them."""
    table = model.__tablename__
    if session.get_bind().dialect.name == "postgresql":
        # `table` is one of two fixed table names, never input.
        return list(
            session.scalars(
                text(f"SELECT nextval('{table}_id_seq') FROM generate_series(1, :n)"),  # noqa: S608
                {"n": count},
            )
        )
    first = (session.scalar(select(func.max(model.id))) or 0) + 1
    return list(range(first, first + count))


class _RowChecker:
    """Checks one batch's rows, knowing the persons already in the registry and those earlier in the batch."""

    def __init__(self, rules: Rules, counties: dict[str, CountyOut], batch: list[tuple[int, dict[str, str]]]) -> None:
        self.rules, self.counties = rules, counties
        codes = {
            normalize_national_code(row.get(column, ""))
            for _, row in batch
            for column in ("national_code", "father_national_code", "mother_national_code")
        } - {""}
        session = rules.session
        self.taken = set(
            session.scalars(select(IssuedNationalCode.code).where(one_of(session, IssuedNationalCode.code, codes)))
        )
        self.known = {
            code: Parent(pid, sex, born)
            for pid, code, sex, born in session.execute(
                select(Person.id, Person.national_code, Person.sex, Person.birth_date).where(
                    one_of(session, Person.national_code, codes)
                )
            )
        }
        self.in_batch: dict[str, Parent] = {}

    def check(self, row: dict[str, str], warnings: list[SabtError]) -> dict[str, Any]:
        """The row as a person's columns, or a SabtError naming the first field at fault (the code first:
        it is the row's identity); what was read otherwise than typed is added to `warnings`."""
        rules = self.rules
        county = self.counties.get(to_ascii_digits(row.get("birth_county", "")).strip().zfill(4))
        code = self._code(row.get("national_code", ""))
        first, last = (
            rules.name(row.get("first_name"), field="first_name"),
            rules.name(row.get("last_name"), field="last_name"),
        )
        sex = SEXES.get(row.get("sex", "").strip().lower())
        if sex is None:
            raise ImportSex(field="sex")
        born = rules.date(_unswapped(row.get("birth_date", ""), warnings), field="birth_date")
        if county is None:
            raise CountyUnknown(field="birth_county", code=row.get("birth_county", ""))
        father = self._parent(row, "father", "male", born, default_last=last.normalized, warnings=warnings)
        mother = self._parent(row, "mother", "female", born, default_last=None, warnings=warnings)
        died = rules.optional_date(row.get("death_date") or None, field="death_date", not_before=born)
        person = {
            "national_code": code,
            "first_name": first.normalized,
            "first_name_typed": first.typed,
            "last_name": last.normalized,
            "last_name_typed": last.typed,
            "sex": sex,
            "birth_date": born,
            "birth_time": None,
            "birth_county_code": county.code,
            "birth_place": "",
            "birth_order": 1,
            "died_on": died,
            **father,
            **mother,
        }
        if code:
            self.in_batch[code] = Parent(None, sex, born)
            self.taken.add(code)
        return person

    def _code(self, text: str) -> str | None:
        if not text.strip():
            return None
        code = self.rules.code(text, field="national_code")
        if code in self.taken:
            raise ImportCodeTaken(field="national_code", code=code)
        return code

    def _parent(
        self,
        row: dict[str, str],
        role: str,
        sex: str,
        child_born: dt.date,
        *,
        default_last: str | None,
        warnings: list[SabtError],
    ) -> dict[str, Any]:
        rules = self.rules
        first = self._parent_first_name(row, role, warnings)
        last_text = row.get(f"{role}_last_name") or default_last
        last = rules.name(last_text, field=f"{role}_last_name")
        values: dict[str, Any] = {
            f"{role}_id": None,
            f"{role}_code": None,
            f"{role}_first_name": first.normalized,
            f"{role}_last_name": last.normalized,
        }
        code_text = row.get(f"{role}_national_code", "").strip()
        if not code_text:
            return values
        field = f"{role}_national_code"
        code = rules.code(code_text, field=field)
        parent = self.known.get(code) or self.in_batch.get(code)
        if parent is None:
            raise PersonUnknown(field=field, code=code)
        if parent.sex != sex:
            raise PersonSex(field=field, code=code, sex=sex)
        if parent.birth_date >= child_born:
            raise PersonBornAfterChild(field=field, code=code)
        values[f"{role}_id"] = parent.id
        values[f"{role}_code"] = code if parent.id is None else None
        return values

    def _parent_first_name(self, row: dict[str, str], role: str, warnings: list[SabtError]) -> NameValue:
        """A father named by neither code nor first name is imported without a name, with a warning; every
        other parent's first name is checked as a registration checks it."""
        typed = row.get(f"{role}_first_name") or ""
        if role == "father" and not typed.strip() and not row.get("father_national_code", "").strip():
            warnings.append(ImportFatherUnnamed(field="father_first_name"))
            return NameValue("", "")
        return self.rules.name(typed, field=f"{role}_first_name")


def _unswapped(typed: str, warnings: list[SabtError]) -> str:
    """The birth date as it can be read: with the day and month swapped back, and a warning, when the month
    as typed cannot be a month and the day can."""
    try:
        read, swapped = parse_date_unswapping(typed)
    except DateProblem:
        return typed  # refused by the rule that reads it, with its own reason
    if not swapped:
        return typed
    warnings.append(ImportDayMonthSwapped(field="birth_date", typed=typed.strip(), read=to_jalali(read)))
    return to_jalali(read)
