"""The public statistics dashboard (Persian, right to left): headline figures for the last twelve months,
monthly births and deaths, a map of provinces shaded by a chosen indicator, a table per province, and the
same data to download. Signed-in staff see exact figures; everyone else the protected ones."""

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..context import Context
from ..core.causes import CHAPTERS_FA
from ..core.errors import SabtError
from ..core.permissions import Action, Actor
from ..core.text import to_persian_digits
from ..core.vocabulary import ACTION_FA, KIND_FA, QUEUE_FA
from ..geo import service as geo
from ..http import CurrentContext
from ..web.session import MaybeSignedIn, SignedIn
from ..web.templating import page
from . import service
from .charts import Tile, bar_chart, tile_map
from .indicators import Place
from .schemas import StatTable

router = APIRouter(include_in_schema=False)
STAFF_STEPS = ("declare", "resubmit", "validate", "register", "reject", "approve_late")  # columns of staff work
# What the map can be shaded by: (indicator, column, Persian title).
MAP_CHOICES = {
    "crude_birth_rate": ("crude_birth_rate", "crude_birth_rate", "میزان خام موالید (در هزار)"),
    "crude_death_rate": ("crude_death_rate", "crude_death_rate", "میزان خام مرگ (در هزار)"),
    "births_on_time_percent": ("timeliness", "births_on_time_percent", "درصد ولادت ثبت‌شده به‌موقع"),
    "coverage_percent": ("card_coverage", "coverage_percent", "پوشش کارت هوشمند (درصد)"),
    "total_fertility_rate": ("fertility", "total_fertility_rate", "میزان باروری کل"),
}
TABLE = (
    ("births", "births"),
    ("deaths", "deaths"),
    ("marriages", "marriages"),
    ("divorces", "divorces"),
    ("crude_birth_rate", "crude_birth_rate"),
    ("crude_death_rate", "crude_death_rate"),
    ("timeliness", "births_on_time_percent"),
    ("card_coverage", "coverage_percent"),
)


