"""An office's dashboard for its head, from the registry's own counts: registrations per week, timeliness,
how long work waits in each queue, the work of each staff member, and the completeness of birth
registration in the counties the office serves (registered births against those a population is expected
to have at the crude birth rate set in SABT_EXPECTED_BIRTH_RATE)."""

import datetime as dt
from collections import Counter, defaultdict
from statistics import median

from ..accounts import service as accounts
from ..clock import local_day
from ..context import Context
from ..core.errors import refusal
from ..core.jalali import to_jalali
from ..core.permissions import Action, Actor, authorize
from ..core.stats import DAYS_PER_YEAR, completeness_percent, median_from_counts, rounded, week_start
from ..geo import service as geo
from ..geo.schemas import OfficeOut
from ..notifications import service as notifications
from ..registry import service as registry
from .reference import Reference
from .schemas import (
    CompletenessOut,
    FacilityTimelinessOut,
    OfficeDashboardOut,
    StaffWorkOut,
    TimelinessOut,
    WaitingOut,
    WeekOut,
)

WEEKS = 12
STAFF_DAYS = 30
YEAR = round(DAYS_PER_YEAR)
KINDS = ("birth", "death", "marriage", "divorce")


def office_dashboard(ctx: Context, *, actor: Actor, office_code: str | None = None) -> OfficeDashboardOut:
    """The dashboard of `office_code`, or of the actor's own office."""
    authorize(actor, Action.READ_OFFICE_DASHBOARD)
    office = _office(ctx, actor, office_code)
    authorize(actor, Action.READ_OFFICE_DASHBOARD, office_id=office.id)
    today = ctx.today()
    base = ctx.settings.stats_base
    return OfficeDashboardOut(
        office=office.code,
        office_fa=office.name_fa,
        as_of=today,
        base=base,
        expected_birth_rate=ctx.settings.expected_birth_rate,
        weeks=_weeks(ctx, office.id, today),
        timeliness=_timeliness(ctx, office.id, today),
        waiting=_waiting(ctx, office.id, today),
        staff=_staff(ctx, office.id, today),
        completeness=_completeness(ctx, office.id, today, base),
        facilities=_facilities(ctx, office.id, today),
    )


def _office(ctx: Context, actor: Actor, code: str | None) -> OfficeOut:
    with ctx.db.snapshot() as session:
        if code is not None:
            return geo.office_by_code(session, code)
        if actor.office_id is None:  # a national role names the office it looks at
            raise refusal("office.required", field="office")
        return geo.office_by_id(session, actor.office_id)


def _weeks(ctx: Context, office_id: int, today: dt.date) -> list[WeekOut]:
    first = week_start(today) - dt.timedelta(weeks=WEEKS - 1)
    since = dt.datetime.combine(first - dt.timedelta(days=1), dt.time(), dt.UTC)  # a day early: zones differ
    counts: dict[dt.date, Counter[str]] = defaultdict(Counter)
    for moment, kind in registry.office_registrations(ctx, office_id=office_id, since=since):
        counts[week_start(local_day(moment, ctx.settings.timezone))][kind] += 1
    starts = [first + dt.timedelta(weeks=n) for n in range(WEEKS)]
    return [
        WeekOut(
            week_start=start,
            week_start_jalali=to_jalali(start),
            registered={kind: counts[start][kind] for kind in KINDS},
        )
        for start in starts
    ]


def _timeliness(ctx: Context, office_id: int, today: dt.date) -> list[TimelinessOut]:
    delays: dict[str, Counter[int]] = defaultdict(Counter)
    on_time: Counter[str] = Counter()
    for kind, delay, late, n in registry.office_delays(ctx, office_id=office_id, since=today - dt.timedelta(YEAR)):
        delays[kind][int(delay)] += n
        on_time[kind] += 0 if late else n
    rows = []
    for kind in ("birth", "death"):
        registered = sum(delays[kind].values())
        rows.append(
            TimelinessOut(
                kind=kind,
                registered=registered,
                on_time=on_time[kind],
                on_time_percent=rounded(100 * on_time[kind] / registered, 1) if registered else None,
                median_delay_days=median_from_counts(delays[kind]),
            )
        )
    return rows


