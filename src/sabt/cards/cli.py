"""`sabt cards …`: the card lifecycle at the command line, the coverage report, the office queue, a serial's
status and the signed revocation list."""

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..accounts import service as accounts
from ..core.jalali import DateProblem, parse_date
from ..terminal import INPUT_FILE, RowIdArgument, command_context, err, out, output_file, print_model
from . import reports, revocations, service
from .schemas import ApplicationIn, CoverageRow, EnrolmentIn, ProducedCard, ProductionIn, ReportIn, RevocationIn

cards_app = typer.Typer(help="Smart national cards.", no_args_is_help=True)
AsUser = Annotated[str, typer.Option("--as", envvar="SABT_USER", help="The user acting")]


@cards_app.command("apply")
def apply(
    national_code: str,
    as_user: AsUser,
    replaces: Annotated[str | None, typer.Option(help="Serial of the active card this one replaces")] = None,
) -> None:
    """Take a person's card application at the acting user's office."""
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        card = service.apply_for_card(
            ctx, actor=actor, application=ApplicationIn(national_code=national_code, replaces=replaces)
        )
    out.print(f"card application {card.id} for {card.national_code} at {card.office}", markup=False)


@cards_app.command("enrol")
def enrol(
    card_id: RowIdArgument,
    as_user: AsUser,
    photo_ref: Annotated[str, typer.Option(help="The enrolment system's capture id")],
    template_sha256: Annotated[str, typer.Option(help="SHA-256 (hex) of the fingerprint template")],
) -> None:
    """Record that photo and fingerprints were captured (their reference and hash only)."""
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        enrolment = EnrolmentIn(photo_ref=photo_ref, template_sha256=template_sha256)
        card = service.enrol(ctx, actor=actor, card_id=card_id, enrolment=enrolment)
    out.print(f"card {card.id} enrolled", markup=False)


@cards_app.command("batch")
def batch(
    as_user: AsUser, card: Annotated[list[int] | None, typer.Option(help="Only these applications")] = None
) -> None:
    """Send the office's enrolled applications to the card factory as one batch."""
    with command_context() as ctx:
        sent = service.send_batch(ctx, actor=accounts.actor_for_username(ctx, as_user), card_ids=card or None)
    out.print(f"batch {sent.id}: {sent.size} card{'' if sent.size == 1 else 's'} sent from {sent.office}", markup=False)


@cards_app.command("produce")
def produce(
    batch_id: RowIdArgument,
    as_user: AsUser,
    manifest: Annotated[
        Path, typer.Option(help="The factory's CSV: card_id,chip_id for every card of the batch", **INPUT_FILE)
    ],
) -> None:
    """Record a produced batch from the factory's manifest; serials are assigned and printed."""
    try:
        with manifest.open(encoding="utf-8") as file:
            rows = [ProducedCard(card_id=int(row["card_id"]), chip_id=row["chip_id"]) for row in csv.DictReader(file)]
    except (OSError, KeyError, ValueError) as problem:
        err.print(f"error [manifest]: cannot read {manifest}: {problem}", markup=False)
        raise typer.Exit(1) from None
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        produced = service.record_production(ctx, actor=actor, batch_id=batch_id, production=ProductionIn(cards=rows))
        serials = [service.get_card(ctx, actor=actor, card_id=card_id).serial for card_id in produced.card_ids]
    out.print(f"batch {produced.id} produced: {', '.join(str(serial) for serial in serials)}", markup=False)


@cards_app.command("hand-over")
def hand_over(card_id: RowIdArgument, as_user: AsUser) -> None:
    """The holder collected the card: it becomes active (and replaces their earlier card)."""
    with command_context() as ctx:
        card = service.hand_over(ctx, actor=accounts.actor_for_username(ctx, as_user), card_id=card_id)
    out.print(f"card {card.serial} is active until {card.expires_on.jalali if card.expires_on else '-'}", markup=False)


@cards_app.command("report")
def report(
    card_id: RowIdArgument,
    what: Annotated[str, typer.Argument(help="lost, stolen or damaged")],
    as_user: AsUser,
    note: Annotated[str, typer.Option(help="What the holder said")] = "",
) -> None:
    """A holder reports their card lost, stolen or damaged: it is revoked at once."""
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        card = service.report_card(
            ctx, actor=actor, card_id=card_id, report=ReportIn.model_validate({"what": what, "note": note})
        )
    out.print(f"card {card.serial or card.id} is {card.status}", markup=False)


