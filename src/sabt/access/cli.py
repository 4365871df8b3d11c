"""`sabt audit access`: who read a person's record, what a staff user read, and the report of unusual access."""

import datetime as dt
from typing import Annotated

import typer

from ..accounts import service as accounts
from ..core.errors import refusal
from ..core.jalali import DateProblem, parse_date
from ..registry import service as registry
from ..terminal import command_context, print_model
from . import service
from .errors import AccessOneQuestion


def access(
    as_user: Annotated[str, typer.Option("--as", envvar="SABT_USER", help="Act as this user (an auditor)")],
    person: Annotated[str | None, typer.Option(help="Who read this person's record (a national code)")] = None,
    user: Annotated[str | None, typer.Option(help="What this staff user read (a username)")] = None,
    unusual: Annotated[bool, typer.Option(help="The report of unusual access")] = False,
    since: Annotated[str | None, typer.Option(help="First day of the report (Jalali or Gregorian)")] = None,
    until: Annotated[str | None, typer.Option(help="Last day of the report; default today")] = None,
) -> None:
    """The staff access log, as JSON: by person, by user, or the report of unusual access (the last seven
    days unless --since and --until say otherwise)."""
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        asked = [name for name, value in (("person", person), ("user", user), ("unusual", unusual)) if value]
        if len(asked) != 1:
            raise AccessOneQuestion(field="person")
        if person:
            print_model(service.reads_of_person(ctx, actor=actor, national_code=person))
        elif user:
            print_model(service.reads_by_user(ctx, actor=actor, username=user))
        else:
            first, last = (_day(text, name) for text, name in ((since, "since"), (until, "until")))
            print_model(
                service.unusual_access(
                    ctx, actor=actor, holding_offices=registry.offices_holding, since=first, until=last
                )
            )


def _day(text: str | None, field: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except DateProblem as problem:
        raise refusal(f"date.{problem.reason}", field=field) from None
