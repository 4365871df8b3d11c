"""`sabt synth`: write a synthetic nation to a folder."""

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..core.errors import refusal
from ..core.jalali import DateProblem, parse_date
from ..terminal import out, refusals
from .service import DEFAULT_END, SynthRequest, generate_nation


def synth(
    people: Annotated[int, typer.Option(help="People alive at the end of the window")] = 10_000,
    years: Annotated[int, typer.Option(help="Years of births, deaths, marriages and divorces")] = 3,
    seed: Annotated[int, typer.Option(help="The same seed writes the same files")] = 1,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the files")] = Path("var/synth"),
    end: Annotated[str, typer.Option(help="Last day of the window (Jalali or Gregorian)")] = DEFAULT_END.isoformat(),
    legacy: Annotated[bool, typer.Option(help="Also write legacy.csv with known defects and its ground truth")] = False,
) -> None:
    """Write a deterministic synthetic population: persons.csv, events.csv, cards.csv (and legacy files),
    summary.json."""
    with refusals(), Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()) as bar:
        task = bar.add_task("starting")
        request = SynthRequest(people=people, years=years, seed=seed, end=_day(end), legacy=legacy)
        summary = generate_nation(request, out_dir, step=lambda name: bar.update(task, description=name))
        bar.update(task, description="done")
    out.print(
        f"{summary.persons_file_rows} persons, events {summary.events}, {summary.cards} cards, "
        f"in {summary.seconds} s -> {out_dir}"
    )
    if summary.legacy_rows:
        out.print(f"legacy rows by defect: {summary.legacy_rows}")


def _day(text: str) -> dt.date:
    try:
        return parse_date(text)
    except DateProblem as problem:
        raise refusal(f"date.{problem.reason}", field="end") from None