@cards_app.command("revoke")
def revoke(
    card_id: RowIdArgument,
    as_user: AsUser,
    reason: Annotated[str, typer.Option(help="fraud, issued_in_error, withdrawn or other")],
    note: Annotated[str, typer.Option(help="Why, for the record")] = "",
) -> None:
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        revocation = RevocationIn.model_validate({"reason": reason, "note": note})
        card = service.revoke_card(ctx, actor=actor, card_id=card_id, revocation=revocation)
    out.print(f"card {card.serial or card.id} revoked", markup=False)


@cards_app.command("show")
def show(national_code: str, as_user: AsUser) -> None:
    """Every card a person applied for, as JSON."""
    with command_context() as ctx:
        print_model(service.cards_of(ctx, actor=accounts.actor_for_username(ctx, as_user), national_code=national_code))


@cards_app.command("status")
def status(serial: str) -> None:
    """What anyone may know of a card serial: active, expired, revoked (with why) or unknown."""
    with command_context() as ctx:
        answer = service.status_of_serial(ctx, serial=serial)
    out.print(f"{answer.serial}: {answer.status}{f' ({answer.reason})' if answer.reason else ''}", markup=False)


@cards_app.command("revocations")
def revocation_list(
    output: Annotated[Path, typer.Option("--out", help="JSON file to write")],
    after: Annotated[int, typer.Option(help="The highest number already held; 0 for the whole list")] = 0,
) -> None:
    """Write the signed card revocation list (entries after `--after`)."""
    with output_file(output) as file, command_context() as ctx:
        listed = revocations.revocation_list(ctx, after=after)
        file.write(json.dumps(listed.model_dump(mode="json"), ensure_ascii=False, indent=1).encode())
    entries = listed.statement["entries"]
    out.print(
        f"{len(entries) if isinstance(entries, list) else 0} revocations after {after}, through "
        f"{listed.statement['through']}, signed by key {listed.kid}, in {output}",
        markup=False,
    )


@cards_app.command("coverage")
def coverage(
    as_user: AsUser,
    province: Annotated[str | None, typer.Option(help="Province code; default: the whole country")] = None,
    as_of: Annotated[str | None, typer.Option(help="Jalali or Gregorian day; default: today")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table or csv")] = "table",
) -> None:
    """Eligible people (alive, 15 or older), people with an active card, coverage and pending applications,
    per county and province."""
    try:
        day = parse_date(as_of) if as_of else None
    except DateProblem:
        err.print("error [as_of]: write the date as YYYY/MM/DD, Jalali or Gregorian", markup=False)
        raise typer.Exit(1) from None
    with command_context() as ctx:
        rows = reports.coverage(ctx, actor=accounts.actor_for_username(ctx, as_user), province=province, as_of=day)
    (_write_csv if output_format == "csv" else _print_table)(rows)


def _write_csv(rows: list[CoverageRow]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CoverageRow.model_fields)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row.model_dump().values()])


def _print_table(rows: list[CoverageRow]) -> None:
    out.print(
        f"{'province':>8} {'county':>6} {'eligible':>12} {'active':>12} {'coverage':>9} {'pending':>8} {'oldest d':>8}",
        markup=False,
    )
    for row in rows:
        percent = f"{row.coverage_percent:.1f}%" if row.coverage_percent is not None else "-"
        out.print(
            f"{row.province or 'all':>8} {row.county or 'total':>6} {row.eligible:>12,} {row.active_cards:>12,} "
            f"{percent:>9} {row.pending_applications:>8,} {row.oldest_pending_days or '-':>8}",
            markup=False,
        )


@cards_app.command("queue")
def queue(
    as_user: AsUser, office: Annotated[str | None, typer.Option(help="Office code (national roles)")] = None
) -> None:
    """What waits at the office: applications to enrol, enrolments to send, batches at the factory, cards to
    hand over, with ages in days."""
    with command_context() as ctx:
        print_model(reports.office_queue(ctx, actor=accounts.actor_for_username(ctx, as_user), office=office))
