import base64
import datetime as dt
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sabt.ledger.note import (
    checkpoint_body,
    open_note,
    parse_verifier_key,
    sign_note,
    verifier_key,
    verify_checkpoint,
)

VECTORS = json.loads((Path(__file__).parent.parent / "vectors" / "signed_note.json").read_text())


def go_signer_key(text: str) -> tuple[str, Ed25519PrivateKey]:
    """golang.org/x/mod/sumdb/note's PRIVATE+KEY+name+id+base64(0x01 ‖ seed)."""
    _, _, name, _, encoded = text.split("+", 4)
    return name, Ed25519PrivateKey.from_private_bytes(base64.b64decode(encoded)[1:])


def test_the_published_verifier_key_parses_with_its_key_id():
    name, tag, _ = parse_verifier_key(VECTORS["verifier_key"])
    assert (name, tag.hex()) == ("PeterNeumann", VECTORS["expected_key_id_hex"])


def test_signing_the_published_body_gives_the_published_note():
    name, key = go_signer_key(VECTORS["signer_key"])
    assert sign_note(VECTORS["body"], name, key.sign, raw(key)) == VECTORS["note_text"]
    assert verifier_key(name, raw(key)) == VECTORS["verifier_key"]


def test_opening_the_published_note():
    assert open_note(VECTORS["note_text"], VECTORS["verifier_key"]) == VECTORS["body"]


def test_a_second_signers_line_is_found():
    other = VECTORS["other_signatures"][0]
    note = VECTORS["note_text"] + other["signature_line"] + "\n"
    assert open_note(note, other["verifier_key"]) == VECTORS["body"]


def test_a_changed_body_or_another_key_fails_closed():
    tampered = VECTORS["note_text"].replace("cryptography", "cryptographx")
    assert open_note(tampered, VECTORS["verifier_key"]) is None
    assert open_note(VECTORS["note_text"], VECTORS["other_signatures"][0]["verifier_key"]) is None
    assert open_note("garbage", VECTORS["verifier_key"]) is None
    assert open_note(VECTORS["note_text"], "not+a+key") is None


def test_a_real_published_checkpoint_verifies():
    example = VECTORS["checkpoint_example_verifiable"]
    checkpoint = verify_checkpoint(example["note_text"], example["verifier_key"])
    assert checkpoint is not None
    assert (checkpoint.origin, checkpoint.size) == (example["origin"], example["tree_size"])
    assert base64.b64encode(checkpoint.root).decode() == example["root_hash_b64"]


def test_our_checkpoints_round_trip_with_their_time():
    key = Ed25519PrivateKey.generate()
    moment = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    note = sign_note(
        checkpoint_body("sabt.test/ledger", 42, bytes(range(32)), moment), "sabt.test/ledger", key.sign, raw(key)
    )
    checkpoint = verify_checkpoint(note, verifier_key("sabt.test/ledger", raw(key)))
    assert checkpoint is not None
    assert (checkpoint.size, checkpoint.root, checkpoint.signed_at) == (42, bytes(range(32)), moment)


def raw(key):
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
