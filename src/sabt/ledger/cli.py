"""`sabt audit …`: verify the registry against its ledger, print proofs, sign and witness checkpoints;
`sabt witness …`: run a witness of someone's log."""

import json
from pathlib import Path
from typing import Annotated

import typer

from ..migrations import missing_registry
from ..models import metadata
from ..terminal import INPUT_FILE, RowIdArgument, command_context, err, out, print_model
from . import service
from .audit import audit
from .coverage import coverage as table_coverage
from .merkle import leaf_hash, verify_consistency, verify_inclusion
from .note import Checkpoint, verify_checkpoint
from .recovery import RecoveryReport, recovery_against_checkpoint, recovery_against_copy
from .witness import Witness, WitnessSetupError, load_witness, witness_app
from .witnessing import configured_witnesses, quorum, sign_and_witness

audit_app = typer.Typer(help="Tamper-evident ledger: audit, proofs, checkpoints.", no_args_is_help=True)
witness_cli = typer.Typer(help="A C2SP tlog-witness that cosigns other logs' checkpoints.", no_args_is_help=True)


@audit_app.command("verify")
def verify(
    checkpoint: Annotated[
        list[Path] | None, typer.Option(help="A checkpoint note kept by a witness; checked as well", **INPUT_FILE)
    ] = None,
    key: Annotated[
        str | None, typer.Option(help="The published verifier key to check with (default: the key store's)")
    ] = None,
    witnessed: Annotated[
        bool, typer.Option("--witnessed", help="Fail unless the whole log is covered by a witnessed checkpoint")
    ] = False,
) -> None:
    """Check every evidence row against its last ledger leaf, the tree against its signed head and checkpoints.
    Exits 1 and names each record changed, deleted or added behind the service's back."""
    with command_context() as ctx:
        notes = [_read_text(path) for path in checkpoint or []]
        policy = None
        if witnessed:
            witnesses = configured_witnesses(ctx.settings)
            if not witnesses:
                err.print("--witnessed needs SABT_WITNESSES: no witness is configured")
                raise typer.Exit(2)
            policy = (witnesses, quorum(ctx.settings, witnesses))
        report = audit(ctx, witnessed=notes, verifier=key, policy=policy)
    for finding in report.findings:
        err.print(f"{finding.problem}: {finding.record or '-'}: {finding.detail}", markup=False, highlight=False)
    witnessed_text = f", witnessed at {report.witnessed_size}" if witnessed else ""
    out.print(
        f"ledger size {report.tree_size}, last checkpoint at {report.checkpoint_size}{witnessed_text}, "
        f"{report.records_checked} records checked, {len(report.findings)} problems"
    )
    if report.findings:
        raise typer.Exit(1)


@audit_app.command("coverage")
def coverage() -> None:
    """Every table: evidence (committed to the log), the log itself, or operational, with the reason."""
    for row in table_coverage(list(metadata.tables)):
        typer.echo(f"{row.table:<24} {row.kind:<12} {row.reason}")  # one line each, never wrapped


@audit_app.command("proof")
def proof(record: Annotated[str, typer.Option(help="The record: its table and key, e.g. persons/12")]) -> None:
    """The record's latest leaf with its inclusion proof and what opens its commitment, as JSON. It holds the
    record's data: give it only to the record's holder or an auditor."""
    with command_context() as ctx:
        print_model(service.record_proof(ctx, record=record))


@audit_app.command("consistency")
def consistency(old: RowIdArgument, new: RowIdArgument) -> None:
    """A consistency proof from tree size OLD to NEW, as JSON."""
    with command_context() as ctx:
        print_model(service.consistency(ctx, old_size=old, new_size=new))


@audit_app.command("checkpoint")
def checkpoint() -> None:
    """Sign the current tree head now, submit it to the witnesses, and print the note."""
    with command_context() as ctx:
        signed, outcomes = sign_and_witness(ctx)
        assert signed is not None
    for outcome in outcomes:
        err.print(f"witness {outcome.witness}: {outcome.detail}", markup=False, highlight=False)
    typer.echo(signed.note, nl=False)


@audit_app.command("public-key")
def public_key() -> None:
    """The verifier key for the checkpoints."""
    with command_context() as ctx:
        typer.echo(service.public_key(ctx))


@audit_app.command("check-proof")
def check_proof(
    proof_file: Annotated[Path, typer.Argument(help="JSON from `sabt audit proof` or `consistency`", **INPUT_FILE)],
    checkpoint_file: Annotated[Path, typer.Option("--checkpoint", help="The signed checkpoint note", **INPUT_FILE)],
    key: Annotated[str, typer.Option(help="The verifier key")],
    old_checkpoint_file: Annotated[
        Path | None,
        typer.Option("--old-checkpoint", help="For a consistency proof: the older checkpoint", **INPUT_FILE),
    ] = None,
) -> None:
    """Check a proof offline against signed checkpoints, with nothing but the public key."""
    signed = _verified(checkpoint_file, key)
    proof = json.loads(proof_file.read_text(encoding="utf-8"))
    path = [bytes.fromhex(item) for item in proof["proof"]]
    if "index" in proof:
        ok = proof["tree_size"] == signed.size and verify_inclusion(
            leaf_hash(proof["leaf"].encode()), proof["index"], signed.size, path, signed.root
        )
        if ok and "salt" in proof:  # a record's proof also opens the leaf's commitment
            opened = service.commitment(bytes.fromhex(proof["salt"]), proof["record"], proof["content"])
            ok = opened == json.loads(proof["leaf"])["commitment"]
    else:
        old_root = bytes.fromhex(proof["old_root"])
        if old_checkpoint_file is not None:
            old = _verified(old_checkpoint_file, key)
            ok = (old.size, old.root) == (proof["old_size"], old_root)
        else:
            ok = True
        ok = ok and proof["new_size"] == signed.size
        ok = ok and verify_consistency(proof["old_size"], signed.size, old_root, signed.root, path)
    if not ok:
        err.print("the proof does not verify against the checkpoint")
        raise typer.Exit(1)
    out.print(f"verified against the checkpoint of size {signed.size}")


@audit_app.command("recovery-point")
def recovery_point(
    against: Annotated[
        str | None, typer.Option(help="A later copy of the registry: a database URL or a SQLite file's path")
    ] = None,
    checkpoint: Annotated[
        Path | None, typer.Option(help="The latest signed checkpoint note you hold (a witness's)", **INPUT_FILE)
    ] = None,
    key: Annotated[
        str | None, typer.Option(help="The published verifier key to check with (default: the key store's)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """After a restore: the last change the registry holds, proven by the audit, and the changes it lost:
    each of them against a later copy (--against), or how many against a signed checkpoint (--checkpoint).
    Exits 1 when the audit or the comparison finds a problem."""
    with command_context() as ctx:
        if (against is None) == (checkpoint is None):
            err.print("give either --against (a later copy of the registry) or --checkpoint (a signed checkpoint)")
            raise typer.Exit(2)
        if against is not None:
            report = recovery_against_copy(ctx, later_url=_later_copy_url(against), verifier=key)
        else:
            assert checkpoint is not None
            report = recovery_against_checkpoint(ctx, note=_read_text(checkpoint), verifier=key)
    if as_json:
        print_model(report)
    else:
        _print_recovery(report, listed=against is not None)
    for finding in report.findings:
        err.print(f"{finding.problem}: {finding.record or '-'}: {finding.detail}", markup=False, highlight=False)
    if report.findings:
        raise typer.Exit(1)


def _prefix_text(report: RecoveryReport) -> str:
    if report.is_prefix is None:
        return ""
    return f"; the restored ledger is {'' if report.is_prefix else 'NOT '}a prefix of it"


def _later_copy_url(against: str) -> str:
    """A database URL as given; anything else is the path of a SQLite file, which must hold a registry."""
    url = against if "://" in against else f"sqlite:///{Path(against).resolve()}"
    problem = missing_registry(url)
    if problem:
        err.print(f"error [--against]: {problem}", markup=False, highlight=False)
        raise typer.Exit(1)
    return url


def _print_recovery(report: RecoveryReport, *, listed: bool) -> None:
    """One line each, never wrapped: an operator pastes them into the incident's record."""
    audited = "the audit passed" if report.audit_passed else "the audit found problems"
    checkpoint = "no checkpoint" if report.checkpoint_size is None else f"last checkpoint at {report.checkpoint_size}"
    typer.echo(f"restored ledger: {report.restored_size} leaves; {audited} ({checkpoint})")
    point = report.recovery_point
    if point is None:
        typer.echo("recovery point: none, the restored ledger is empty")
    else:
        typer.echo(f"recovery point: leaf {point.index}, {point.record_type}/{point.record_id}, logged {point.at}")
    if report.later_size is None:
        return
    typer.echo(f"{'later copy' if listed else 'checkpoint'}: {report.later_size} leaves{_prefix_text(report)}")
    if report.missing_count is None:
        return
    lost = ""
    if report.seconds_lost is not None:  # leaves carry their time to the minute
        lost = f", the last logged {report.seconds_lost:.0f} seconds after the recovery point (leaves: to the minute)"
    typer.echo(f"missing: {report.missing_count} changes{lost}")
    for change in report.missing:
        typer.echo(f"  {change.index}  {change.record_type}/{change.record_id}  {change.at}")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        err.print(f"{path} is not a checkpoint note: it is not UTF-8 text")
        raise typer.Exit(2) from None


def _verified(path: Path, key: str) -> Checkpoint:
    signed = verify_checkpoint(_read_text(path), key)
    if signed is None:
        err.print(f"the signature of {path} does not verify with this key")
        raise typer.Exit(1)
    return signed


@witness_cli.command("serve")
def witness_serve(
    name: Annotated[str, typer.Option(help="The witness's key name, e.g. witness.court.example/w1")],
    log: Annotated[list[str], typer.Option(help="The verifier key of a log this witness cosigns; repeatable")],
    key_file: Annotated[Path, typer.Option(help="The witness's Ed25519 key (made on first use, 0600)")],
    state: Annotated[Path, typer.Option(help="The witness's SQLite state: the latest cosigned checkpoints")],
    host: str = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8100,
) -> None:
    """Serve POST /add-checkpoint (C2SP tlog-witness) until stopped."""
    import uvicorn

    witness = _witness(name, key_file, log, state)
    err.print(f"witness {witness.verifier()}", markup=False, highlight=False)
    uvicorn.run(witness_app(witness), host=host, port=port, log_level="warning")


@witness_cli.command("key")
def witness_key(
    name: Annotated[str, typer.Option(help="The witness's key name")],
    key_file: Annotated[Path, typer.Option(help="The witness's Ed25519 key (made on first use, 0600)")],
    state: Annotated[Path, typer.Option(help="The witness's SQLite state")],
) -> None:
    """Print the witness's cosignature verifier key, for the logs it witnesses and their auditors."""
    typer.echo(_witness(name, key_file, [], state).verifier())


def _witness(name: str, key_file: Path, logs: list[str], state: Path) -> Witness:
    try:
        return load_witness(name, key_file, logs, state)
    except WitnessSetupError as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(2) from None
