"""`sabt audit …`: verify the registry against its ledger, print proofs, sign checkpoints."""

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from ..terminal import INPUT_FILE, RowIdArgument, command_context, err, out, print_model
from . import service
from .audit import audit
from .merkle import leaf_hash, verify_consistency, verify_inclusion
from .note import Checkpoint, verify_checkpoint
from .service import RecordSource

audit_app = typer.Typer(help="Tamper-evident ledger: audit, proofs, checkpoints.", no_args_is_help=True)
# The features whose records the audit checks; the top-level command line fills this in.
record_sources: list[Callable[[], Sequence[RecordSource]]] = []


@audit_app.command("verify")
def verify(
    checkpoint: Annotated[
        list[Path] | None, typer.Option(help="A checkpoint note kept by a witness; checked as well", **INPUT_FILE)
    ] = None,
) -> None:
    """Check every record against its last ledger leaf and the tree against its signed checkpoints.
    Exits 1 and names each record changed, deleted or added behind the service's back."""
    with command_context() as ctx:
        witnessed = [path.read_text(encoding="utf-8") for path in checkpoint or []]
        sources = [source for provide in record_sources for source in provide()]
        report = audit(ctx, sources, witnessed=witnessed)
    for finding in report.findings:
        err.print(f"{finding.problem}: {finding.record or '-'}: {finding.detail}", markup=False, highlight=False)
    out.print(f"ledger size {report.tree_size}, last checkpoint at {report.checkpoint_size}, "
              f"{report.records_checked} records checked, {len(report.findings)} problems")  # fmt: skip
    if report.findings:
        raise typer.Exit(1)


@audit_app.command("proof")
def proof(record: Annotated[str, typer.Option(help="The record, e.g. person/12 or event/70")]) -> None:
    """The record's latest leaf with its inclusion proof in the current tree, as JSON."""
    with command_context() as ctx:
        print_model(service.record_inclusion(ctx, record=record))


@audit_app.command("consistency")
def consistency(old: RowIdArgument, new: RowIdArgument) -> None:
    """A consistency proof from tree size OLD to NEW, as JSON."""
    with command_context() as ctx:
        print_model(service.consistency(ctx, old_size=old, new_size=new))


@audit_app.command("checkpoint")
def checkpoint() -> None:
    """Sign the current tree head now and print the note."""
    with command_context() as ctx:
        signed = service.sign_checkpoint(ctx)
        assert signed is not None
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


def _verified(path: Path, key: str) -> Checkpoint:
    signed = verify_checkpoint(path.read_text(encoding="utf-8"), key)
    if signed is None:
        err.print(f"the signature of {path} does not verify with this key")
        raise typer.Exit(1)
    return signed
