"""Computing an indicator as a table: one row per place and period, from counts the database registry.

Counts are gathered per county and period, added up to provinces and the country, and the rates are
worked out at the level asked for. Staff who may read the registry see exact figures; everyone else sees
the table under disclosure control (`core.stats.suppress`): small counts hidden, enough others hidden that
no hidden one can be recovered from the place totals, and every figure computed from a hidden count hidden
with it.
"""

import datetime as dt
from collections import Counter, defaultdict
from typing import Literal

from ..cards import service as cards
from ..certificates import service as certificates
from ..context import Context
from ..core import causes
from ..core.errors import DateInFuture, DateRange
from ..core.permissions import Action, Actor
from ..core.stats import (
    DAYS_PER_YEAR,
    DEATH_AGE_GROUPS,
    GRAINS,
    MOTHER_AGE_GROUPS,
    Grain,
    Period,
    median_from_counts,
    periods,
    rate_per_thousand,
    ratio,
    rounded,
    suppress,
    total_fertility,
)
from ..core.workflow import EventKind
from ..geo import service as geo
from ..geo.errors import ProvinceUnknown
from ..notifications import service as notifications
from ..registry import service as registry
from .errors import StatsBy, StatsIndicator, StatsPlace, StatsTooLong
from .indicators import INDICATORS, Indicator, Place
from .office import office_dashboard as office_dashboard
from .reference import UNKNOWN, Reference
from .schemas import StatRow, StatTable

TimeGrain = Grain | Literal["range"]
Base = Literal["census", "registry"]
Key = tuple[str, str]  # (place code, period key); the country's place code is ""
LEVELS: tuple[Place, ...] = ("country", "province", "county")
MAX_DAYS = 20 * 366


