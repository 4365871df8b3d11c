"""What every command shares: the consoles, the registry it opens, and how refusals are printed."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console

from .bootstrap import open_context
from .config import Settings
from .context import Context
from .core.errors import SabtError
from .db import LARGEST_ID
from .inputs import validation_problem
from .migrations import missing_registry

# A file a command reads: a missing, unreadable or directory path is a usage error naming the option,
# before anything is opened.
INPUT_FILE: dict[str, Any] = {"exists": True, "dir_okay": False, "readable": True}

# A row id typed at the command line: one no row can have is a usage error, not a database's overflow.
RowIdArgument = Annotated[int, typer.Argument(min=1, max=LARGEST_ID)]

out = Console()
err = Console(stderr=True, soft_wrap=True)  # a refusal is one line, whatever the width


# A new account's password: asked for at the terminal, or taken from the environment by a provisioning script
# (an option's value can be read by every user of the machine in the process list).
ASKED_UNLESS_SET = "Asked for when not set in SABT_NEW_PASSWORD"
NO_REGISTRY_HINT = "run `sabt db upgrade` to create one here, or set SABT_DATA_DIR or SABT_DATABASE_URL to where it is"


@contextmanager
def command_context(*, create: bool = False) -> Iterator[Context]:
    """Open the configured registry for one command; turn refusals into a message and an exit code.
    Without `create`, a registry that does not exist is one line and exit 1, and nothing is created."""
    settings = Settings()
    if not create:
        require_registry(settings)
    ctx = open_context(settings)
    try:
        with refusals():
            yield ctx
    finally:
        ctx.db.dispose()


@contextmanager
def refusals() -> Iterator[None]:
    """A refusal raised inside is printed with its field and reason, and the command exits non-zero."""
    try:
        yield
    except SabtError as error:
        field = f" [{error.field}]" if error.field else ""
        err.print(f"error{field}: {error.message_en}\n{error.message_fa}", markup=False, highlight=False)
        raise typer.Exit(error.exit_code) from None
    except ValidationError as error:
        for item in error.errors():
            problem = validation_problem(item)
            field = f" [{problem.field}]" if problem.field else ""
            err.print(f"error{field}: {problem.message_en}\n{problem.message_fa}", markup=False, highlight=False)
        raise typer.Exit(1) from None


def print_model(model: BaseModel | list[Any]) -> None:
    """JSON for programs to read: plain text, never wrapped or styled."""
    data = (
        [item.model_dump(mode="json") for item in model] if isinstance(model, list) else model.model_dump(mode="json")
    )
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def require_registry(settings: Settings) -> None:
    problem = missing_registry(settings.resolved_database_url())
    if problem:
        err.print(f"error: {problem}; {NO_REGISTRY_HINT}", markup=False, highlight=False)
        raise typer.Exit(1)


@contextmanager
def output_file(path: Path, *, option: str = "--out") -> Iterator[BinaryIO]:
    """A file a command writes, opened before the work: a path it cannot write is refused before anything
    is done or recorded (a printed copy), and the file is removed again if the command fails."""
    try:
        file = path.open("wb")
    except OSError as error:
        err.print(f"error [{option}]: cannot write {path}: {error.strerror}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    try:
        with file:
            yield file
    except BaseException:
        path.unlink(missing_ok=True)
        raise
