"""What every command shares: the consoles, the registry it opens, and how refusals are printed."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console

from .config import Settings
from .context import Context
from .core.errors import SabtError
from .wiring import open_context

out = Console()
err = Console(stderr=True)


@contextmanager
def command_context() -> Iterator[Context]:
    """Open the configured registry for one command; turn refusals into a message and an exit code."""
    ctx = open_context(Settings())
    try:
        yield ctx
    except SabtError as error:
        field = f" [{error.field}]" if error.field else ""
        err.print(f"error{field}: {error.message_en}\n{error.message_fa}", markup=False, highlight=False)
        raise typer.Exit(error.exit_code) from None
    except ValidationError as error:
        for item in error.errors():
            err.print(
                f"error [{'.'.join(str(part) for part in item['loc'])}]: {item['msg']}", markup=False, highlight=False
            )
        raise typer.Exit(1) from None
    finally:
        ctx.db.dispose()


def print_model(model: BaseModel | list[Any]) -> None:
    """JSON for programs to read: plain text, never wrapped or styled."""
    data = (
        [item.model_dump(mode="json") for item in model] if isinstance(model, list) else model.model_dump(mode="json")
    )
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