def _waiting(ctx: Context, office_id: int, today: dt.date) -> list[WaitingOut]:
    ages: dict[str, list[int]] = {"to-correct": [], "to-validate": [], "to-register": [], "to-approve": []}
    queue_of = {"rejected": "to-correct", "declared": "to-validate", "validated": "to-register"}
    for status, waiting_for_head, declared_on in registry.office_pending(ctx, office_id=office_id):
        age = (today - declared_on).days
        ages[queue_of[status]].append(age)
        if waiting_for_head and status != "rejected":
            ages["to-approve"].append(age)
    return [
        WaitingOut(
            queue=queue,
            count=len(days),
            oldest_days=max(days) if days else None,
            median_days=float(median(days)) if days else None,
        )
        for queue, days in ages.items()
    ]


def _staff(ctx: Context, office_id: int, today: dt.date) -> list[StaffWorkOut]:
    since = dt.datetime.combine(today - dt.timedelta(days=STAFF_DAYS), dt.time(), dt.UTC)
    steps: dict[int, dict[str, int]] = defaultdict(dict)
    for user_id, action, n in registry.office_steps(ctx, office_id=office_id, since=since):
        steps[user_id][action] = n
    with ctx.db.snapshot() as session:
        names = accounts.usernames(session, set(steps))
    return sorted(
        (StaffWorkOut(username=names.get(user_id, "?"), steps=done) for user_id, done in steps.items()),
        key=lambda work: (-sum(work.steps.values()), work.username),
    )


def _completeness(ctx: Context, office_id: int, today: dt.date, base: str) -> list[CompletenessOut]:
    first = today - dt.timedelta(days=YEAR - 1)
    counties = sorted(set(registry.counties_served(ctx, office_id=office_id, since=first)))
    reference = Reference.load(ctx, population_on=today if base == "registry" else None)
    registered: dict[str, int] = dict(registry.births_in_counties(ctx, counties=counties, first=first, last=today))
    rate = ctx.settings.expected_birth_rate
    rows = []
    for county in counties:
        population = reference.populations.get(county, 0)
        births = registered.get(county, 0)
        rows.append(
            CompletenessOut(
                county=county,
                county_fa=reference.names.get(county, county),
                population=population,
                expected_births=round(population * rate / 1000 * YEAR / DAYS_PER_YEAR, 1),
                registered_births=births,
                completeness_percent=rounded(completeness_percent(births, population, rate, YEAR), 1),
            )
        )
    return rows


def _facilities(ctx: Context, office_id: int, today: dt.date) -> list[FacilityTimelinessOut]:
    """Each facility's notifications to the office in twelve months by kind, then a total row per kind
    where more than one facility notified."""
    since = dt.datetime.combine(today - dt.timedelta(days=YEAR), dt.time(), dt.UTC)
    hours: dict[tuple[str | None, str], Counter[int]] = defaultdict(Counter)
    days: dict[tuple[str | None, str], Counter[int]] = defaultdict(Counter)
    names: dict[str | None, str] = {None: "همه مراکز درمانی"}
    for code, name, kind, hour, day, n in notifications.office_timeliness(ctx, office_id=office_id, since=since):
        names[code] = name
        for facility in (code, None):
            hours[(facility, kind)][hour] += n
            if day is not None:
                days[(facility, kind)][day] += n
    if len(names) == 2:  # one facility: its rows are the totals
        hours = {key: counts for key, counts in hours.items() if key[0] is not None}
    keys = sorted(hours, key=lambda key: (key[0] is None, names[key[0]], key[0] or "", key[1]))
    return [_facility_row(key, names[key[0]], hours[key], days[key]) for key in keys]


def _facility_row(
    key: tuple[str | None, str], name: str, hours: Counter[int], days: Counter[int]
) -> FacilityTimelinessOut:
    notified, registered = sum(hours.values()), sum(days.values())
    return FacilityTimelinessOut(
        facility=key[0],
        facility_name=name,
        kind=key[1],
        notified=notified,
        registered=registered,
        registered_percent=rounded(100 * registered / notified, 1) if notified else None,
        notify_median_hours=median_from_counts(hours),
        register_median_days=median_from_counts(days),
    )