def parse_by(text: str) -> tuple[Place, TimeGrain]:
    """ "province,month" → ("province", "month"); either part may be left out (country, month)."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    place = next((part for part in parts if part in LEVELS), "country")
    grain = next((part for part in parts if part in (*GRAINS, "range")), "month")
    if len(parts) > 2 or any(part not in (*LEVELS, *GRAINS, "range") for part in parts):
        raise StatsBy(field="by")
    return place, grain  # type: ignore[return-value]


def compute(
    ctx: Context,
    *,
    actor: Actor | None,
    indicator: str,
    place: Place,
    grain: TimeGrain,
    start: dt.date,
    end: dt.date,
    province: str | None = None,
    base: Base = "census",
) -> StatTable:
    """The indicator by place and period over [start, end]; exact for staff, protected for everyone else.
    Rates per person use the 1395 census population, or with `base="registry"` the persons alive in the
    registry on the last day (by county of birth) — for a registry that holds a whole population."""
    chosen = _indicator(indicator, place)
    _check_range(ctx, start, end, province)
    spans = [Period("range", start, end, "کل دوره")] if grain == "range" else periods(start, end, grain)
    counts, delays = _gather(ctx, chosen, spans)
    counts, delays = _roll_up(counts), _roll_up_delays(delays)
    keys = sorted({key for key in counts if province is None or key[0].startswith(province) or place == "country"})
    keys = [key for key in keys if _level(key[0]) == place]
    exact = actor is not None and actor.may(Action.READ)
    hidden = set() if exact else _hidden(chosen, counts, place)
    reference = Reference.load(ctx, population_on=end if base == "registry" else None)
    rows = [_row(reference, chosen, key, counts, delays, spans, hidden) for key in keys]
    return StatTable(
        indicator=chosen.name,
        place=place,
        grain=grain,
        start=start,
        end=end,
        exact=exact,
        base=base,
        columns=[column.name for column in chosen.columns],
        rows=rows,
    )


def _indicator(name: str, place: Place) -> Indicator:
    if name not in INDICATORS:
        raise StatsIndicator(field="indicator", name=name, known=", ".join(INDICATORS))
    chosen = INDICATORS[name]
    if place not in chosen.places:
        raise StatsPlace(field="by", name=name, place=place, places=", ".join(chosen.places))
    return chosen


def last_twelve_months(end: dt.date) -> dt.date:
    """The first day of a period asked for without one, in the API and the command line alike."""
    return end - dt.timedelta(days=364)


def _check_range(ctx: Context, start: dt.date, end: dt.date, province: str | None) -> None:
    if end < start:
        raise DateRange(field="to")
    if (end - start).days > MAX_DAYS:
        raise StatsTooLong(field="from")
    if end > ctx.today():
        raise DateInFuture(field="to")
    if province is not None and province not in {p.code for p in geo.list_provinces(ctx)}:
        raise ProvinceUnknown(field="province", code=province)


# --- gathering counts per county and period ----------------------------------------------------------------


Counts = dict[Key, Counter[str]]
Delays = dict[Key, dict[str, Counter[int]]]  # per place and period: kind → days of delay → registrations


def _gather(ctx: Context, indicator: Indicator, spans: list[Period]) -> tuple[Counts, Delays]:
    counts: dict[Key, Counter[str]] = defaultdict(Counter)
    delays: dict[Key, dict[str, Counter[int]]] = defaultdict(lambda: defaultdict(Counter))
    buckets = [(span.key, span.first, span.last) for span in spans]
    needs = set(indicator.counts()) | {column.name for column in indicator.columns}
    if needs & {"births", "births_male", "births_female", "sex_ratio_at_birth", "total_fertility_rate"}:
        for county, period, sex, mother_age, n in registry.birth_counts(ctx, buckets=buckets):
            key = (county or UNKNOWN, period)
            counts[key].update({"births": n, f"births_{sex}": n})
            if mother_age:
                counts[key][f"births_mother_{mother_age}"] += n
    if needs & {"deaths", "infant_deaths", "neonatal_deaths"}:
        _gather_deaths(ctx, buckets, counts)
    if needs & {"deaths_cause_uncertified", "maternal_deaths"}:
        _gather_causes(ctx, buckets, counts)
    if needs & {"births_notified", "stillbirths"}:
        for county, period, kind, hours, days, n in notifications.timeliness_counts(ctx, buckets=buckets):
            key = (county or UNKNOWN, period)
            if kind == "stillbirth":
                counts[key]["stillbirths"] += n
                continue
            counts[key][f"{kind}s_notified"] += n
            delays[key][f"{kind}_notify_hours"][hours] += n
            if days is not None:
                counts[key][f"{kind}s_notified_registered"] += n
                delays[key][f"{kind}_register_days"][days] += n
    for kind in (EventKind.MARRIAGE, EventKind.DIVORCE):
        if f"{kind}s" in needs:
            for county, period, n in registry.couple_counts(ctx, kind=kind, buckets=buckets):
                counts[(county or UNKNOWN, period)][f"{kind}s"] += n
    if "births_registered" in needs:
        for kind in (EventKind.BIRTH, EventKind.DEATH):
            for county, period, delay, late, n in registry.delay_counts(ctx, kind=kind, buckets=buckets):
                key = (county or UNKNOWN, period)
                counts[key].update({f"{kind}s_registered": n, f"{kind}s_on_time": 0 if late else n})
                delays[key][kind][int(delay)] += n
    if "eligible" in needs:
        _gather_coverage(ctx, spans, counts)
    if "suspected_forgeries" in needs:
        for (province, day), n in certificates.forgeries_by_day(
            ctx, since=spans[0].first, until=spans[-1].last
        ).items():
            span = next(span for span in spans if span.first <= day <= span.last)
            counts[(province or "??", span.key)]["suspected_forgeries"] += n
    return counts, delays


def _gather_deaths(ctx: Context, buckets: list[tuple[str, dt.date, dt.date]], counts: Counts) -> None:
    under_five = {name for name, starts in DEATH_AGE_GROUPS if starts < 5}
    for county, period, sex, age, neonatal, n in registry.death_counts(ctx, buckets=buckets):
        key = (county or UNKNOWN, period)
        counts[key].update({"deaths": n, f"deaths_{sex}": n, f"deaths_age_{age}": n})
        if age == DEATH_AGE_GROUPS[0][0]:
            counts[key]["infant_deaths"] += n
        if age in under_five:
            counts[key]["under_five_deaths"] += n
        if neonatal:
            counts[key]["neonatal_deaths"] += n


def _gather_causes(ctx: Context, buckets: list[tuple[str, dt.date, dt.date]], counts: Counts) -> None:
    for county, period, _sex, underlying, n in registry.cause_counts(ctx, buckets=buckets):
        key = (county or UNKNOWN, period)
        if underlying is None:
            counts[key]["deaths_cause_uncertified"] += n
            continue
        counts[key][f"deaths_cause_{causes.chapter(underlying)}"] += n
        if causes.is_maternal(underlying):
            counts[key]["maternal_deaths"] += n


def _gather_coverage(ctx: Context, spans: list[Period], counts: dict[Key, Counter[str]]) -> None:
    """Coverage on each period's last day (or today, for the period under way)."""
    days = [min(span.last, ctx.today()) for span in spans]
    on_days = cards.coverage_on_days(ctx, days=sorted(set(days)))
    for span, day in zip(spans, days, strict=True):
        eligible, active = on_days[day]
        for county, n in eligible.items():
            counts[(county, span.key)]["eligible"] += n
        for county, n in active.items():
            counts[(county, span.key)]["active_cards"] += n


