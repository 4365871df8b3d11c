"""The systemd units in deploy/systemd/: each one passes `systemd-analyze verify`, carries the sandbox every
service is given, and runs a `sabt` command that exists.

`systemd-analyze verify` reads unit files offline (systemd need not be running) and checks that each
service's programs exist, so it checks copies in which the installed paths (/opt/sabt/venv/bin/sabt,
/usr/bin/pgbackrest) are replaced by this machine's. It reports a misspelled directive or a value it cannot
parse as a warning and still exits 0, so every line it prints about the units counts as a failure. Without
systemd-analyze (Debian: systemd) those checks are skipped, unless SABT_TEST_REQUIRE_SYSTEMD=1 (as in CI),
where they fail.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sabt.cli import app

UNITS = Path(__file__).resolve().parents[3] / "deploy" / "systemd"
INSTALLED_SABT = "/opt/sabt/venv/bin/sabt"
INSTALLED_PGBACKREST = "/usr/bin/pgbackrest"
SERVICES = sorted(UNITS.glob("*.service"))
TIMERS = sorted(UNITS.glob("*.timer"))
# The sandbox every service is given; each line exactly as it must appear.
HARDENING = (
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "ProtectClock=yes",
    "ProtectHostname=yes",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
    "RestrictNamespaces=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "LockPersonality=yes",
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    "CapabilityBoundingSet=",
    "UMask=0077",
)
# `sabt` followed by its subcommand's words, up to the first option or argument.
SABT_COMMAND = re.compile(re.escape(INSTALLED_SABT) + r"((?: +[a-z][a-z-]*)+)")


def directives(text: str) -> list[tuple[str, str]]:
    """Each `Key=value` line of a unit file, in order (a key may be given several times)."""
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            found.append((key.strip(), value.strip()))
    return found


def missing_hardening(text: str) -> list[str]:
    lines = {f"{key}={value}" for key, value in directives(text)}
    return [line for line in HARDENING if line not in lines]


def triggered_unit(timer: Path) -> str:
    """The unit a timer starts: its Unit=, or the service of the same name."""
    named = [value for key, value in directives(timer.read_text(encoding="utf-8")) if key == "Unit"]
    return named[-1] if named else f"{timer.stem}.service"


def unit_file(name: str) -> str:
    """The file a unit is loaded from: an instance (`name@full.service`) comes from its template."""
    prefix, at, rest = name.partition("@")
    return f"{prefix}@.{rest.rpartition('.')[2]}" if at else name


def sabt_commands(text: str) -> list[list[str]]:
    return [match.split() for match in SABT_COMMAND.findall(text)]


def installed_here(folder: Path, pgbackrest: str) -> list[Path]:
    """Copies of every unit in `folder`, running this machine's `sabt` and `pgbackrest`."""
    sabt = Path(sys.executable).with_name("sabt")
    copies = []
    for unit in SERVICES + TIMERS:
        text = unit.read_text(encoding="utf-8")
        copy = folder / unit.name
        copy.write_text(text.replace(INSTALLED_SABT, str(sabt)).replace(INSTALLED_PGBACKREST, pgbackrest))
        copies.append(copy)
    return copies


