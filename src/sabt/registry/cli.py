"""`sabt register …` and `sabt event …`: the registry's commands.

`sabt register KIND` declares an event (from flags or a JSON file of the API's form), then takes it as far
through the workflow as the acting user's role allows: a registrar validates and registers it; a late
declaration waits for the office head unless the office head passes --approve-late.
"""

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ..accounts import service as accounts
from ..context import Context
from ..core.errors import RequestNotJson
from ..core.permissions import Action, Actor
from ..core.text import to_persian_digits
from ..terminal import INPUT_FILE, RowIdArgument, command_context, out, print_model
from . import service
from .schemas import (
    BirthDeclaration,
    DeathDeclaration,
    Declaration,
    DivorceDeclaration,
    EventOut,
    MarriageDeclaration,
    ParentOut,
    PersonOut,
)

register_app = typer.Typer(help="Declare and register vital events.", no_args_is_help=True)
event_app = typer.Typer(help="Move declared events through the workflow.", no_args_is_help=True)

AsUser = Annotated[str, typer.Option("--as", envvar="SABT_USER", help="Act as this user")]
JsonFile = Annotated[Path | None, typer.Option("--file", help="A JSON declaration, as the API takes it", **INPUT_FILE)]
DeclareOnly = Annotated[bool, typer.Option(help="Only declare; leave validation to a registrar")]
ApproveLate = Annotated[bool, typer.Option(help="As office head, approve a late declaration")]
Key = Annotated[str | None, typer.Option(help="Idempotency key: re-running with it never declares twice")]
Office = Annotated[str | None, typer.Option(help="Office code; default: the user's office")]
Certificate = Annotated[str | None, typer.Option(help="Medical certificate as ISSUER:NUMBER, e.g. physician:4521")]
Witness = Annotated[list[str] | None, typer.Option(help="A witness as FIRST,LAST[,CODE]; give it twice")]


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _evidence(certificate: str | None, witnesses: list[str] | None) -> dict[str, Any]:
    if certificate:
        issuer, _, number = certificate.partition(":")
        return {"kind": "medical_certificate", "issuer": issuer, "document_number": number or None}
    people = []
    for witness in witnesses or []:
        first, last, code = ([*witness.split(","), None, None])[:3]
        people.append(_compact({"first_name": first, "last_name": last, "national_code": code}))
    return {"kind": "witnesses", "witnesses": people}


def _declarant(relation: str, first: str | None, last: str | None, code: str | None) -> dict[str, Any]:
    return _compact({"relation": relation, "first_name": first, "last_name": last, "national_code": code})


def _load(schema: type[Declaration], file: Path | None, flags: dict[str, Any]) -> Declaration:
    try:
        data = json.loads(file.read_text(encoding="utf-8")) if file else _compact(flags)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested too deeply to read
        raise RequestNotJson(field="--file") from None
    declaration: Declaration = schema.model_validate(data)
    return declaration


def _carry_through(ctx: Context, actor: Actor, event: EventOut, *, declare_only: bool, approve: bool) -> EventOut:
    """Take a new declaration as far as the actor's role and the rules allow."""
    if declare_only or not actor.may(Action.VALIDATE):
        return event
    event = service.validate_event(ctx, actor=actor, event_id=event.id)
    if event.late and approve:
        event = service.approve_late(ctx, actor=actor, event_id=event.id, note="approved at registration")
    if event.late and not event.late_approved:
        return event
    return service.register_event(ctx, actor=actor, event_id=event.id)


def _register(
    as_user: str,
    schema: type[Declaration],
    file: Path | None,
    flags: dict[str, Any],
    declare_only: bool,
    approve: bool,
    key: str | None,
) -> None:
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        declaration = _load(schema, file, flags)
        event = service.declare(ctx, actor=actor, declaration=declaration, idempotency_key=key)
        if not event.replayed:
            event = _carry_through(ctx, actor, event, declare_only=declare_only, approve=approve)
        _print_event(event)


def _print_event(event: EventOut) -> None:
    out.print(f"event {event.id} ({event.kind}): {event.status}", highlight=False)
    if event.late:
        approval = "approved" if event.late_approved else "waiting for the office head's approval"
        out.print(
            f"late by {event.days_late} days (deadline {event.deadline.jalali if event.deadline else '-'}); {approval}",
            highlight=False,
        )
    if event.subject_national_code:
        out.print(f"national code: {event.subject_national_code}", highlight=False)


