"""`sabt partner …`, `sabt citizen add` and `sabt voters`, run by an operator on the server."""

from pathlib import Path
from typing import Annotated

import typer

from ..accounts import service as accounts
from ..core.jalali import DateProblem, parse_date
from ..terminal import ASKED_UNLESS_SET, command_context, err, out, print_model
from . import service, webhooks
from .schemas import CitizenIn, PartnerIn, Policy, SubscriptionIn
from .voters import write_voter_roll

partner_app = typer.Typer(help="Partner agencies and their API keys.", no_args_is_help=True)
key_app = typer.Typer(help="Partners' API keys.", no_args_is_help=True)
partner_app.add_typer(key_app, name="key")
citizen_app = typer.Typer(help="Citizens' accounts.", no_args_is_help=True)
webhooks_app = typer.Typer(help="Notices of registrations to partners' webhooks.", no_args_is_help=True)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@partner_app.command("add")
def partner_add(
    code: str,
    name: Annotated[str, typer.Option(help="The agency's name")],
    kind: Annotated[str, typer.Option(help="bank, election, pension, health, court or other")],
    contact: Annotated[str, typer.Option(help="Who to call about this integration")],
    purpose: Annotated[str, typer.Option(help="Why it may ask (legal basis)")],
    checks: Annotated[str, typer.Option(help="Comma-separated: verify, ekyc")] = "verify",
    attributes: Annotated[str, typer.Option(help="Comma-separated attributes eKYC may release")] = "",
    alive_status: Annotated[bool, typer.Option(help="Yes/no answers say alive or deceased")] = False,
    card_status: Annotated[bool, typer.Option(help="Matched yes/no answers give the holder's card status")] = False,
    notices: Annotated[str, typer.Option(help="Comma-separated registrations it may be told of")] = "",
    notifications: Annotated[str, typer.Option(help="For a health facility, comma-separated: birth, death")] = "",
    rate: Annotated[int, typer.Option(help="Requests per minute")] = 600,
) -> None:
    """Register a partner agency with its policy."""
    with command_context() as ctx:
        policy = Policy.model_validate(
            {
                "checks": _split(checks),
                "attributes": _split(attributes),
                "alive_status": alive_status,
                "card_status": card_status,
                "purpose": purpose,
                "notices": _split(notices),
                "notifications": _split(notifications),
            }
        )
        partner = PartnerIn.model_validate(
            {"code": code, "name": name, "kind": kind, "contact": contact, "policy": policy, "rate_per_minute": rate}
        )
        created = service.create_partner(ctx, actor=None, partner=partner)
    out.print(f"partner {created.code} ({created.kind}) added", markup=False)


@partner_app.command("list")
def partner_list(as_user: Annotated[str, typer.Option("--as", envvar="SABT_USER")]) -> None:
    with command_context() as ctx:
        print_model(service.list_partners(ctx, actor=accounts.actor_for_username(ctx, as_user)))


@key_app.command("create")
def key_create(partner: str) -> None:
    """A new API key for a partner; printed once, stored only as a hash."""
    with command_context() as ctx:
        key = service.create_key(ctx, actor=None, partner_code=partner)
    out.print(f"API key for {key.partner} (prefix {key.prefix}); it is shown only now:", markup=False)
    typer.echo(key.api_key)


@key_app.command("revoke")
def key_revoke(prefix: str) -> None:
    with command_context() as ctx:
        key = service.revoke_key(ctx, actor=None, prefix=prefix)
    out.print(f"key {key.prefix} of {key.partner} revoked", markup=False)


@partner_app.command("subscribe")
def partner_subscribe(
    partner: str,
    url: Annotated[str, typer.Option(help="Where to POST the notices")],
    kinds: Annotated[str, typer.Option(help="Comma-separated, e.g. death.registered,birth.registered")],
) -> None:
    """Send a partner the registrations its policy lets it be told of."""
    with command_context() as ctx:
        subscription = SubscriptionIn.model_validate({"url": url, "kinds": _split(kinds)})
        created = webhooks.subscribe(ctx, actor=None, partner_code=partner, subscription=subscription)
    out.print(f"subscription {created.id}: {', '.join(created.kinds)} to {created.url}", markup=False)


@webhooks_app.command("deliver")
def webhooks_deliver() -> None:
    """Relay the outbox once: fan out new registrations and send what is due (the server does this too)."""
    with command_context() as ctx:
        report = webhooks.relay(ctx)
    out.print(
        f"{report.fanned_out} new messages; {report.delivered} delivered, {report.retrying} to retry, "
        f"{report.failed} failed",
        markup=False,
    )


@webhooks_app.command("list")
def webhooks_list(
    as_user: Annotated[str, typer.Option("--as", envvar="SABT_USER")],
    status: Annotated[str | None, typer.Option(help="pending, delivered or failed")] = None,
) -> None:
    """Webhook deliveries, newest first, as JSON."""
    with command_context() as ctx:
        print_model(webhooks.list_deliveries(ctx, actor=accounts.actor_for_username(ctx, as_user), status=status))


@citizen_app.command("add")
def citizen_add(
    national_code: str,
    username: Annotated[str, typer.Option(help="The citizen's sign-in name")],
    as_user: Annotated[str, typer.Option("--as", envvar="SABT_USER", help="The enrolling registrar")],
    password: Annotated[str | None, typer.Option(envvar="SABT_NEW_PASSWORD", help=ASKED_UNLESS_SET)] = None,
) -> None:
    """Open a citizen's account, after checking their identity in person."""
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)  # who asks, before a password is asked for
        secret = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        citizen = CitizenIn(national_code=national_code, username=username, password=secret)
        user = service.enrol_citizen(ctx, actor=actor, citizen=citizen)
    out.print(f"citizen account {user.username} for {user.national_code}", markup=False)


def voters(
    election_date: Annotated[str, typer.Option(help="Election day, Jalali or Gregorian")],
    output: Annotated[Path, typer.Option("--out", help="CSV file to write")],
    province: Annotated[str | None, typer.Option(help="Province code; default: the whole country")] = None,
) -> None:
    """The roll of voters: alive and at least 18 on election day, by province and county, each once. The
    same registry gives the same file; its SHA-256 is printed and appended to the ledger."""
    try:
        day = parse_date(election_date)
    except DateProblem:
        err.print("error [election_date]: write the date as YYYY/MM/DD, Jalali or Gregorian", markup=False)
        raise typer.Exit(1) from None
    with command_context() as ctx:
        roll = write_voter_roll(ctx, election_day=day, province=province, out=output)
    for county, count in sorted(roll.by_county.items()):
        out.print(f"  {county[:2]} {county}: {count:,}", markup=False)
    out.print(f"{roll.voters:,} voters on {day.isoformat()} in {output}; sha256 {roll.digest}", markup=False)
