"""Sabt as a tlog-witness client: each new checkpoint goes to every configured witness with a consistency
proof from the size that witness last cosigned, and the cosignatures that come back are kept beside the
checkpoint. A witness policy (SABT_WITNESS_QUORUM of the SABT_WITNESSES) decides when a checkpoint counts
as witnessed; `sabt audit verify --witnessed` fails unless the whole log is covered by one.
"""

import base64
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..config import Settings
from ..context import Context
from .errors import WitnessConfig, WitnessQuorum
from .models import Checkpoint, Cosignature
from .note import COSIGNATURE_V1, cosigned_at, parse_verifier_key, split_note
from .schemas import CheckpointOut, ConsistencyOut
from .service import consistency, sign_checkpoint

TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class WitnessEntry:
    name: str
    key: str  # the witness's vkey (type 0x04)
    url: str  # its submission prefix


@dataclass(frozen=True)
class Outcome:
    witness: str
    cosigned: bool
    detail: str


def configured_witnesses(settings: Settings) -> list[WitnessEntry]:
    """SABT_WITNESSES: `vkey=URL` entries separated by spaces; refused whole when one is malformed, names a
    witness twice (it would count twice towards the quorum), or when the quorum asks for more witnesses than
    there are."""
    entries: list[WitnessEntry] = []
    for item in settings.witnesses.split():
        key, separator, url = item.rpartition("=")
        try:
            name, _, _ = parse_verifier_key(key, COSIGNATURE_V1)
        except ValueError:
            raise WitnessConfig(field="SABT_WITNESSES", entry=item[:80]) from None
        if not separator or not url.startswith(("http://", "https://")):
            raise WitnessConfig(field="SABT_WITNESSES", entry=item[:80])
        if any(entry.name == name for entry in entries):
            raise WitnessConfig(field="SABT_WITNESSES", entry=f"{name} twice")
        entries.append(WitnessEntry(name, key, url.rstrip("/")))
    if settings.witness_quorum > len(entries):
        wanted = settings.witness_quorum
        raise WitnessQuorum(field="SABT_WITNESS_QUORUM", quorum=wanted, witnesses=len(entries))
    return entries


def quorum(settings: Settings, witnesses: Sequence[WitnessEntry]) -> int:
    return settings.witness_quorum or len(witnesses)


def sign_and_witness(ctx: Context, *, only_if_grown: bool = False) -> tuple[CheckpointOut | None, list[Outcome]]:
    """Sign a checkpoint and submit it to every witness; a witness that refuses or does not answer is
    reported, never raised: the checkpoint stands, only less witnessed."""
    signed = sign_checkpoint(ctx, only_if_grown=only_if_grown)
    if signed is None:
        return None, []
    witnesses = configured_witnesses(ctx.settings)
    if not witnesses:
        return signed, []
    with httpx.Client(timeout=TIMEOUT_SECONDS) as client:
        return signed, [_submit(ctx, client, witness, signed) for witness in witnesses]


def _submit(ctx: Context, client: httpx.Client, witness: WitnessEntry, signed: CheckpointOut) -> Outcome:
    with ctx.db.snapshot(primary=True) as session:
        old_size = _last_cosigned_size(session, witness.name)
    for _ in range(2):  # a 409 tells the size the witness holds: one more try from there
        if old_size > signed.size:
            return Outcome(witness.name, False, f"the witness holds size {old_size}, beyond this log's {signed.size}")
        try:
            response = client.post(f"{witness.url}/add-checkpoint", content=_request(ctx, old_size, signed))
        except httpx.HTTPError as error:
            return Outcome(witness.name, False, f"no answer: {type(error).__name__}")
        if response.status_code == 409:
            text = response.text.strip()
            if not text.isdigit():
                return Outcome(witness.name, False, "a 409 without the size it holds")
            old_size = int(text)
            continue
        if response.status_code != 200:
            return Outcome(witness.name, False, f"refused ({response.status_code}): {response.text.strip()[:200]}")
        return _keep(ctx, witness, signed, response.text)
    return Outcome(witness.name, False, "the witness's size changed while submitting")


def _request(ctx: Context, old_size: int, signed: CheckpointOut) -> bytes:
    proof: list[str] = []
    if 0 < old_size < signed.size:
        found: ConsistencyOut = consistency(ctx, old_size=old_size, new_size=signed.size)
        proof = [base64.b64encode(bytes.fromhex(item)).decode() for item in found.proof]
    lines = [f"old {old_size}", *proof]
    return ("\n".join(lines) + "\n\n" + signed.note).encode()


def _keep(ctx: Context, witness: WitnessEntry, signed: CheckpointOut, answer: str) -> Outcome:
    body, _ = split_note(signed.note)
    for line in answer.splitlines():
        if cosigned_at(f"{body}\n{line}\n", witness.key) is not None:
            with ctx.db.transaction() as session:
                session.add(
                    Cosignature(checkpoint_id=signed.id, witness=witness.name, line=line, received_at=ctx.now())
                )
            return Outcome(witness.name, True, "cosigned")
    return Outcome(witness.name, False, "answered 200 without a valid cosignature by its key")


def _last_cosigned_size(session: Session, witness: str) -> int:
    size = session.scalar(
        select(func.max(Checkpoint.size))
        .join(Cosignature, Cosignature.checkpoint_id == Checkpoint.id)
        .where(Cosignature.witness == witness)
    )
    return size or 0


def cosigned_notes(session: Session) -> list[str]:
    """Every checkpoint the registry holds with the cosignature lines its witnesses returned."""
    lines: dict[int, list[str]] = {}
    for checkpoint_id, line in session.execute(select(Cosignature.checkpoint_id, Cosignature.line)):
        lines.setdefault(checkpoint_id, []).append(line)
    notes = []
    for row in session.scalars(select(Checkpoint).where(Checkpoint.id.in_(lines)).order_by(Checkpoint.id)):
        notes.append(row.note + "".join(f"{line}\n" for line in lines[row.id]))
    return notes


def witnesses_of(note: str, witnesses: Sequence[WitnessEntry]) -> list[str]:
    """The configured witnesses whose valid cosignature the note carries."""
    return [witness.name for witness in witnesses if cosigned_at(note, witness.key) is not None]
