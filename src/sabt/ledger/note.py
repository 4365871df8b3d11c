"""C2SP signed notes and tlog checkpoints, signed with Ed25519. Pure functions, no I/O.

A checkpoint's body is three lines: the log's origin, its size in decimal and its root hash in base64,
followed here by one extension line with the signing time. The note is the body, a blank line, and one
line per signature: an em dash, the key name, and base64(key id ‖ signature). The key id is the first
four bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), 0x01 meaning Ed25519.
"""

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = b"\x01"
SIGNATURE_PREFIX = "\u2014 "  # em dash and a space


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    signed_at: dt.datetime | None


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def verifier_key(name: str, key: Ed25519PublicKey) -> str:
    """The verifier key string `name+hexid+base64(0x01‖key)` that outside witnesses configure."""
    raw = raw_public_key(key)
    return f"{name}+{key_id(name, raw).hex()}+{base64.b64encode(ED25519 + raw).decode()}"


def parse_verifier_key(text: str) -> tuple[str, bytes, Ed25519PublicKey]:
    name, hex_id, encoded = text.strip().split("+", 2)  # base64 may itself contain "+"
    raw = base64.b64decode(encoded, validate=True)
    if raw[:1] != ED25519 or len(raw) != 33:
        raise ValueError("not an Ed25519 verifier key")
    if key_id(name, raw[1:]) != bytes.fromhex(hex_id):
        raise ValueError("the key id does not match the key")
    return name, bytes.fromhex(hex_id), Ed25519PublicKey.from_public_bytes(raw[1:])


def checkpoint_body(origin: str, size: int, root: bytes, signed_at: dt.datetime) -> str:
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\ntime {signed_at.isoformat()}\n"


def sign_note(body: str, name: str, key: Ed25519PrivateKey) -> str:
    if not body.endswith("\n") or "\n\n" in body:
        raise ValueError("a note body is non-empty lines, each ending in a newline")
    signature = key.sign(body.encode())
    tag = key_id(name, raw_public_key(key.public_key()))
    return f"{body}\n{SIGNATURE_PREFIX}{name} {base64.b64encode(tag + signature).decode()}\n"


def open_note(note: str, verifier: str) -> str | None:
    """The body of `note` if it carries a valid signature by `verifier`, else None (fails closed)."""
    try:
        name, tag, key = parse_verifier_key(verifier)
        body, _, signatures = note.partition("\n\n")
        body += "\n"
        for line in signatures.splitlines():
            if not line.startswith(SIGNATURE_PREFIX):
                continue
            signer, _, encoded = line[len(SIGNATURE_PREFIX) :].rpartition(" ")
            blob = base64.b64decode(encoded, validate=True)
            if signer == name and blob[:4] == tag:
                key.verify(blob[4:], body.encode())
                return body
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