@router.get("/office/dashboard", response_class=HTMLResponse)
def office_dashboard(
    ctx: CurrentContext,
    request: Request,
    user: SignedIn,
    office: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The office head's dashboard of their office; a national role picks the office first."""
    if office is None and user.actor.office_id is None and user.actor.may(Action.READ_OFFICE_DASHBOARD):
        offices = geo.list_offices(ctx)
        return page(request, "stats/office_pick.html", {"user": user, "offices": offices})
    try:
        figures = service.office_dashboard(ctx, actor=user.actor, office_code=office)
    except SabtError as error:
        values = {"user": user, "message": error.message_fa}
        return page(request, "office/error.html", values, status=error.status)
    weeks = [week.week_start_jalali for week in figures.weeks]
    chart = bar_chart(
        [to_persian_digits(day[5:]) for day in weeks],
        [float(sum(week.registered.values())) for week in figures.weeks],
        "ثبت‌ها در هر هفته",
    )
    words = {"kind_fa": KIND_FA, "queue_fa": QUEUE_FA, "action_fa": ACTION_FA, "steps": STAFF_STEPS}
    return page(request, "stats/office.html", {"user": user, "figures": figures, "chart": chart, **words})


@router.get("/stats", response_class=HTMLResponse)
def dashboard(
    ctx: CurrentContext,
    request: Request,
    user: MaybeSignedIn,
    shade: Annotated[str, Query(alias="map", max_length=40)] = "crude_birth_rate",
    base: service.Base | None = None,
) -> Response:
    actor = user.actor if user else None
    base = base or ctx.settings.stats_base
    chosen_shade = shade if shade in MAP_CHOICES else "crude_birth_rate"
    exact = actor is not None and actor.may(Action.READ)
    cache: DashboardCache = request.app.state.stats_cache
    values = cache.get((chosen_shade, base, exact), lambda: _dashboard_values(ctx, actor, chosen_shade, base))
    return page(request, "stats/dashboard.html", {"user": user, **values})


class DashboardCache:
    """The dashboard's figures, reused for a few minutes: they change with registrations, a few a minute per
    province, and a page computes a score of tables. Exact and protected figures are kept apart."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        self.entries: dict[tuple[str, str, bool], tuple[float, dict[str, Any]]] = {}
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str, bool], compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        now = time.monotonic()
        with self.lock:
            hit = self.entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        values = compute()
        if self.seconds:
            with self.lock:
                self.entries[key] = (now + self.seconds, values)
        return values


def _dashboard_values(ctx: Context, actor: Actor | None, shade: str, base: service.Base) -> dict[str, Any]:
    end = ctx.today()
    start = end - dt.timedelta(days=364)
    year = {name: _table(ctx, actor, name, "country", "range", start, end, base) for name, _ in TABLE}
    year |= {
        name: _table(ctx, actor, name, "country", "range", start, end, base)
        for name in (
            "child_mortality",
            "stillbirths",
            "fertility",
            "sex_ratio_at_birth",
            "deaths_by_cause",
            "maternal_mortality",
            "completeness",
        )
    }
    provinces = {name: _table(ctx, actor, name, "province", "range", start, end, base) for name, _ in TABLE}
    chosen = MAP_CHOICES[shade]
    shaded = _table(ctx, actor, chosen[0], "province", "range", start, end, base)
    months_start = (end - dt.timedelta(days=730)).replace(day=1)
    monthly = {
        name: _table(ctx, actor, name, "country", "month", months_start, end, base) for name in ("births", "deaths")
    }
    return {
        "start": start,
        "end": end,
        "exact": year["births"].exact,
        "base": base,
        "headline": {name: _first(table) for name, table in year.items()},
        "provinces": _province_rows(provinces),
        "map": tile_map(_tiles(ctx, shaded, chosen[1]), chosen[2]),
        "map_choices": MAP_CHOICES,
        "shade": shade,
        "charts": {
            name: bar_chart([r.period_fa for r in table.rows], [_number(r.values.get(name)) for r in table.rows], name)
            for name, table in monthly.items()
        },
        "causes": _cause_rows(_first(year["deaths_by_cause"])),
        "downloads": [
            *(name for name, _ in TABLE),
            "deaths_by_cause",
            "maternal_mortality",
            "child_mortality",
            "stillbirths",
            "completeness",
        ],
    }


def _cause_rows(values: dict[str, float | int | None]) -> list[dict[str, object]]:
    """Deaths by the chapter of their underlying cause, the most first, and those without a certificate;
    chapters with none are left out. A hidden count (None) is listed after the shown ones, its share hidden."""
    total = values.get("deaths")
    named = [(f"deaths_cause_{numeral}", codes, title) for numeral, (codes, title) in CHAPTERS_FA.items()]
    named.append(("deaths_cause_uncertified", "", "بدون گواهی پزشکی"))
    rows: list[dict[str, object]] = [
        {"codes": codes, "title": title, "deaths": values.get(column), "share": _share(values.get(column), total)}
        for column, codes, title in named
        if values.get(column) != 0
    ]
    return sorted(rows, key=lambda row: -row["deaths"] if isinstance(row["deaths"], int) else 1)


def _share(count: float | int | None, total: float | int | None) -> float | None:
    return 100 * count / total if isinstance(count, int) and isinstance(total, int) and total else None


def _table(
    ctx: Context,
    actor: Actor | None,
    name: str,
    place: Place,
    grain: service.TimeGrain,
    start: dt.date,
    end: dt.date,
    base: service.Base,
) -> StatTable:
    return service.compute(ctx, actor=actor, indicator=name, place=place, grain=grain, start=start, end=end, base=base)


def _tiles(ctx: Context, table: StatTable, column: str) -> list[Tile]:
    """Every province, with its value where the table has one (a province with no events has none)."""
    values = {row.place: _number(row.values.get(column)) for row in table.rows}
    return [Tile(province.code, province.name_fa, values.get(province.code)) for province in geo.list_provinces(ctx)]


def _first(table: StatTable) -> dict[str, float | int | None]:
    return table.rows[0].values if table.rows else {}


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _province_rows(tables: dict[str, StatTable]) -> list[dict[str, object]]:
    by_place: dict[str, dict[str, object]] = {}
    for name, column in TABLE:
        for row in tables[name].rows:
            entry = by_place.setdefault(row.place, {"code": row.place, "name": row.place_fa})
            entry[column] = row.values.get(column)
    return [by_place[code] for code in sorted(by_place)]