def verify_problems(analyze: str, unit: Path) -> list[str]:
    """What `systemd-analyze verify` finds wrong with a unit file (the other units beside it are loaded
    from the same folder): every line it prints that names a unit file there, and a non-zero exit."""
    names = [path.name for path in unit.parent.iterdir()]
    result = subprocess.run(
        [analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True, cwd=unit.parent, check=False
    )
    lines = (result.stdout + result.stderr).splitlines()
    problems = [line for line in lines if str(unit.parent) in line or any(name in line for name in names)]
    if result.returncode != 0:
        problems.append(f"systemd-analyze verify exited {result.returncode}: {result.stdout}{result.stderr}")
    return problems


@pytest.fixture(scope="module")
def analyze() -> str:
    program = shutil.which("systemd-analyze")
    if program is None:
        if os.environ.get("SABT_TEST_REQUIRE_SYSTEMD") == "1":
            pytest.fail("the systemd units must be verified but systemd-analyze is not installed")
        pytest.skip("systemd-analyze not installed (Debian: systemd)")
    return program


@pytest.fixture(scope="module")
def pgbackrest(tmp_path_factory: pytest.TempPathFactory) -> str:
    """pgBackRest where it is installed; otherwise a stand-in, since what is checked is the unit."""
    installed = shutil.which("pgbackrest")
    if installed is not None:
        return installed
    stand_in = tmp_path_factory.mktemp("bin") / "pgbackrest"
    stand_in.write_text("#!/bin/sh\nexit 0\n")
    stand_in.chmod(0o755)
    return str(stand_in)


@pytest.fixture(scope="module")
def units_here(tmp_path_factory: pytest.TempPathFactory, pgbackrest: str) -> Path:
    folder = tmp_path_factory.mktemp("units")
    installed_here(folder, pgbackrest)
    return folder


def test_there_are_units_to_check() -> None:
    names = {unit.name for unit in SERVICES + TIMERS}
    assert {"sabt.service", "sabt-webhooks.timer", "sabt-audit.timer"} <= names


@pytest.mark.parametrize("unit", [unit.name for unit in SERVICES + TIMERS])
def test_systemd_accepts_the_unit(analyze: str, units_here: Path, unit: str) -> None:
    assert verify_problems(analyze, units_here / unit) == []


def test_verify_reports_a_misspelled_directive(analyze: str, tmp_path: Path, pgbackrest: str) -> None:
    installed_here(tmp_path, pgbackrest)
    unit = tmp_path / "sabt.service"
    unit.write_text(unit.read_text(encoding="utf-8").replace("NoNewPrivileges=yes", "NoNewPrivilege=yes"))
    problems = verify_problems(analyze, unit)
    assert any("Unknown key" in line and "NoNewPrivilege" in line for line in problems), problems


def test_verify_reports_a_program_that_is_not_there(analyze: str, tmp_path: Path) -> None:
    unit = tmp_path / "sabt.service"
    shutil.copy(UNITS / "sabt.service", unit)  # still naming /opt/sabt/venv/bin/sabt, not installed here
    problems = verify_problems(analyze, unit)
    assert any(INSTALLED_SABT in line for line in problems), problems


@pytest.mark.parametrize("service", [service.name for service in SERVICES])
def test_the_service_is_sandboxed(service: str) -> None:
    text = (UNITS / service).read_text(encoding="utf-8")
    assert missing_hardening(text) == []
    # Either on, or a comment saying why it is off.
    assert "MemoryDenyWriteExecute" in text


def test_a_service_without_its_sandbox_is_caught() -> None:
    text = (UNITS / "sabt.service").read_text(encoding="utf-8")
    weakened = text.replace("CapabilityBoundingSet=\n", "CapabilityBoundingSet=CAP_NET_ADMIN\n")
    assert missing_hardening(weakened) == ["CapabilityBoundingSet="]


@pytest.mark.parametrize("service", [service.name for service in SERVICES])
def test_the_service_runs_as_its_own_user(service: str) -> None:
    found = dict(directives((UNITS / service).read_text(encoding="utf-8")))
    assert found.get("DynamicUser") == "yes" or found.get("User") not in (None, "", "root", "0")


@pytest.mark.parametrize("timer", [timer.name for timer in TIMERS])
def test_the_timer_starts_a_service_that_is_there(timer: str) -> None:
    service = triggered_unit(UNITS / timer)
    assert service.endswith(".service")
    assert (UNITS / unit_file(service)).is_file(), f"{timer} starts {service}, which is not in deploy/systemd"


def test_a_timer_is_matched_to_its_template() -> None:
    assert unit_file("sabt-pgbackrest@full.service") == "sabt-pgbackrest@.service"
    assert unit_file("sabt-audit.service") == "sabt-audit.service"


@pytest.mark.parametrize("service", [service.name for service in SERVICES])
def test_the_service_runs_sabt_or_pgbackrest(service: str) -> None:
    text = (UNITS / service).read_text(encoding="utf-8")
    commands = [value for key, value in directives(text) if key == "ExecStart"]
    assert len(commands) == 1
    assert sabt_commands(commands[0]) or commands[0].startswith(INSTALLED_PGBACKREST + " ")


SUBCOMMANDS = sorted(
    {" ".join(words) for unit in SERVICES for words in sabt_commands(unit.read_text(encoding="utf-8"))}
)


def test_the_subcommands_are_found() -> None:
    assert {"serve", "db upgrade", "webhooks deliver", "audit verify", "backup", "witness serve"} <= set(SUBCOMMANDS)


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
def test_the_sabt_subcommand_exists(subcommand: str) -> None:
    # In this process rather than through the `sabt` script (which verify has found): the same commands,
    # without four seconds of imports for each.
    result = CliRunner().invoke(app, [*subcommand.split(), "--help"])
    assert result.exit_code == 0, f"sabt {subcommand} --help: {result.output}"
