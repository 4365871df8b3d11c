"""Statistics for anyone (under disclosure control) and for staff (exact), as JSON, CSV or Parquet."""

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from ..core.errors import refusal
from ..core.jalali import DateProblem, parse_date
from ..http import CurrentActor, CurrentContext, OptionalActor
from . import service
from .exports import MEDIA_TYPES, export
from .indicators import dictionary
from .schemas import OfficeDashboardOut

router = APIRouter(tags=["statistics"])
DateText = Annotated[str | None, Query(max_length=20, description="Jalali or Gregorian")]


@router.get("/offices/{office}/dashboard", response_model=OfficeDashboardOut)
def office_dashboard(
    ctx: CurrentContext, actor: CurrentActor, office: Annotated[str, Path(max_length=20)]
) -> OfficeDashboardOut:
    """An office's figures for its head (and the national roles): registrations per week, timeliness, how
    long work waits, the steps each staff member took in 30 days, and completeness of birth registration."""
    return service.office_dashboard(ctx, actor=actor, office_code=office)


@router.get("/stats/dictionary")
def data_dictionary() -> list[dict[str, object]]:
    """Every indicator, its columns and their formulas."""
    return dictionary()


@router.get("/stats/{indicator}")
def indicator_table(
    ctx: CurrentContext,
    actor: OptionalActor,
    indicator: str,
    by: Annotated[str, Query(max_length=40)] = "country,month",
    start: Annotated[DateText, Query(alias="from")] = None,
    end: Annotated[DateText, Query(alias="to")] = None,
    province: Annotated[str | None, Query(max_length=2)] = None,
    base: service.Base = "census",
    format: Literal["json", "csv", "parquet"] = "json",
) -> Response:
    """An indicator by place and period: `by=province,month`, `from`/`to` (default: the last 12 months).
    Signed-in staff get exact figures; everyone else gets small counts suppressed."""
    place, grain = service.parse_by(by)
    last = _day(end, "to") if end else ctx.today()
    first = _day(start, "from") if start else service.last_twelve_months(last)
    table = service.compute(
        ctx,
        actor=actor,
        indicator=indicator,
        place=place,
        grain=grain,
        start=first,
        end=last,
        province=province,
        base=base,
    )
    headers = {"Content-Disposition": f'inline; filename="sabt-{indicator}-{place}-{grain}.{format}"'}
    return Response(export(table, format), media_type=MEDIA_TYPES[format], headers=headers)


def _day(text: str, field: str) -> dt.date:
    try:
        return parse_date(text)
    except DateProblem as problem:
        raise refusal(f"date.{problem.reason}", field=field) from None
