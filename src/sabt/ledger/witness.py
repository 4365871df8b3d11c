"""A witness, as C2SP tlog-witness defines one: it cosigns a log's checkpoint only when it is consistent with
the latest checkpoint of that log it has cosigned before, so a log cannot show two histories.

`sabt witness serve` runs one: its own Ed25519 key (a file), its own SQLite state (the latest cosigned
size and root per log origin), and the logs it trusts (their verifier keys). The check of the old size
and the new state are one SQLite write transaction, committed before the cosignature is returned, so two
concurrent submissions cannot roll the state back.
"""

import base64
import binascii
import datetime as dt
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request, Response

from ..keys import FileKeyStore, Signer
from .merkle import EMPTY_ROOT, verify_consistency
from .note import COSIGNATURE_V1, cosign, open_note, parse_checkpoint, parse_verifier_key, split_note, verifier_key

MAX_PROOF_LINES = 63
MAX_BODY_BYTES = 16 * 1024
SIZE_MEDIA_TYPE = "text/x.tlog.size"


@dataclass(frozen=True)
class Refusal(Exception):
    """An answer other than a cosignature: the status the protocol names and a plain-text reason."""

    status: int
    text: str
    media_type: str = "text/plain"


class Witness:
    def __init__(self, name: str, key: Signer, logs: list[str], state: Path) -> None:
        self.name, self.key, self.state = name, key, state
        self.public = key.public_key()
        self.logs = {parse_verifier_key(log)[0]: log for log in logs}  # origin -> verifier key
        with closing(self._database()) as database:
            database.execute("CREATE TABLE IF NOT EXISTS logs (origin TEXT PRIMARY KEY, size INTEGER, root BLOB)")

    def verifier(self) -> str:
        """The witness's cosignature key as a vkey (type 0x04), for a log's witness list and auditors."""
        return verifier_key(self.name, self.public, COSIGNATURE_V1)

    def _database(self) -> sqlite3.Connection:
        database = sqlite3.connect(self.state, isolation_level=None, timeout=30)
        database.execute("PRAGMA journal_mode=WAL")
        return database

    def add_checkpoint(self, body: bytes, now: dt.datetime) -> str:
        """The cosignature line for a submitted checkpoint, or `Refusal`."""
        old_size, proof, note = _parse_request(body)
        body_text, _ = split_note(note)
        try:
            checkpoint = parse_checkpoint(body_text)
        except ValueError:
            raise Refusal(400, "the checkpoint is malformed") from None
        verifier = self.logs.get(checkpoint.origin)
        if verifier is None:
            raise Refusal(404, f"unknown log origin {checkpoint.origin}")
        if open_note(note, verifier) is None:
            raise Refusal(403, "the checkpoint carries no valid signature by the log's key")
        if old_size > checkpoint.size:
            raise Refusal(400, "the old size is larger than the checkpoint's size")
        if checkpoint.size == 0 and checkpoint.root != EMPTY_ROOT:
            raise Refusal(422, "an empty tree has the empty root")
        database = self._database()
        try:
            database.execute("BEGIN IMMEDIATE")
            row = database.execute("SELECT size, root FROM logs WHERE origin = ?", (checkpoint.origin,)).fetchone()
            size, root = (row[0], row[1]) if row else (0, EMPTY_ROOT)
            if old_size != size:
                raise Refusal(409, f"{size}\n", SIZE_MEDIA_TYPE)
            _check_consistency(old_size, root, checkpoint.size, checkpoint.root, proof)
            database.execute(
                "INSERT INTO logs (origin, size, root) VALUES (?, ?, ?) "
                "ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root",
                (checkpoint.origin, checkpoint.size, checkpoint.root),
            )
            database.execute("COMMIT")
        finally:
            if database.in_transaction:
                database.execute("ROLLBACK")
            database.close()
        return cosign(body_text, self.name, self.key.sign, self.public, int(now.timestamp()))


def _parse_request(body: bytes) -> tuple[int, list[bytes], str]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "the body is not UTF-8") from None
    head, separator, note = text.partition("\n\n")
    lines = head.split("\n")
    if not separator or not lines[0].startswith("old "):
        raise Refusal(400, "the body is an old size line, proof lines, an empty line and a checkpoint")
    size_text = lines[0][4:]
    if not size_text.isascii() or not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise Refusal(400, "the old size is a decimal without leading zeroes")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise Refusal(400, f"at most {MAX_PROOF_LINES} proof lines")
    try:
        proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
    except (binascii.Error, ValueError):
        raise Refusal(400, "a proof line is not base64") from None
    if any(len(item) != 32 for item in proof):
        raise Refusal(400, "a proof line is not a 32-byte hash")
    return int(size_text), proof, note


def _check_consistency(old_size: int, old_root: bytes, size: int, root: bytes, proof: list[bytes]) -> None:
    if old_size == 0:
        if proof:
            raise Refusal(422, "no proof is sent from an empty tree")
        return
    if old_size == size:
        if root != old_root or proof:
            raise Refusal(422, "the same size with another root")
        return
    if not verify_consistency(old_size, size, old_root, root, proof):
        raise Refusal(422, "the consistency proof does not verify")


class WitnessSetupError(ValueError):
    """A witness that cannot start as asked, with the option at fault in the message."""


def load_witness(name: str, key_file: Path, logs: list[str], state: Path) -> Witness:
    """A witness whose key is the file `key_file` (made on first use, 0600)."""
    if not name or "+" in name or any(character.isspace() for character in name):
        raise WitnessSetupError("--name is a key name without spaces or '+', e.g. witness.court.example/w1")
    for log in logs:
        try:
            parse_verifier_key(log)
        except ValueError:
            raise WitnessSetupError(
                f"a --log is not a log's verifier key (name+keyid+base64 key): {log[:80]}"
            ) from None
    key = Signer(FileKeyStore(lambda _label: key_file), "witness")
    try:
        key.public_key()
    except (OSError, ValueError) as error:
        raise WitnessSetupError(f"--key-file {key_file} is not an Ed25519 key this witness can use: {error}") from None
    try:
        return Witness(name, key, logs, state)
    except (OSError, sqlite3.Error) as error:
        raise WitnessSetupError(f"--state {state} cannot be opened as the witness's database: {error}") from None


def witness_app(witness: Witness) -> FastAPI:
    app = FastAPI(title="Sabt witness", openapi_url=None, docs_url=None, redoc_url=None)

    @app.post("/add-checkpoint")
    async def add_checkpoint(request: Request) -> Response:
        body = b""
        async for chunk in request.stream():  # read no more than a checkpoint can be
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return Response("the body is too large\n", status_code=413, media_type="text/plain")
        try:
            line = witness.add_checkpoint(body, dt.datetime.now(dt.UTC))
        except Refusal as refusal:
            text = refusal.text if refusal.text.endswith("\n") else refusal.text + "\n"
            return Response(text, status_code=refusal.status, media_type=refusal.media_type)
        return Response(line, media_type="text/plain")

    return app
