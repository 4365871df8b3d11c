import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class LinkageModel(Base):
    """A trained Fellegi–Sunter model (Splink's JSON); the newest one is used. Without any, Sabt uses the
    model it ships with."""

    __tablename__ = "linkage_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    trained_on: Mapped[str] = mapped_column(String(255))  # what it was estimated from
    true_pairs: Mapped[int]
    trained_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    trained_at: Mapped[dt.datetime]


class LinkageRun(Base):
    """One pass over the whole registry: the model and the rules, and what it put in the review queue."""

    __tablename__ = "linkage_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(10))  # running, finished, failed
    persons: Mapped[int] = mapped_column(default=0)
    pairs_scored: Mapped[int] = mapped_column(default=0)
    cases_found: Mapped[int] = mapped_column(default=0)
    cases_new: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float] = mapped_column(default=0.0)
    error: Mapped[str | None] = mapped_column(String(500))
    started_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]


class LinkageCase(Base):
    """A suspected duplicate pair or a record a rule found impossible, waiting for an investigator.

    `key` names what was found (`duplicate:12:57`, `rule:births_too_close:31:40`), so a later run finds the
    same case again instead of adding it twice, and a decided case stays decided."""

    __tablename__ = "linkage_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(30))  # duplicate, or the rule's name
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    other_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    match_weight: Mapped[float | None]
    match_probability: Mapped[float | None]
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(20))  # run, registration
    run_id: Mapped[int | None] = mapped_column(ForeignKey("linkage_runs.id"))
    status: Mapped[str] = mapped_column(String(15), default="open")  # open, duplicate, not_duplicate, fraud
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None]
    note: Mapped[str] = mapped_column(String(500), default="")
    found_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_linkage_cases_queue", "status", "kind"),)
