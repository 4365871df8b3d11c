"""The tables of bulk imports: each import job, so that one resumes after a crash, and its rejected rows."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from ...db import Base


class ImportJob(Base):
    """One bulk import of a legacy file, identified by the file's SHA-256; `rows_done` moves with each
    committed batch, so an interrupted import resumes where it stopped."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_digest: Mapped[str] = mapped_column(String(64), unique=True)
    rows_done: Mapped[int]
    imported: Mapped[int]
    rejected: Mapped[int]
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]


class ImportReject(Base):
    """A row of an import that broke a rule: where, which field, why, and the row as it was. With `imported`,
    the row was imported and this is a warning about how it was read (a day and month swapped back, a father
    without a first name)."""

    __tablename__ = "import_rejects"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id"), index=True)
    row_number: Mapped[int]
    field: Mapped[str | None] = mapped_column(String(60))
    code: Mapped[str] = mapped_column(String(60))
    message_en: Mapped[str] = mapped_column(String(300))
    message_fa: Mapped[str] = mapped_column(String(300))
    row: Mapped[dict[str, Any]] = mapped_column(JSON)
    imported: Mapped[bool] = mapped_column(default=False, server_default=false())
