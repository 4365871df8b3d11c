"""C2SP tlog-witness both ways, with three witness processes on loopback (`sabt witness serve`), one of them
offline: checkpoints cosigned by a quorum, the witness policy in the audit, and a witness refusing a
rewritten history, a stale size, a forged signature and an unknown log."""

import base64
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete

from sabt.ledger import service as ledger
from sabt.ledger.audit import audit
from sabt.ledger.models import Cosignature
from sabt.ledger.note import checkpoint_body, sign_note, verifier_key
from sabt.ledger.witness import load_witness
from sabt.ledger.witnessing import configured_witnesses, sign_and_witness

from ..conftest import _free_port, behind_the_back
from ..registry.factories import BirthDeclaration, birth, register

SABT = [str(Path(sys.executable).with_name("sabt"))]


@pytest.fixture
def witnesses(backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """`vkey=URL` of three witnesses of the test registry's log: two running, the third never started. New
    ones for each test: each test's log starts again from empty, which to a witness is another history."""
    folder = tmp_path_factory.mktemp("witnesses")
    log_key = ledger.public_key(backend.context)
    entries, processes, ports = [], [], []
    for number in (1, 2, 3):
        name, port = f"witness{number}.test/w", _free_port()
        key_file, state = folder / f"{number}.pem", folder / f"{number}.db"
        entries.append(f"{load_witness(name, key_file, [], state).verifier()}=http://127.0.0.1:{port}")
        if number < 3:
            files = ["--name", name, "--key-file", str(key_file), "--state", str(state)]
            command = [*SABT, "witness", "serve", *files, "--log", log_key, "--port", str(port)]
            processes.append(subprocess.Popen(command, stderr=subprocess.PIPE))
            ports.append(port)
    for port in ports:  # started together, awaited together
        _wait_for(port)
    yield entries
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.post(f"http://127.0.0.1:{port}/add-checkpoint", content=b"")
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"the witness on port {port} did not start")


@pytest.fixture
def witnessed_ctx(ctx, witnesses):
    settings = ctx.settings.model_copy(update={"witnesses": " ".join(witnesses), "witness_quorum": 2})
    return replace(ctx, settings=settings)


def _policy(ctx):
    entries = configured_witnesses(ctx.settings)
    return entries, ctx.settings.witness_quorum


def test_checkpoints_are_cosigned_by_the_witnesses_that_answer(witnessed_ctx, staff):
    ctx = witnessed_ctx
    register(ctx, staff, BirthDeclaration(**birth()))
    signed, outcomes = sign_and_witness(ctx)
    assert [outcome.cosigned for outcome in outcomes] == [True, True, False]
    assert "no answer" in outcomes[2].detail
    report = audit(ctx, policy=_policy(ctx))
    assert report.findings == [] and report.witnessed_size == signed.size
    register(ctx, staff, BirthDeclaration(**birth(first_name="نازنین")))
    found = audit(ctx, policy=_policy(ctx)).findings
    assert [finding.problem for finding in found] == ["not_witnessed"]  # the new leaves are not covered yet
    _, outcomes = sign_and_witness(ctx)  # from the size each witness cosigned, with a consistency proof
    assert [outcome.cosigned for outcome in outcomes] == [True, True, False]
    assert audit(ctx, policy=_policy(ctx)).findings == []


def _cosigned_then_forgotten(ctx, staff) -> None:
    """A checkpoint the witnesses cosigned, whose cosignatures are then deleted from the registry."""
    register(ctx, staff, BirthDeclaration(**birth()))
    sign_and_witness(ctx)
    with behind_the_back(ctx) as connection:
        connection.execute(delete(Cosignature))


def test_a_registry_that_forgot_what_was_cosigned_learns_the_size_from_the_409(witnessed_ctx, staff):
    ctx = witnessed_ctx
    _cosigned_then_forgotten(ctx, staff)
    register(ctx, staff, BirthDeclaration(**birth(first_name="نازنین")))
    _, outcomes = sign_and_witness(ctx)
    assert [outcome.cosigned for outcome in outcomes] == [True, True, False]


def test_deleting_the_cosigned_checkpoints_fails_the_witnessed_audit(witnessed_ctx, staff):
    ctx = witnessed_ctx
    _cosigned_then_forgotten(ctx, staff)
    assert [finding.problem for finding in audit(ctx, policy=_policy(ctx)).findings] == ["not_witnessed"]


def _submit(url: str, old_size: int, proof: list[bytes], note: str) -> httpx.Response:
    lines = [f"old {old_size}", *(base64.b64encode(item).decode() for item in proof)]
    return httpx.post(f"{url}/add-checkpoint", content=("\n".join(lines) + "\n\n" + note).encode())


def _forged(ctx, size: int, root: bytes) -> str:
    """A checkpoint signed with the log's own key: what an insider who holds it could make."""
    signer = ledger.ledger_signer(ctx)
    body = checkpoint_body(ctx.settings.ledger_origin, size, root, ctx.now())
    return sign_note(body, ctx.settings.ledger_origin, signer.sign, signer.public_key())


def test_a_witness_refuses_a_rewritten_history_a_stale_size_a_bad_signature_and_an_unknown_log(witnessed_ctx, staff):
    ctx = witnessed_ctx
    register(ctx, staff, BirthDeclaration(**birth()))
    signed, _ = sign_and_witness(ctx)
    url = configured_witnesses(ctx.settings)[0].url
    size = signed.size
    # The same size with another root: a second history.
    assert _submit(url, size, [], _forged(ctx, size, os.urandom(32))).status_code == 422
    # A longer tree whose proof does not lead from the cosigned one.
    assert _submit(url, size, [os.urandom(32)], _forged(ctx, size + 1, os.urandom(32))).status_code == 422
    # A size the witness does not hold: 409 with the size it does.
    stale = _submit(url, 0, [], _forged(ctx, size + 1, os.urandom(32)))
    assert stale.status_code == 409 and stale.text == f"{size}\n"
    assert stale.headers["content-type"].startswith("text/x.tlog.size")
    # A signature that does not verify, and a log the witness does not know.
    body, _, signature = signed.note.partition("\n\n")
    broken = f"{body}\n\n{signature[:-10]}AAAAAAAAA=\n"
    assert _submit(url, size, [], broken).status_code == 403
    other = sign_note(
        checkpoint_body("elsewhere.test/log", 1, os.urandom(32), ctx.now()),
        "elsewhere.test/log",
        ledger.ledger_signer(ctx).sign,
        ledger.ledger_signer(ctx).public_key(),
    )
    assert _submit(url, 0, [], other).status_code == 404
    assert httpx.post(f"{url}/add-checkpoint", content=b"old 01\n\nx").status_code == 400


LOG_KEY = verifier_key("sabt.test/ledger", bytes(range(32)))


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--log", "not-a-key", "verifier key"),
        ("--name", "w+test", "--name"),
        ("--key-file", "{folder}", "--key-file"),
        ("--state", "{folder}/missing/s.db", "--state"),
        ("--port", "99999", "--port"),
    ],
)
def test_the_witness_command_refuses_what_it_cannot_use_by_name(tmp_path: Path, option, value, said):
    given = {
        "--name": "w.test/w",
        "--key-file": str(tmp_path / "k.pem"),
        "--state": str(tmp_path / "s.db"),
        "--log": LOG_KEY,
        "--port": "8199",
    }
    given[option] = value.format(folder=tmp_path)
    arguments = [item for pair in given.items() for item in pair]
    done = subprocess.run([*SABT, "witness", "serve", *arguments], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr
