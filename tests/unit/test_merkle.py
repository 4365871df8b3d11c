import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sabt.ledger.merkle import (
    EMPTY_ROOT,
    complete_subtrees,
    consistency_proof,
    fold_subtrees,
    inclusion_proof,
    leaf_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

VECTORS = json.loads((Path(__file__).parent.parent / "vectors" / "rfc9162_merkle.json").read_text())
LEAVES = [leaf_hash(bytes.fromhex(leaf)) for leaf in VECTORS["leaves_hex"]]


def subtrees_of(hashes):
    """MTH(D[start:end]) straight from the definition, as stored nodes would give it."""
    return lambda start, end: root_from_leaf_hashes(hashes[start:end])


def leaves(count: int) -> list[bytes]:
    return [leaf_hash(str(i).encode()) for i in range(count)]


@pytest.mark.parametrize(("size", "root"), sorted(VECTORS["roots_hex"].items()))
def test_published_roots(size, root):
    assert root_from_leaf_hashes(LEAVES[: int(size)]).hex() == root


def test_the_empty_tree_hashes_the_empty_string():
    assert root_from_leaf_hashes([]) == EMPTY_ROOT


@pytest.mark.parametrize("case", VECTORS["inclusion"], ids=lambda c: f"{c['leaf_index']}-of-{c['tree_size']}")
def test_published_inclusion_proofs(case):
    index, size = case["leaf_index"], case["tree_size"]
    proof = inclusion_proof(index, size, subtrees_of(LEAVES))
    assert [p.hex() for p in proof] == case["path_hex"]
    assert verify_inclusion(LEAVES[index], index, size, proof, root_from_leaf_hashes(LEAVES[:size]))


@pytest.mark.parametrize("case", VECTORS["consistency"], ids=lambda c: f"{c['size1']}-to-{c['size2']}")
def test_published_consistency_proofs(case):
    old, new = case["size1"], case["size2"]
    proof = consistency_proof(old, new, subtrees_of(LEAVES))
    assert [p.hex() for p in proof] == case["proof_hex"]
    old_root, new_root = root_from_leaf_hashes(LEAVES[:old]), root_from_leaf_hashes(LEAVES[:new])
    assert verify_consistency(old, new, old_root, new_root, proof)


@given(st.integers(1, 300), st.data())
def test_every_inclusion_proof_verifies_and_a_wrong_one_does_not(size, data):
    hashes = leaves(size)
    index = data.draw(st.integers(0, size - 1))
    root = root_from_leaf_hashes(hashes)
    proof = inclusion_proof(index, size, subtrees_of(hashes))
    assert len(proof) <= max(1, (size - 1).bit_length())
    assert verify_inclusion(hashes[index], index, size, proof, root)
    assert not verify_inclusion(leaf_hash(b"forged"), index, size, proof, root)
    if size > 1:
        assert not verify_inclusion(hashes[index], (index + 1) % size, size, proof, root)
    if proof:
        damaged = [*proof[:-1], bytes(32)]
        assert not verify_inclusion(hashes[index], index, size, damaged, root)


@given(st.integers(1, 300), st.data())
def test_every_consistency_proof_verifies_and_a_rewritten_history_does_not(new, data):
    old = data.draw(st.integers(1, new))
    hashes = leaves(new)
    proof = consistency_proof(old, new, subtrees_of(hashes))
    old_root, new_root = root_from_leaf_hashes(hashes[:old]), root_from_leaf_hashes(hashes)
    assert verify_consistency(old, new, old_root, new_root, proof)
    rewritten = [*hashes[: old - 1], leaf_hash(b"rewritten")]
    if old < new:
        assert not verify_consistency(old, new, root_from_leaf_hashes(rewritten), new_root, proof)


@given(st.integers(1, 1000), st.integers(0, 1000))
def test_complete_subtrees_fold_to_the_root_of_any_aligned_range(size, start_hint):
    hashes = leaves(size)
    assert fold_subtrees(
        [root_from_leaf_hashes(hashes[i << lv : (i + 1) << lv]) for lv, i in complete_subtrees(0, size)]
    ) == root_from_leaf_hashes(hashes)
    levels = [level for level, _ in complete_subtrees(0, size)]
    assert levels == sorted(levels, reverse=True) and len(levels) == bin(size).count("1")


def test_proofs_for_impossible_positions_are_refused():
    with pytest.raises(ValueError, match="not in a tree"):
        inclusion_proof(5, 5, subtrees_of(leaves(5)))
    with pytest.raises(ValueError, match="no consistency proof"):
        consistency_proof(6, 5, subtrees_of(leaves(6)))
    assert not verify_inclusion(LEAVES[0], 0, 0, [], EMPTY_ROOT)
    assert not verify_consistency(3, 8, EMPTY_ROOT, EMPTY_ROOT, [])


@given(st.integers(2, 200), st.data())
def test_any_flipped_bit_in_a_proof_leaf_or_root_fails(size, data):
    hashes = leaves(size)
    index = data.draw(st.integers(0, size - 1))
    old = data.draw(st.integers(1, size - 1))
    root = root_from_leaf_hashes(hashes)
    proof = inclusion_proof(index, size, subtrees_of(hashes))
    consistency = consistency_proof(old, size, subtrees_of(hashes))
    old_root = root_from_leaf_hashes(hashes[:old])
    target = data.draw(st.sampled_from(["leaf", "root", "proof", "consistency", "old_root"]))
    bit = data.draw(st.integers(0, 255))

    def flipped(value: bytes) -> bytes:
        return bytes(byte ^ (1 << (bit % 8)) if i == bit // 8 else byte for i, byte in enumerate(value))

    if target == "leaf":
        assert not verify_inclusion(flipped(hashes[index]), index, size, proof, root)
    elif target == "root":
        assert not verify_inclusion(hashes[index], index, size, proof, flipped(root))
        assert not verify_consistency(old, size, old_root, flipped(root), consistency)
    elif target == "proof" and proof:
        position = data.draw(st.integers(0, len(proof) - 1))
        damaged = [flipped(p) if i == position else p for i, p in enumerate(proof)]
        assert not verify_inclusion(hashes[index], index, size, damaged, root)
    elif target == "consistency" and consistency:
        position = data.draw(st.integers(0, len(consistency) - 1))
        damaged = [flipped(p) if i == position else p for i, p in enumerate(consistency)]
        assert not verify_consistency(old, size, old_root, root, damaged)
    elif target == "old_root":
        assert not verify_consistency(old, size, flipped(old_root), root, consistency)
