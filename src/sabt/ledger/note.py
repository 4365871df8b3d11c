"""C2SP signed notes and tlog checkpoints, signed with Ed25519. Pure functions, no I/O.

A checkpoint's body is three lines: the log's origin, its size in decimal and its root hash in base64,
followed here by one extension line with the signing time. The note is the body, a blank line, and one
line per signature: an em dash, the key name, and base64(key id ‖ signature). The key id is the first
four bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), 0x01 meaning Ed25519.

Witnesses add C2SP tlog-cosignature/v1 lines: the same form, with type 0x04 in the key id, and a signature
that is an 8-byte big-endian POSIX timestamp followed by Ed25519 over "cosignature/v1\ntime <t>\n" ‖ body.
"""

import base64
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

ED25519 = b"\x01"
COSIGNATURE_V1 = b"\x04"
SIGNATURE_PREFIX = "\u2014 "  # em dash and a space
Sign = Callable[[bytes], bytes]


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    signed_at: dt.datetime | None


def key_id(name: str, public_key: bytes, kind: bytes = ED25519) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + kind + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes, kind: bytes = ED25519) -> str:
    """The verifier key string `name+hexid+base64(type‖key)` that outside witnesses and auditors configure:
    type 0x01 for a log's key, 0x04 for a witness's cosignature key."""
    return f"{name}+{key_id(name, public_key, kind).hex()}+{base64.b64encode(kind + public_key).decode()}"


def parse_verifier_key(text: str, kind: bytes = ED25519) -> tuple[str, bytes, Ed25519PublicKey]:
    name, hex_id, encoded = text.strip().split("+", 2)  # base64 may itself contain "+"
    raw = base64.b64decode(encoded, validate=True)
    if raw[:1] != kind or len(raw) != 33:
        raise ValueError(f"not an Ed25519 verifier key of type {kind.hex()}")
    if key_id(name, raw[1:], kind) != bytes.fromhex(hex_id):
        raise ValueError("the key id does not match the key")
    return name, bytes.fromhex(hex_id), Ed25519PublicKey.from_public_bytes(raw[1:])


def checkpoint_body(origin: str, size: int, root: bytes, signed_at: dt.datetime) -> str:
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\ntime {signed_at.isoformat()}\n"


def sign_note(body: str, name: str, sign: Sign, public_key: bytes) -> str:
    if not body.endswith("\n") or "\n\n" in body:
        raise ValueError("a note body is non-empty lines, each ending in a newline")
    signature = sign(body.encode())
    tag = key_id(name, public_key)
    return f"{body}\n{SIGNATURE_PREFIX}{name} {base64.b64encode(tag + signature).decode()}\n"


def _signature_lines(signatures: str) -> list[tuple[str, bytes]]:
    lines = []
    for line in signatures.splitlines():
        if line.startswith(SIGNATURE_PREFIX):
            signer, _, encoded = line[len(SIGNATURE_PREFIX) :].rpartition(" ")
            lines.append((signer, base64.b64decode(encoded, validate=True)))
    return lines


def open_note(note: str, verifier: str) -> str | None:
    """The body of `note` if it carries a valid signature by `verifier`, else None (fails closed)."""
    try:
        name, tag, key = parse_verifier_key(verifier)
        body, _, signatures = note.partition("\n\n")
        body += "\n"
        for signer, blob in _signature_lines(signatures):
            if signer == name and blob[:4] == tag:
                key.verify(blob[4:], body.encode())
                return body
    except (ValueError, InvalidSignature):
        return None
    return None


def split_note(note: str) -> tuple[str, str]:
    """A note's body (with its final newline) and its signature lines."""
    body, _, signatures = note.partition("\n\n")
    return body + "\n", signatures


def _cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode()


def cosign(body: str, name: str, sign: Sign, public_key: bytes, timestamp: int) -> str:
    """A tlog-cosignature/v1 signature line (ending in a newline) over a checkpoint's body."""
    tag = key_id(name, public_key, COSIGNATURE_V1)
    blob = tag + timestamp.to_bytes(8, "big") + sign(_cosigned_message(body, timestamp))
    return f"{SIGNATURE_PREFIX}{name} {base64.b64encode(blob).decode()}\n"


def cosigned_at(note: str, witness: str) -> int | None:
    """The timestamp of `witness`'s valid cosignature on `note`, or None when it has none (fails closed)."""
    try:
        name, tag, key = parse_verifier_key(witness, COSIGNATURE_V1)
        body, signatures = split_note(note)
        for signer, blob in _signature_lines(signatures):
            if signer == name and blob[:4] == tag and len(blob) == 4 + 8 + 64:
                timestamp = int.from_bytes(blob[4:12], "big")
                key.verify(blob[12:], _cosigned_message(body, timestamp))
                return timestamp
    except (ValueError, InvalidSignature):
        return None
    return None


def parse_checkpoint(body: str) -> Checkpoint:
    lines = body.rstrip("\n").split("\n")
    if len(lines) < 3 or not lines[1].isdigit():
        raise ValueError("not a checkpoint")
    root = base64.b64decode(lines[2], validate=True)
    if len(root) != 32:
        raise ValueError("a checkpoint root is 32 bytes")
    signed_at = None
    for extension in lines[3:]:
        if extension.startswith("time "):
            signed_at = dt.datetime.fromisoformat(extension[5:])
    return Checkpoint(origin=lines[0], size=int(lines[1]), root=root, signed_at=signed_at)


def verify_checkpoint(note: str, verifier: str) -> Checkpoint | None:
    """The checkpoint in `note` if its signature verifies with `verifier`; None otherwise."""
    body = open_note(note, verifier)
    if body is None:
        return None
    try:
        return parse_checkpoint(body)
    except ValueError:
        return None
