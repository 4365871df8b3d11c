"""`sabt stats INDICATOR`: an indicator as a table, CSV, JSON or Parquet; `sabt stats dictionary` lists them."""

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, cast

import typer

from ..accounts import service as accounts
from ..core.jalali import DateProblem, parse_date
from ..core.text import to_persian_digits
from ..terminal import command_context, err, out, output_file
from . import service
from .exports import export
from .indicators import INDICATORS, dictionary
from .schemas import StatTable
from .service import Base


def stats(
    indicator: Annotated[str, typer.Argument(help=f"{', '.join(INDICATORS)}, or dictionary")],
    by: Annotated[str, typer.Option(help="place,period: country|province|county, month|season|year|range")] = (
        "country,month"
    ),
    start: Annotated[
        str | None, typer.Option("--from", help="First day, Jalali or Gregorian; default a year before --to")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day; default today")] = None,
    province: Annotated[str | None, typer.Option(help="Only this province's places")] = None,
    base: Annotated[str, typer.Option(help="Population base of rates: census or registry")] = "census",
    output_format: Annotated[str, typer.Option("--format", help="table, csv, json or parquet")] = "table",
    output: Annotated[Path | None, typer.Option("--out", help="File to write (required for parquet)")] = None,
    as_user: Annotated[str | None, typer.Option("--as", envvar="SABT_USER", help="Staff see exact figures")] = None,
) -> None:
    """Vital statistics from the registry, by place and Jalali period. Without --as, small counts are
    suppressed as on the public pages."""
    if indicator == "dictionary":
        typer.echo(json.dumps(dictionary(), ensure_ascii=False, indent=1))
        return
    if output_format not in ("table", "csv", "json", "parquet") or (output_format == "parquet" and output is None):
        err.print("error [format]: table, csv, json, or parquet with --out FILE", markup=False)
        raise typer.Exit(1)
    if base not in ("census", "registry"):
        err.print("error [base]: census or registry", markup=False)
        raise typer.Exit(1)
    first, last = _day(start, "from"), _day(end, "to")
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user) if as_user else None
        place, grain = service.parse_by(by)
        last = last or ctx.today()
        first = first or service.last_twelve_months(last)
        table = service.compute(
            ctx,
            actor=actor,
            indicator=indicator,
            place=place,
            grain=grain,
            start=first,
            end=last,
            province=province,
            base=cast(Base, base),
        )
    if output_format == "table":
        _print(table)
        return
    data = export(table, output_format)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        with output_file(output) as file:
            file.write(data)
        out.print(f"{len(table.rows)} rows of {indicator} in {output}", markup=False)


def _day(text: str | None, field: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except DateProblem:
        err.print(f"error [{field}]: write the date as YYYY/MM/DD, Jalali or Gregorian", markup=False)
        raise typer.Exit(1) from None


def _print(table: StatTable) -> None:
    note = "exact" if table.exact else "small counts suppressed (shown as *)"
    out.print(f"{table.indicator} by {table.place}, {table.grain}, {table.start} to {table.end}; {note}", markup=False)
    out.print("  ".join(["place", "period", *table.columns]), markup=False)
    for row in table.rows:
        values = [
            "*" if name in row.suppressed else "-" if value is None else f"{value:,}"
            for name, value in row.values.items()
        ]
        out.print(
            "  ".join([f"{row.place_fa} ({row.place or 'IR'})", to_persian_digits(row.period_fa), *values]),
            markup=False,
        )