# --- places --------------------------------------------------------------------------------------------------


def _level(code: str) -> Place:
    return "country" if code == "" else "province" if len(code) == 2 else "county"


def _parent(code: str) -> str:
    return "" if len(code) == 2 else code[:2]


def _levels_of(code: str) -> set[str]:
    """The place a count was gathered at and every place above it: county, province, country ("").
    Counts known only by province (forgeries) start at the province."""
    return {code, code[:2], ""}


def _roll_up(counts: dict[Key, Counter[str]]) -> dict[Key, Counter[str]]:
    totals: dict[Key, Counter[str]] = defaultdict(Counter)
    for (code, period), values in counts.items():
        for target in _levels_of(code):
            totals[(target, period)].update(values)
    return totals


def _roll_up_delays(delays: dict[Key, dict[str, Counter[int]]]) -> dict[Key, dict[str, Counter[int]]]:
    totals: dict[Key, dict[str, Counter[int]]] = defaultdict(lambda: defaultdict(Counter))
    for (code, period), by_kind in delays.items():
        for target in _levels_of(code):
            for kind, histogram in by_kind.items():
                totals[(target, period)][kind].update(histogram)
    return totals


# --- disclosure control --------------------------------------------------------------------------------------


def _hidden(indicator: Indicator, counts: dict[Key, Counter[str]], place: Place) -> set[str]:
    """Cell names "place|period|column" the public may not see. The place totals above the level asked for
    are published too (in their own tables), so they take part as the totals of their members."""
    columns = indicator.counts()
    levels = LEVELS[: LEVELS.index(place) + 1]
    published = [key for key in counts if _level(key[0]) in levels]
    cells = {
        f"{code}|{period}|{column}": counts[(code, period)][column] for code, period in published for column in columns
    }
    members: dict[Key, list[str]] = defaultdict(list)  # (parent, period) -> the places under it
    for code, period in published:
        if code != "":
            members[(_parent(code), period)].append(code)
    groups: list[tuple[str | None, list[str]]] = []
    for (parent, period), codes in members.items():
        for column in columns:
            groups.append((f"{parent}|{period}|{column}", [f"{code}|{period}|{column}" for code in codes]))
    for code, period in published:
        for total, parts in _column_groups(indicator):
            groups.append((f"{code}|{period}|{total}", [f"{code}|{period}|{part}" for part in parts]))
    return suppress(cells, groups)


def _column_groups(indicator: Indicator) -> list[tuple[str, list[str]]]:
    """Columns that add up to another column of the same row."""
    names = set(indicator.counts())
    groups = [
        ("births", ["births_male", "births_female"]),
        ("deaths", ["deaths_male", "deaths_female"]),
        ("deaths", [f"deaths_age_{name}" for name, _ in DEATH_AGE_GROUPS]),
        ("deaths", [*(f"deaths_cause_{numeral}" for numeral in causes.CHAPTERS_FA), "deaths_cause_uncertified"]),
    ]
    return [(total, parts) for total, parts in groups if total in names and set(parts) <= names]


# Figures computed from counts: hidden when any count they use is.
DEPENDS: dict[str, tuple[str, ...]] = {
    "crude_birth_rate": ("births",),
    "crude_death_rate": ("deaths",),
    "sex_ratio_at_birth": ("births_male", "births_female"),
    "total_fertility_rate": tuple(f"births_mother_{name}" for name, _ in MOTHER_AGE_GROUPS),
    **{f"asfr_{name}": (f"births_mother_{name}",) for name, _ in MOTHER_AGE_GROUPS},
    "infant_mortality_rate": ("infant_deaths", "births"),
    "neonatal_mortality_rate": ("neonatal_deaths", "births"),
    "under_five_mortality_rate": ("under_five_deaths", "births"),
    "stillbirth_rate": ("stillbirths", "births"),
    "maternal_mortality_ratio": ("maternal_deaths", "births"),
    "births_completeness_percent": ("births",),
    "deaths_completeness_percent": ("deaths",),
    **{
        name: (f"{kind}s_notified", f"{kind}s_notified_registered")
        for kind in ("birth", "death")
        for name in (f"{kind}s_notified_registered_percent",)
    },
    **{f"{kind}s_notify_median_hours": (f"{kind}s_notified",) for kind in ("birth", "death")},
    **{f"{kind}s_register_median_days": (f"{kind}s_notified_registered",) for kind in ("birth", "death")},
    "births_on_time_percent": ("births_on_time", "births_registered"),
    "births_median_delay_days": ("births_registered",),
    "deaths_median_delay_days": ("deaths_registered",),
    "deaths_on_time_percent": ("deaths_on_time", "deaths_registered"),
    "coverage_percent": ("eligible", "active_cards"),
}


