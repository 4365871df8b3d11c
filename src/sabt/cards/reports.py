"""Coverage (people holding a valid card ÷ people eligible for one) by province and county on any day, and
an office's work queue. Place is the holder's county of birth, as for voter rolls: the registry does not
yet keep residence."""

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select, true

from ..clock import local_day
from ..context import Context
from ..core.cards import CARD_AGE, CardStatus
from ..core.errors import DateInFuture
from ..core.identity import latest_birth_at_age
from ..core.permissions import OFFICE_ROLES, Action, Actor, authorize
from ..geo.errors import ProvinceUnknown
from ..geo.service import list_provinces, office_by_code, office_by_id
from ..registry import service as registry
from .models import Card, CardBatch
from .schemas import CoverageRow, OfficeQueue, QueueItem, Stage


def coverage(
    ctx: Context, *, actor: Actor, province: str | None = None, as_of: dt.date | None = None
) -> list[CoverageRow]:
    """One row per county, then a total row per province (county None), then the country's (province "")
    when no province is asked for."""
    authorize(actor, Action.READ)
    if province is not None and province not in {p.code for p in list_provinces(ctx)}:
        raise ProvinceUnknown(field="province", code=province)
    day = as_of or ctx.today()
    if day > ctx.today():
        raise DateInFuture(field="as_of")
    eligible, active, pending = coverage_counts(ctx, province=province, as_of=day)
    return _coverage_rows(eligible, active, pending, national=province is None)


def coverage_counts(
    ctx: Context, *, province: str | None, as_of: dt.date
) -> tuple[dict[str, int], dict[str, int], dict[str, list[float]]]:
    """By county: people eligible, active cards, and the ages in days of the applications pending, on a day."""
    eligible, active = coverage_on_days(ctx, days=[as_of], province=province)[as_of]
    cutoff = _end_of_day(as_of, ctx.settings.timezone)
    in_province = Card.county_code.startswith(province) if province else true()
    pending: dict[str, list[float]] = defaultdict(list)
    with ctx.db.snapshot() as session:
        for county, applied_at in session.execute(
            select(Card.county_code, Card.applied_at).where(
                in_province,
                Card.applied_at < cutoff,
                or_(Card.issued_at.is_(None), Card.issued_at >= cutoff),
                or_(Card.ended_at.is_(None), Card.ended_at >= cutoff),
            )
        ):
            pending[county].append((as_of - local_day(applied_at, ctx.settings.timezone)).days)
    return eligible, active, pending


def coverage_on_days(
    ctx: Context, *, days: list[dt.date], province: str | None = None
) -> dict[dt.date, tuple[dict[str, int], dict[str, int]]]:
    """For each day: people eligible and active cards by county, reading persons and cards once each. No
    one is named: the statistics publish these under disclosure control."""
    in_province = Card.county_code.startswith(province) if province else true()
    with ctx.db.snapshot() as session:
        eligible = registry.count_living_on_days(
            session, days=[(latest_birth_at_age(day, CARD_AGE), day) for day in days], province=province
        )
        cutoffs = [_end_of_day(day, ctx.settings.timezone) for day in days]
        held = [
            func.sum(
                case(
                    (
                        and_(
                            Card.issued_at < cutoff,
                            or_(Card.ended_at.is_(None), Card.ended_at >= cutoff),
                            Card.expires_on > day,
                        ),
                        1,
                    ),
                    else_=0,
                )
            )
            for day, cutoff in zip(days, cutoffs, strict=True)
        ]
        rows = session.execute(
            select(Card.county_code, *held).where(in_province, Card.issued_at.is_not(None)).group_by(Card.county_code)
        )
        active = {county: [int(n or 0) for n in counts] for county, *counts in rows}
    return {
        day: ({c: n[i] for c, n in eligible.items() if n[i]}, {c: n[i] for c, n in active.items() if n[i]})
        for i, day in enumerate(days)
    }


def _coverage_rows(
    eligible: dict[str, int], active: dict[str, int], pending: dict[str, list[float]], *, national: bool
) -> list[CoverageRow]:
    counties = sorted(set(eligible) | set(active) | set(pending))
    rows = [_row(county[:2], county, [county], eligible, active, pending) for county in counties]
    provinces = sorted({county[:2] for county in counties})
    rows += [_row(p, None, [c for c in counties if c.startswith(p)], eligible, active, pending) for p in provinces]
    if national:
        rows.append(_row("", None, counties, eligible, active, pending))
    return rows


def _row(
    province: str,
    county: str | None,
    counties: list[str],
    eligible: dict[str, int],
    active: dict[str, int],
    pending: dict[str, list[float]],
) -> CoverageRow:
    people = sum(eligible.get(c, 0) for c in counties)
    holders = sum(active.get(c, 0) for c in counties)
    ages = [age for c in counties for age in pending.get(c, [])]
    return CoverageRow(
        province=province,
        county=county,
        eligible=people,
        active_cards=holders,
        coverage_percent=round(100 * holders / people, 1) if people else None,
        pending_applications=len(ages),
        oldest_pending_days=int(max(ages)) if ages else None,
        median_pending_days=statistics.median(ages) if ages else None,
    )


def office_queue(ctx: Context, *, actor: Actor, office: str | None = None) -> OfficeQueue:
    """What waits at an office (or, for national roles without an office, everywhere): applications to
    enrol, enrolments to send, batches at the factory and cards to hand over, with their ages in days."""
    authorize(actor, Action.READ_OFFICE_WORK)
    now = ctx.now()
    with ctx.db.snapshot() as session:
        office_id = office_by_code(session, office).id if office else None
        if actor.role in OFFICE_ROLES:
            authorize(actor, Action.READ_OFFICE_WORK, office_id=office_id or actor.office_id)
            office_id = actor.office_id
        name = office_by_id(session, office_id).code if office_id is not None else "all"
        here = (Card.office_id == office_id) if office_id is not None else true()
        stages = [
            _stage(
                session.scalars(select(Card.applied_at).where(here, Card.status == CardStatus.APPLIED)),
                "waiting_enrolment",
                now,
            ),
            _stage(
                session.scalars(select(Card.enrolled_at).where(here, Card.status == CardStatus.ENROLLED)),
                "waiting_batch",
                now,
            ),
            _stage(
                session.scalars(
                    select(CardBatch.sent_at).where(
                        (CardBatch.office_id == office_id) if office_id is not None else true(),
                        CardBatch.produced_at.is_(None),
                    )
                ),
                "in_production",
                now,
            ),
            _stage(
                session.scalars(select(Card.produced_at).where(here, Card.status == CardStatus.READY)),
                "waiting_pickup",
                now,
            ),
        ]
    return OfficeQueue(office=name, as_of=now, stages=stages)


def _stage(moments: Iterable[dt.datetime | None], stage: Stage, now: dt.datetime) -> QueueItem:
    days = [(now - moment).total_seconds() / 86_400 for moment in moments if moment is not None]
    return QueueItem(
        stage=stage,
        count=len(days),
        oldest_days=int(max(days)) if days else None,
        median_days=round(statistics.median(days), 1) if days else None,
    )


def _end_of_day(day: dt.date, timezone: str) -> dt.datetime:
    """The first moment after a local calendar day, in UTC."""
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo(timezone))
    return start.astimezone(dt.UTC)
