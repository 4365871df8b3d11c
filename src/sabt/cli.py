"""The `sabt` command: serve, demo, database, users, offices, registrations and look-ups.

Commands run on the server with direct access to the database, so they act as a named user (`--as`)
whose role is checked exactly as the API checks it. Errors print the field and the reason in English
and Persian and exit non-zero.
"""

import logging
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from .access import cli as access_cli
from .accounts import service as accounts
from .accounts.schemas import UserIn
from .backup import cli as backup_cli
from .bootstrap import open_context
from .cards import cli as cards_cli
from .certificates import cli as certificates_cli
from .config import Settings
from .core.errors import SabtError, TextBadCharacter, refusal
from .core.national_code import national_code_problem, normalize_national_code
from .core.permissions import Role
from .core.text import forbidden_character
from .geo import service as geo
from .geo.schemas import OfficeIn
from .ledger import cli as ledger_cli
from .linkage import cli as linkage_cli
from .registry import cli as registry_cli
from .registry import service as registry
from .stats.cli import stats
from .synth.cli import synth
from .terminal import ASKED_UNLESS_SET, command_context, err, out, print_model, require_registry
from .verification import cli as verification_cli

app = typer.Typer(help="Sabt: a Persian-first civil registry.", no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Users and roles.", no_args_is_help=True)
office_app = typer.Typer(help="Registration offices.", no_args_is_help=True)
person_app = typer.Typer(help="Look up persons.", no_args_is_help=True)
code_app = typer.Typer(help="National codes.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(office_app, name="office")
app.add_typer(person_app, name="person")
app.add_typer(code_app, name="national-code")
app.add_typer(registry_cli.register_app, name="register")
app.add_typer(registry_cli.event_app, name="event")
ledger_cli.audit_app.command("access")(access_cli.access)
app.add_typer(ledger_cli.audit_app, name="audit")
app.add_typer(ledger_cli.witness_cli, name="witness")
app.add_typer(certificates_cli.certificates_app, name="certificates")
app.command("verify")(certificates_cli.verify)
app.add_typer(verification_cli.partner_app, name="partner")
app.add_typer(verification_cli.citizen_app, name="citizen")
app.add_typer(verification_cli.webhooks_app, name="webhooks")
app.add_typer(cards_cli.cards_app, name="cards")
app.add_typer(linkage_cli.linkage_app, name="linkage")
app.command("voters")(verification_cli.voters)
app.command("synth")(synth)
app.command("stats")(stats)
app.command("import")(registry_cli.import_file)
app.command("backup")(backup_cli.backup)
app.command("restore")(backup_cli.restore)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes sharing the port; one per core")] = 1,
) -> None:
    """Serve the API (and the pages) over HTTP."""
    from .api.serving import serve as serve_http

    require_registry(Settings())
    try:
        serve_http(host, port, workers)
    except OSError as error:  # the address is taken, or not this machine's
        err.print(f"error: cannot listen on {host}:{port}: {error.strerror}", markup=False)
        raise typer.Exit(1) from None


@app.command()
def demo(
    host: str = "127.0.0.1",
    port: int = 8000,
    data_dir: Annotated[Path, typer.Option(help="Where the demo registry is kept")] = Path("var/demo"),
    fresh: Annotated[bool, typer.Option(help="Start from an empty registry")] = False,
    serve_it: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve it after seeding")] = True,
) -> None:
    """Create a seeded SQLite registry with demo users and serve it on localhost."""
    from .api.serving import address_served
    from .demo import prepare_demo

    # 3,000 people, not 80 million; and the demo's users sign in with the password alone (the login page says
    # so), which no real registry allows.
    public_url = os.environ.get("SABT_PUBLIC_URL") or address_served(host, port)
    settings = Settings(
        data_dir=data_dir, database_url="", stats_base="registry", second_factor=False, public_url=public_url
    )
    ctx = open_context(settings)
    started = time.monotonic()

    def report(step: str) -> None:
        out.print(f"{time.monotonic() - started:4.0f} s  {step} …", markup=False, highlight=False)

    try:
        summary = prepare_demo(ctx, fresh=fresh, report=report)
    except SabtError as error:
        err.print(f"error: {error.message_en}", markup=False)
        raise typer.Exit(error.exit_code) from None
    out.print(summary, highlight=False)
    if serve_it:
        import uvicorn

        from .api.app import create_app

        out.print(f"Serving on http://{host}:{port}/ (API docs at /docs). Ctrl-C stops.")
        uvicorn.run(create_app(ctx), host=host, port=port, log_level="warning")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the latest schema and load the reference geography."""
    from .migrations import upgrade

    with command_context(create=True) as ctx:
        provinces, counties = upgrade(ctx)
        out.print(f"database at head; {provinces} provinces and {counties} counties loaded")


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[Role, typer.Option(help="clerk, registrar, office_head, national_admin or auditor")],
    office: Annotated[str | None, typer.Option(help="Office code (office roles)")] = None,
    full_name: str = "",
    password: Annotated[str | None, typer.Option(envvar="SABT_NEW_PASSWORD", help=ASKED_UNLESS_SET)] = None,
) -> None:
    """Add a user. The password is stored as an Argon2id hash."""
    with command_context() as ctx:  # the registry is there before a password is asked for
        secret = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        user = accounts.create_user(
            ctx,
            actor=None,
            user=UserIn(username=username, password=secret, role=role, full_name=full_name, office=office),
        )
        out.print(f"user {user.username} ({user.role}) added")


@user_app.command("unlock")
def user_unlock(
    username: str,
    as_user: Annotated[str, typer.Option("--as", envvar="SABT_USER", help="Act as this user")],
) -> None:
    """Lift a lock-out after repeated failed sign-ins (recorded, with who lifted it)."""
    with command_context() as ctx:
        accounts.unlock(ctx, actor=accounts.actor_for_username(ctx, as_user), username=username, address="")
        out.print(f"{username} unlocked")


@user_app.command("reset-factors")
def user_reset_factors(
    username: str,
    as_user: Annotated[str, typer.Option("--as", envvar="SABT_USER", help="Act as this user")],
) -> None:
    """Revoke a user's second factors and recovery codes (a lost phone) and end their sessions; they enrol
    again at their next sign-in. Check who they are in person first."""
    with command_context() as ctx:
        accounts.reset_factors(ctx, actor=accounts.actor_for_username(ctx, as_user), username=username, address="")
        out.print(f"{username}: second factors revoked; a new one is enrolled at the next sign-in")


@user_app.command("events")
def user_events(
    as_user: Annotated[str, typer.Option("--as", envvar="SABT_USER", help="Act as this user")],
    username: Annotated[str | None, typer.Option(help="Only this account's")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind: signed_in, failed_password, locked, …")] = None,
) -> None:
    """What happened to accounts, newest first, as JSON: sign-ins, failures, lock-outs, unlocks."""
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        print_model(accounts.account_events(ctx, actor=actor, username=username, kind=kind))


@office_app.command("add")
def office_add(
    code: str,
    name: Annotated[str, typer.Option(help="Persian name of the office")],
    county: Annotated[str, typer.Option(help="County code")],
    prefix: Annotated[str | None, typer.Option(help="National-code prefix; default: the county's first")] = None,
) -> None:
    """Open a registration office in a county."""
    with command_context() as ctx:
        office = geo.create_office(
            ctx, actor=None, office=OfficeIn(code=code, name_fa=name, county=county, national_code_prefix=prefix)
        )
        out.print(f"office {office.code} in {office.county_name_fa} (prefix {office.national_code_prefix})")


@office_app.command("list")
def office_list() -> None:
    with command_context() as ctx:
        print_model(geo.list_offices(ctx))


@person_app.command("show")
def person_show(
    national_code: str,
    as_user: Annotated[str, typer.Option("--as", envvar="SABT_USER", help="Act as this user")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Show a person's record."""
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        person = registry.get_person(ctx, actor=actor, national_code=national_code)
        if as_json:
            print_model(person)
        else:
            registry_cli.print_person(out, person)


@person_app.command("history")
def person_history(
    national_code: str,
    as_user: Annotated[str, typer.Option("--as", envvar="SABT_USER", help="Act as this user")],
) -> None:
    """Every revision of a person's record, oldest first."""
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        print_model(registry.person_history(ctx, actor=actor, national_code=national_code))


@code_app.command("check")
def national_code_check(code: str) -> None:
    """Exit 0 and print "valid", or exit 1 and print the reason."""
    normalized = normalize_national_code(code)
    problem = national_code_problem(normalized)
    if problem is None:
        out.print("valid")
        return
    error = refusal(f"national_code.{problem}")
    err.print(f"invalid: {error.message_en}\n{error.message_fa}", markup=False, highlight=False)
    raise typer.Exit(1)


@code_app.command("next")
def national_code_next(prefix: Annotated[str, typer.Option(help="3-digit place prefix")]) -> None:
    """The next national code that will be issued under a prefix (nothing is reserved)."""
    with command_context() as ctx:
        code = registry.next_national_code(ctx, prefix=prefix)
        typer.echo(code)


def main() -> None:
    refuse_forbidden_arguments(sys.argv[1:])
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # a defect, not the input: one line, never a traceback; nothing was committed
        logging.getLogger("sabt.cli").debug("unexpected failure", exc_info=error)
        err.print(f"error: unexpected failure ({type(error).__name__}); nothing was saved", markup=False)
        sys.exit(70)


def refuse_forbidden_arguments(arguments: list[str]) -> None:
    """The text rule of every request (docs/text.md), for what is typed at the command line: an argument
    holding a control or direction-override character, or bytes that are not UTF-8, is refused before any
    command reads it."""
    for position, argument in enumerate(arguments, start=1):
        if character := forbidden_character(argument):
            error = TextBadCharacter(character=character)
            err.print(f"error [argument {position}]: {error.message_en}\n{error.message_fa}", markup=False)
            sys.exit(1)
