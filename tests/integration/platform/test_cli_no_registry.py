"""Every command run where no registry exists says so in one line and exits non-zero, creating nothing; no
command prints a traceback for input it cannot use."""

import re
from enum import Enum
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pytest
import typer
from typer.testing import CliRunner

from sabt.cli import app

from ..conftest import new_database

# Commands that need no registry (they make one, or check what they are given by themselves).
NO_REGISTRY_NEEDED = {
    ("db", "upgrade"),
    ("demo",),
    ("national-code", "check"),
    ("synth",),
    ("audit", "check-proof"),
    ("audit", "coverage"),  # the schema's tables, from the code
    ("witness", "key"),  # a witness keeps its own state, not a registry
    ("witness", "serve"),
    ("restore",),  # puts a registry where there may be none
}


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every leaf command under `group` (Typer's own copy of click: its classes are read by what they have)."""
    found = []
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            found += _commands(command, (*prefix, name))
        else:
            found.append(((*prefix, name), command))
    return found


COMMANDS = [
    (path, command) for path, command in _commands(typer.main.get_command(app)) if path not in NO_REGISTRY_NEEDED
]


def _arguments(command: Any, existing_file: Path) -> list[str]:
    """The least a command takes: a value for each required argument and option, of the right type."""
    arguments: list[str] = []
    for parameter in command.params:
        if not parameter.required:
            continue
        value = (
            "1404/01/01" if "date" in parameter.name else _value(parameter.type_descriptor.annotation, existing_file)
        )
        if parameter.param_type_name == "option":
            arguments += [parameter.opts[0], value]
        else:
            arguments.append(value)
    return arguments


def _value(annotation: Any, existing_file: Path) -> str:
    if annotation is Path:
        return str(existing_file)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return str(next(iter(annotation)).value)
    if get_origin(annotation) is Literal:
        return str(get_args(annotation)[0])
    if annotation in (int, float):
        return "1"
    return "0010001141"


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with no registry in it, as SABT_DATA_DIR; a file for the commands that read one, elsewhere."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("SABT_DATA_DIR", str(empty))
    monkeypatch.delenv("SABT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return empty


def test_the_walk_finds_every_command_group():
    groups = {path[0] for path, _ in COMMANDS}
    assert groups >= {
        "audit",
        "cards",
        "certificates",
        "citizen",
        "event",
        "import",
        "linkage",
        "office",
        "partner",
        "person",
        "register",
        "serve",
        "stats",
        "user",
        "verify",
        "voters",
        "webhooks",
    }
    assert len(COMMANDS) > 40


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(path) for path, _ in COMMANDS])
def test_a_command_where_no_registry_exists_says_so_and_creates_nothing(path, command, nowhere, tmp_path):
    existing_file = tmp_path / "input.json"
    existing_file.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(app, [*path, *_arguments(command, existing_file)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: no registry at "), result.output
    assert "sabt db upgrade" in lines[0] and "SABT_DATA_DIR" in lines[0]
    assert list(nowhere.iterdir()) == []


def test_a_postgresql_database_without_the_schema_is_no_registry(tmp_path_factory, monkeypatch):
    for url in new_database("postgresql", tmp_path_factory):
        monkeypatch.setenv("SABT_DATABASE_URL", url)
        result = CliRunner().invoke(app, ["audit", "verify"])
        assert result.exit_code == 1
        assert "holds no registry" in result.output and "sabt db upgrade" in result.output


def test_a_file_that_is_not_there_or_not_json_is_named(sabt, tmp_path):
    missing = sabt("register", "death", "--as", "clerk", "--file", str(tmp_path / "death.json"))
    # The message is boxed to the terminal's width, which may break a long path: read it unboxed.
    unboxed = re.sub(r"[\s│╭╮╰╯─]+", "", missing.output)
    assert missing.exit_code == 2 and "death.json" in unboxed and "doesnotexist" in unboxed
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\xff{not json")
    refused = sabt("register", "death", "--as", "clerk", "--file", str(garbage))
    assert refused.exit_code == 1 and "[--file]" in refused.output and "not valid JSON" in refused.output


def test_a_code_too_long_for_a_file_name_is_read_as_a_code(sabt):
    result = sabt("verify", "SB1:" + "A" * 3000)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "NOT VERIFIED" in result.output and "Traceback" not in result.output