@register_app.command("birth")
def register_birth(
    as_user: AsUser,
    file: JsonFile = None,
    declare_only: DeclareOnly = False,
    approve_late: ApproveLate = False,
    idempotency_key: Key = None,
    office: Office = None,
    first_name: str | None = None,
    last_name: str | None = None,
    sex: str | None = None,
    birth_date: Annotated[str | None, typer.Option(help="Jalali or Gregorian")] = None,
    birth_time: str | None = None,
    county: str | None = None,
    place: str = "",
    birth_order: int = 1,
    father: Annotated[str | None, typer.Option(help="Father's national code")] = None,
    father_first_name: str | None = None,
    father_last_name: str | None = None,
    mother: Annotated[str | None, typer.Option(help="Mother's national code")] = None,
    mother_first_name: str | None = None,
    mother_last_name: str | None = None,
    declarant: str = "father",
    declarant_first_name: str | None = None,
    declarant_last_name: str | None = None,
    declarant_code: str | None = None,
    certificate: Certificate = None,
    witness: Witness = None,
    arrival_date: str | None = None,
) -> None:
    """Declare (and, for a registrar, register) a birth; prints the new national code."""
    flags = {
        "office": office,
        "first_name": first_name,
        "last_name": last_name,
        "sex": sex,
        "birth_date": birth_date,
        "birth_time": birth_time,
        "county": county,
        "place": place,
        "birth_order": birth_order,
        "father": _compact({"national_code": father, "first_name": father_first_name, "last_name": father_last_name}),
        "mother": _compact({"national_code": mother, "first_name": mother_first_name, "last_name": mother_last_name}),
        "declarant": _declarant(declarant, declarant_first_name, declarant_last_name, declarant_code),
        "evidence": _evidence(certificate, witness),
        "arrival_date": arrival_date,
    }
    _register(as_user, BirthDeclaration, file, flags, declare_only, approve_late, idempotency_key)


@register_app.command("death")
def register_death(
    as_user: AsUser,
    file: JsonFile = None,
    declare_only: DeclareOnly = False,
    approve_late: ApproveLate = False,
    idempotency_key: Key = None,
    office: Office = None,
    national_code: Annotated[str | None, typer.Option(help="The deceased's national code")] = None,
    death_date: str | None = None,
    death_time: str | None = None,
    county: str | None = None,
    place: str = "",
    cause: str = "",
    learned_on: str | None = None,
    declarant: str = "other",
    declarant_first_name: str | None = None,
    declarant_last_name: str | None = None,
    declarant_code: str | None = None,
    certificate: Certificate = None,
    witness: Witness = None,
) -> None:
    """Declare (and, for a registrar, register) a death."""
    flags = {
        "office": office,
        "national_code": national_code,
        "death_date": death_date,
        "death_time": death_time,
        "county": county,
        "place": place,
        "cause": cause,
        "learned_on": learned_on,
        "declarant": _declarant(declarant, declarant_first_name, declarant_last_name, declarant_code),
        "evidence": _evidence(certificate, witness),
    }
    _register(as_user, DeathDeclaration, file, flags, declare_only, approve_late, idempotency_key)


def _couple(
    office: str | None,
    husband: str | None,
    wife: str | None,
    county: str | None,
    notary_office: str | None,
    document_number: str | None,
) -> dict[str, Any]:
    """The flags a marriage and a divorce share: who, where, and the notary's document."""
    return {
        "office": office,
        "husband_national_code": husband,
        "wife_national_code": wife,
        "county": county,
        "notary_office": notary_office,
        "document_number": document_number,
    }


@register_app.command("marriage")
def register_marriage(
    as_user: AsUser,
    file: JsonFile = None,
    declare_only: DeclareOnly = False,
    idempotency_key: Key = None,
    office: Office = None,
    husband: str | None = None,
    wife: str | None = None,
    date: Annotated[str | None, typer.Option(help="Marriage date, Jalali or Gregorian")] = None,
    county: str | None = None,
    notary_office: str | None = None,
    document_number: str | None = None,
    court_permission: str | None = None,
) -> None:
    """Register a marriage reported by a notary office (art. 31)."""
    flags = _couple(office, husband, wife, county, notary_office, document_number)
    flags |= {"marriage_date": date, "court_permission": court_permission}
    _register(as_user, MarriageDeclaration, file, flags, declare_only, False, idempotency_key)


@register_app.command("divorce")
def register_divorce(
    as_user: AsUser,
    file: JsonFile = None,
    declare_only: DeclareOnly = False,
    idempotency_key: Key = None,
    office: Office = None,
    husband: str | None = None,
    wife: str | None = None,
    date: Annotated[str | None, typer.Option(help="Divorce date, Jalali or Gregorian")] = None,
    county: str | None = None,
    notary_office: str | None = None,
    document_number: str | None = None,
    divorce_type: str | None = None,
) -> None:
    """Register a divorce reported by a notary office (art. 31)."""
    flags = _couple(office, husband, wife, county, notary_office, document_number)
    flags |= {"divorce_date": date, "divorce_type": divorce_type}
    _register(as_user, DivorceDeclaration, file, flags, declare_only, False, idempotency_key)


