"""`sabt certificates …` for office staff and operators, and `sabt verify`, which needs only the public
key set and works on a machine with no registry at all."""

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..accounts import service as accounts
from ..core.errors import RequestTooLarge, SabtError, refusal
from ..core.jalali import DateProblem, parse_date
from ..core.serials import normalize_serial
from ..core.vocabulary import CERTIFICATE_FA
from ..geo.service import reference_rows
from ..terminal import INPUT_FILE, command_context, err, out, output_file, print_model
from . import service, verification
from .facts import readable_rows
from .keys import KeySet
from .reading import code_from_bytes
from .schemas import CertificateRequest, Kind

MOST_FILE_BYTES = 5 * 1024 * 1024  # as much as the server takes in an upload: a photo, a scan or a PDF
MOST_KEY_SET_BYTES = 1024 * 1024

certificates_app = typer.Typer(help="Certificates: issue, print, revoke, keys, forgeries.", no_args_is_help=True)
keys_app = typer.Typer(help="Certificate signing keys.", no_args_is_help=True)
certificates_app.add_typer(keys_app, name="keys")
AsUser = Annotated[str, typer.Option("--as", envvar="SABT_USER", help="Act as this user")]


@certificates_app.command("issue")
def issue(
    kind: Kind,
    as_user: AsUser,
    national_code: Annotated[str | None, typer.Option(help="The person (birth, death, extract)")] = None,
    event: Annotated[int | None, typer.Option(help="The registered event (marriage, divorce)")] = None,
) -> None:
    """Issue a certificate with a new serial and a signed QR code."""
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        request = CertificateRequest(kind=kind, national_code=national_code, event_id=event)
        certificate = service.issue_certificate(ctx, actor=actor, request=request)
    out.print(f"certificate {certificate.serial} ({certificate.kind}) issued for {certificate.subject_national_code}")


@certificates_app.command("print")
def print_pdf(
    serial: str, as_user: AsUser, output: Annotated[Path | None, typer.Option("--out", help="PDF file")] = None
) -> None:
    """Render the certificate as a PDF (recorded as a printed copy)."""
    path = output or Path(f"{normalize_serial(serial)}.pdf")
    with output_file(path) as file, command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        certificate, pdf = service.print_certificate(ctx, actor=actor, serial=serial)
        file.write(pdf)
    out.print(f"{path}: copy {certificate.prints} of {certificate.serial}")


@certificates_app.command("revoke")
def revoke(serial: str, as_user: AsUser, reason: Annotated[str, typer.Option(help="Why (lost, stolen, …)")]) -> None:
    """Revoke a current certificate (office head)."""
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        certificate = service.revoke_certificate(ctx, actor=actor, serial=serial, reason=reason)
    out.print(f"certificate {certificate.serial} revoked")


@certificates_app.command("show")
def show(serial: str, as_user: AsUser) -> None:
    """A certificate as JSON: its facts, code, status and number of printed copies."""
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        print_model(service.get_certificate(ctx, actor=actor, serial=serial))


@certificates_app.command("list")
def list_for(national_code: str, as_user: AsUser) -> None:
    """Every certificate naming a person, newest first, as JSON."""
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        print_model(service.certificates_of(ctx, actor=actor, national_code=national_code))


@certificates_app.command("forgeries")
def forgeries(
    as_user: AsUser,
    since: Annotated[str | None, typer.Option(help="Jalali or Gregorian date")] = None,
    until: Annotated[str | None, typer.Option(help="Jalali or Gregorian date")] = None,
) -> None:
    """Suspected forgeries per province, Jalali month and reason, as JSON."""
    with command_context() as ctx:
        actor = accounts.actor_for_username(ctx, as_user)
        start, end = _date(since, field="--since"), _date(until, field="--until")
        print_model(verification.forgery_counts(ctx, actor=actor, since=start, until=end))


def _date(text: str | None, *, field: str) -> dt.date | None:
    if not text:
        return None
    try:
        return parse_date(text)
    except DateProblem as problem:
        raise refusal(f"date.{problem.reason}", field=field) from None


@keys_app.command("rotate")
def rotate() -> None:
    """Start a new signing key now; the current key stops signing but what it signed still verifies."""
    with command_context() as ctx:
        kid = service.rotate_signing_key(ctx)
    out.print(f"new signing key {kid}")


@keys_app.command("export")
def export(output: Annotated[Path | None, typer.Option("--out", help="File; default: standard output")] = None) -> None:
    """The public key set (JWK Set) that offline verifiers need."""
    with command_context() as ctx:
        text = json.dumps(service.public_keys(ctx).to_json(), indent=2)
    if output:
        with output_file(output) as file:
            file.write(f"{text}\n".encode())
        out.print(f"{output}: key set written")
    else:
        typer.echo(text)


def verify(
    source: Annotated[str, typer.Argument(help="The QR's text (SB1:…), or a PNG/JPEG photo or PDF of it")],
    keys: Annotated[
        Path | None, typer.Option(help="Public key set (JSON); default: this registry's", **INPUT_FILE)
    ] = None,
) -> None:
    """Verify a certificate offline with the public key set. Exit 0 and print the facts when the signature
    is genuine; exit 1 and the reason otherwise."""
    try:
        text = _code_text(source)
        key_set = KeySet.from_json(_read_at_most(keys, MOST_KEY_SET_BYTES, field="--keys")) if keys else _local_keys()
        verified = verification.verify_offline(text, key_set, now=dt.datetime.now(dt.UTC))
    except SabtError as error:
        err.print(f"NOT VERIFIED: {error.message_en}\n{error.message_fa}", markup=False, highlight=False)
        raise typer.Exit(error.exit_code) from None
    _print_verified(out, verified)


def _code_text(source: str) -> str:
    """A file's code when `source` names a readable file, else `source` itself: the code's text."""
    try:
        data = _read_at_most(Path(source), MOST_FILE_BYTES, field="source")
    except OSError:  # no such file, or a name no file can have (a pasted code is thousands of characters)
        return source
    return code_from_bytes(data)


def _read_at_most(path: Path, limit: int, *, field: str) -> bytes:
    """The file's bytes, refused past `limit` (a device such as /dev/zero never ends)."""
    with path.open("rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise RequestTooLarge(field=field, limit=limit)
    return data


def _local_keys() -> KeySet:
    with command_context() as ctx:
        return service.public_keys(ctx)


def _print_verified(console: Console, verified: verification.Verified) -> None:
    facts = verified.code.certificate
    console.print(
        f"GENUINE SIGNATURE: {CERTIFICATE_FA.get(str(facts.get('k')), facts.get('k'))} {facts.get('s')}, "
        f"issued {verified.issued_at:%Y-%m-%d %H:%M} UTC by {verified.code.issuer}, "
        f"key {verified.code.kid.hex()}",
        markup=False,
        highlight=False,
    )
    # County names from the reference file shipped with Sabt: the offline check needs no registry.
    counties = {row["code"]: row["name_fa"] for row in reference_rows("counties.csv")}
    for label, value in readable_rows(facts, counties):
        console.print(f"  {label}: {value}", markup=False, highlight=False)
    console.print("Offline check: whether the registry has since revoked or superseded it needs the online check.")
