"""`sabt demo` as a newcomer runs it, and every command of the README run as written against it."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pypdfium2
import pytest

from sabt.demo import DEMO_PASSWORD

README = Path(__file__).parents[3] / "README.md"
SABT = Path(sys.executable).with_name("sabt")
# What a test cannot run as written, and what it runs in its place. The Quick start's block is `make demo`
# (the fixture below runs what it runs) and `make test` (this suite).
IN_PLACE_OF = {
    "--people 1000000": "--people 2000",  # the same commands, on a nation a test can afford
    "make bench": "true",  # every benchmark: minutes each; bench/ is linted and type-checked
    ".venv/bin/sabt serve --port 8000 --workers 2": "true",  # serves until stopped: test_serve runs it
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def without_settings() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("SABT_")}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo registry, seeded once by `sabt demo` as `make demo` runs it; each test serves its own copy."""
    folder = tmp_path_factory.mktemp("seeded") / "demo"
    seeding = subprocess.run(
        [str(SABT), "demo", "--no-serve", "--data-dir", str(folder)],
        env=without_settings(),
        capture_output=True,
        text=True,
        timeout=600,  # 3,000 people on a busy 2-core machine: minutes
        check=False,
    )
    assert seeding.returncode == 0, seeding.stdout + seeding.stderr
    steps = re.findall(r"^\s*\d+ s  (.+) …$", seeding.stdout, flags=re.MULTILINE)
    assert len(steps) >= 6 and "synthetic nation" in " ".join(steps)  # the wait is shown step by step
    assert "citizen (a citizen, at /me)" in seeding.stdout
    return folder


@contextmanager
def served(folder: Path, port: int) -> Iterator[str]:
    """`sabt demo` on a registry it has already seeded: it serves at once."""
    process = subprocess.Popen(
        [str(SABT), "demo", "--port", str(port), "--data-dir", str(folder)],
        env=without_settings(),
        cwd=folder.parents[1],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "the demo did not start serving within a minute"
            time.sleep(0.25)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def copy_of(seeded: Path, where: Path) -> Path:
    folder = where / "var" / "demo"
    shutil.copytree(seeded, folder)
    return folder


def test_the_demo_seeds_a_registry_and_serves_it(seeded: Path, tmp_path: Path):
    folder = copy_of(seeded, tmp_path)
    with served(folder, free_port()) as base:
        home = httpx.get(base)
        assert 'dir="rtl"' in home.text
        token = httpx.post(f"{base}/api/auth/token", data={"username": "registrar", "password": DEMO_PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        queue = httpx.get(f"{base}/api/events", params={"status": "declared"}, headers=headers).json()
        assert any(event["late"] for event in queue) and any(not event["late"] for event in queue)
        father = queue[0]["data"]["father"]["national_code"]
        record = httpx.get(f"{base}/api/persons/{father}", headers=headers).json()
        assert record["birth_date"]["jalali"] and record["marriages"]
        found = httpx.get(
            f"{base}/api/persons",
            params={"name": record["first_name"], "last_name": record["last_name"]},
            headers=headers,
        ).json()
        assert father in [person["national_code"] for person in found]
        samples = sorted((folder / "sample-certificates").glob("*.pdf"))
        verdicts = [
            httpx.post(f"{base}/api/certificates/verify/file", files={"file": (path.name, path.read_bytes())}).json()[
                "verdict"
            ]
            for path in samples
        ]
        assert verdicts == ["genuine", "revoked"]
        coverage = httpx.get(f"{base}/api/cards/coverage", headers=headers).json()
        provinces = [row for row in coverage if row["county"] is None and row["province"]]
        assert len(provinces) == 31 and coverage[-1]["province"] == ""  # every province, then the country
        assert 60 < coverage[-1]["coverage_percent"] < 90 and coverage[-1]["pending_applications"] > 0
        assert max(p["coverage_percent"] for p in provinces) - min(p["coverage_percent"] for p in provinces) > 20
        token = httpx.post(f"{base}/api/auth/token", data={"username": "investigator", "password": DEMO_PASSWORD})
        investigator = {"Authorization": f"Bearer {token.json()['access_token']}"}
        cases = httpx.get(f"{base}/api/linkage/cases", params={"kind": "duplicate"}, headers=investigator).json()
        assert cases["total"] >= 10  # the old office's second registrations, waiting for the investigator
        token = httpx.post(f"{base}/api/auth/token", data={"username": "citizen", "password": DEMO_PASSWORD})
        citizen = {"Authorization": f"Bearer {token.json()['access_token']}"}
        assert httpx.get(f"{base}/api/me/checks", headers=citizen).status_code == 200
        # The paper says where to verify it: the address this demo is served at, not a default.
        issued = httpx.post(
            f"{base}/api/certificates", json={"kind": "extract", "national_code": father}, headers=headers
        ).json()
        pdf = httpx.post(f"{base}/api/certificates/{issued['serial']}/print", headers=headers).content
        assert base.removeprefix("http://") in pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()


def readme_blocks() -> list[str]:
    """The README's shell blocks after the Quick start's, in the order a reader meets them."""
    blocks = re.findall(r"^```sh\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)
    assert blocks[0].startswith("make demo")
    return blocks[1:]


def as_a_test_runs_it(block: str, port: int) -> str:
    for written, instead in IN_PLACE_OF.items():
        block = block.replace(written, instead)
    return block.replace("localhost:8000", f"localhost:{port}")


# Before the README's commands: stop at the first that fails, and make curl fail on an error status (it
# prints the problem and exits 22) where a reader would see the problem on the screen.
PREAMBLE = """set -eEuo pipefail
trap 'echo "README command failed: $BASH_COMMAND" >&2' ERR
curl() { command curl --fail-with-body "$@"; }
"""


def test_every_command_in_the_readme_runs_as_written(seeded: Path, tmp_path: Path):
    copy_of(seeded, tmp_path)
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "bin").symlink_to(SABT.parent)
    port = free_port()
    script = PREAMBLE + "\n".join(as_a_test_runs_it(block, port) for block in readme_blocks())
    with served(tmp_path / "var" / "demo", port):
        run = subprocess.run(
            ["bash", "-c", script],
            cwd=tmp_path,
            env=without_settings() | {"SABT_NEW_PASSWORD": f"{DEMO_PASSWORD}-readme"},  # not asked for
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # no terminal: nothing waits for an answer
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert (tmp_path / "birth.pdf").read_bytes().startswith(b"%PDF")
    assert '"genuine"' in run.stdout  # the bank's check of the printed certificate