@event_app.command("show")
def event_show(event_id: RowIdArgument, as_user: AsUser) -> None:
    with command_context() as ctx:
        print_model(service.get_event(ctx, actor=accounts.actor_for_username(ctx, as_user), event_id=event_id))


@event_app.command("history")
def event_history(event_id: RowIdArgument, as_user: AsUser) -> None:
    with command_context() as ctx:
        print_model(service.event_history(ctx, actor=accounts.actor_for_username(ctx, as_user), event_id=event_id))


@event_app.command("validate")
def event_validate(event_id: RowIdArgument, as_user: AsUser) -> None:
    with command_context() as ctx:
        _print_event(service.validate_event(ctx, actor=accounts.actor_for_username(ctx, as_user), event_id=event_id))


@event_app.command("register")
def event_register(event_id: RowIdArgument, as_user: AsUser) -> None:
    with command_context() as ctx:
        _print_event(service.register_event(ctx, actor=accounts.actor_for_username(ctx, as_user), event_id=event_id))


@event_app.command("reject")
def event_reject(event_id: RowIdArgument, as_user: AsUser, reason: Annotated[str, typer.Option(help="Why")]) -> None:
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        _print_event(service.reject_event(ctx, actor=actor, event_id=event_id, reason=reason))


@event_app.command("approve-late")
def event_approve_late(event_id: RowIdArgument, as_user: AsUser, note: str = "") -> None:
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        _print_event(service.approve_late(ctx, actor=actor, event_id=event_id, note=note))


def print_person(console: Console, person: PersonOut) -> None:
    """A person's record for a terminal, in Persian with Jalali dates."""
    sex = "زن" if person.sex == "female" else "مرد"
    lines = [
        f"کد ملی: {to_persian_digits(person.national_code)}",
        f"نام: {person.first_name_typed} {person.last_name_typed} ({sex})",
        f"تاریخ تولد: {to_persian_digits(person.birth_date.jalali)}  ({person.birth_date.gregorian})",
        f"محل تولد: {person.birth_county_name_fa} {person.birth_place}".rstrip(),
        f"پدر: {_parent(person.father)}",
        f"مادر: {_parent(person.mother)}",
    ]
    if person.died_on:
        lines.append(f"تاریخ فوت: {to_persian_digits(person.died_on.jalali)}")
    for marriage in person.marriages:
        ended = (
            f" تا {to_persian_digits(marriage.ended_on.jalali)} ({marriage.end_reason})" if marriage.ended_on else ""
        )
        lines.append(f"ازدواج با {marriage.spouse_name} از {to_persian_digits(marriage.married_on.jalali)}{ended}")
    for child in person.children:
        lines.append(f"فرزند: {child.first_name} {to_persian_digits(child.national_code)}")
    lines.append(f"نسخه سابقه: {to_persian_digits(str(person.revision))}")
    for line in lines:
        console.print(line, highlight=False)


def _parent(parent: ParentOut) -> str:
    code = to_persian_digits(parent.national_code or "")
    return f"{parent.first_name} {parent.last_name} {code}".rstrip()


def import_file(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet of legacy person records", **INPUT_FILE)],
    as_user: AsUser,
    rejects: Annotated[
        Path | None, typer.Option(help="Where to write rejected rows (default: FILE.rejects.csv)")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 5000,
) -> None:
    """Import legacy person records; run it again after an interruption and it continues where it stopped."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .imports.service import count_rows, import_persons, write_rejects

    rejects_path = rejects or file.with_name(file.name + ".rejects.csv")
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns) as bar:
            task = bar.add_task("rows", total=count_rows(file))
            summary = import_persons(
                ctx,
                actor=actor,
                path=file,
                batch_size=batch_size,
                on_batch=lambda rows: bar.advance(task, rows),
                on_resume=lambda done: bar.update(task, completed=done),
            )
        written = write_rejects(ctx, summary.job_id, rejects_path)
    if summary.already_done:
        out.print(f"{file.name} was imported already (job {summary.job_id}); nothing was added.")
    elif summary.resumed_from:
        out.print(f"resumed after row {summary.resumed_from}")
    out.print(
        f"{summary.rows} rows: {summary.imported} imported ({summary.warned} with a warning), "
        f"{summary.rejected} rejected ({written} lines in {rejects_path})",
        highlight=False,
    )
    for code, count in sorted(summary.rejects_by_code.items(), key=lambda item: -item[1]):
        out.print(f"  {count:>8}  {code}", highlight=False)
