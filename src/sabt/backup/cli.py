"""`sabt backup FILE` and `sabt restore FILE`: backups of the SQLite registry."""

from pathlib import Path
from typing import Annotated

import typer

from ..config import Settings
from ..terminal import INPUT_FILE, refusals, require_registry
from . import service
from .schemas import RegistryCopy


def backup(
    file: Annotated[Path, typer.Argument(help="The backup to write; a file of that name is replaced once it is")],
) -> None:
    """Back up the SQLite registry to FILE, also while `sabt serve` runs: SQLite's online backup, checked with
    its integrity check before it takes FILE's name. The signing keys are not in it: keep a copy of them
    apart. A registry on PostgreSQL is backed up with pgBackRest."""
    settings = Settings()
    with refusals():
        service.registry_file(settings)  # PostgreSQL is refused before anything connects to it
        require_registry(settings)
        written = service.back_up(settings, destination=file)
    _print_copy("backed up to", written)
    typer.echo("the signing keys are not in the backup: keep a copy of the key files (or the token) apart")


def restore(
    file: Annotated[Path, typer.Argument(help="The backup to restore", **INPUT_FILE)],
    replace: Annotated[bool, typer.Option("--replace", help="Replace the registry that is there")] = False,
) -> None:
    """Restore the SQLite registry from FILE, a backup. Refused, with nothing changed, when FILE is not a
    sound Sabt registry of this version's schema, when a registry is there and --replace is not given, or
    while another process (`sabt serve`) has the registry open."""
    settings = Settings()
    with refusals():
        restored = service.restore(settings, source=file, replace=replace)
    _print_copy("restored to", restored)
    typer.echo("check it with `sabt audit verify`, and what it lacks with `sabt audit recovery-point`")


def _print_copy(what: str, copy: RegistryCopy) -> None:
    """One line, never wrapped: an operator keeps it with the backup."""
    checkpoint = "no checkpoint"
    if copy.checkpoint_size is not None:
        checkpoint = f"last checkpoint at size {copy.checkpoint_size}, signed {copy.checkpoint_at}"
    typer.echo(f"{what} {copy.path}: ledger size {copy.ledger_size}, {checkpoint}")