# --- rows ----------------------------------------------------------------------------------------------------


def _row(
    reference: Reference,
    indicator: Indicator,
    key: Key,
    counts: dict[Key, Counter[str]],
    delays: dict[Key, dict[str, Counter[int]]],
    spans: list[Period],
    hidden: set[str],
) -> StatRow:
    code, period_key = key
    span = next(span for span in spans if span.key == period_key)
    values = counts[key]
    figures = _figures(reference, code, span, values, delays.get(key, {}))
    shown: dict[str, float | int | None] = {}
    suppressed: list[str] = []
    for column in indicator.columns:
        inputs = DEPENDS.get(column.name, (column.name,))
        if any(f"{code}|{period_key}|{name}" in hidden for name in inputs):
            shown[column.name] = None
            suppressed.append(column.name)
        else:
            shown[column.name] = values[column.name] if column.kind == "count" else figures.get(column.name)
    return StatRow(
        place=code,
        place_fa=reference.names.get(code, code),
        period=period_key,
        period_fa=span.label_fa,
        first=span.first,
        last=span.last,
        values=shown,
        suppressed=suppressed,
    )


def _figures(
    reference: Reference, code: str, span: Period, values: Counter[str], delays: dict[str, Counter[int]]
) -> dict[str, float | int | None]:
    population = reference.populations.get(code, 0)
    women = dict(reference.women.get(code, {}))
    figures: dict[str, float | int | None] = {
        "population": population,
        "crude_birth_rate": rounded(rate_per_thousand(values["births"], population, span.days)),
        "crude_death_rate": rounded(rate_per_thousand(values["deaths"], population, span.days)),
        "sex_ratio_at_birth": rounded(ratio(values["births_male"], values["births_female"], 100), 1),
        "infant_mortality_rate": rounded(ratio(values["infant_deaths"], values["births"], 1000), 1),
        "neonatal_mortality_rate": rounded(ratio(values["neonatal_deaths"], values["births"], 1000), 1),
        "under_five_mortality_rate": rounded(ratio(values["under_five_deaths"], values["births"], 1000), 1),
        "stillbirth_rate": rounded(ratio(values["stillbirths"], values["births"] + values["stillbirths"], 1000), 1),
        "maternal_mortality_ratio": rounded(ratio(values["maternal_deaths"], values["births"], 100_000), 1),
        "coverage_percent": rounded(ratio(values["active_cards"], values["eligible"], 100), 1),
        "total_fertility_rate": rounded(
            total_fertility({name: values[f"births_mother_{name}"] for name, _ in MOTHER_AGE_GROUPS}, women, span.days)
        ),
    }
    for name, _ in MOTHER_AGE_GROUPS:
        per_year = DAYS_PER_YEAR / span.days
        figures[f"asfr_{name}"] = rounded(ratio(values[f"births_mother_{name}"], women.get(name, 0), per_year), 4)
    for kind in ("birth", "death"):
        expected = population * reference.expected_rates[kind] / 1000 * span.days / DAYS_PER_YEAR
        figures[f"expected_{kind}s"] = rounded(expected, 1)
        figures[f"{kind}s_completeness_percent"] = rounded(ratio(values[f"{kind}s"], expected, 100), 1)
        notified = ratio(values[f"{kind}s_notified_registered"], values[f"{kind}s_notified"], 100)
        figures[f"{kind}s_notified_registered_percent"] = rounded(notified, 1)
        figures[f"{kind}s_notify_median_hours"] = median_from_counts(delays.get(f"{kind}_notify_hours", Counter()))
        figures[f"{kind}s_register_median_days"] = median_from_counts(delays.get(f"{kind}_register_days", Counter()))
        on_time = ratio(values[f"{kind}s_on_time"], values[f"{kind}s_registered"], 100)
        figures[f"{kind}s_on_time_percent"] = rounded(on_time, 1)
        figures[f"{kind}s_median_delay_days"] = median_from_counts(delays.get(kind, Counter()))
    return figures
