"""RFC 9162 Merkle tree hashing, proofs and their verification. Pure functions, no I/O.

Leaf hash = SHA-256(0x00 ‖ leaf), node hash = SHA-256(0x01 ‖ left ‖ right); a tree whose size is not a
power of two splits at the largest power of two smaller than its size (RFC 9162 §2.1.1). Proofs are built
from a `SubtreeHashes` function that returns MTH(D[start:end]) for the aligned ranges the recursion asks
for, so storage only needs the hashes of complete subtrees. The verifiers (§2.1.3.2, §2.1.4.2) need nothing
but the proof, the sizes and the roots, and fail closed: they return False on anything malformed.
"""

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

SubtreeHashes = Callable[[int, int], bytes]


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two smaller than `size` (size ≥ 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH of a whole list of leaf hashes, by the definition (for audits and tests)."""
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = split_point(len(hashes))
    return node_hash(root_from_leaf_hashes(hashes[:k]), root_from_leaf_hashes(hashes[k:]))


def complete_subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """Split [start, end) into the aligned complete subtrees (level, index) whose hashes give its MTH,
    left to right. `start` must be aligned to the largest power of two not above end - start."""
    parts: list[tuple[int, int]] = []
    while start < end:
        size = end - start
        level = size.bit_length() - 1 if size & (size - 1) == 0 else split_point(size).bit_length() - 1
        parts.append((level, start >> level))
        start += 1 << level
    return parts


def fold_subtrees(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its complete subtrees (largest first): they combine right to left."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_proof(index: int, size: int, subtree: SubtreeHashes) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    return _path(index, 0, size, subtree)


def _path(index: int, start: int, end: int, subtree: SubtreeHashes) -> list[bytes]:
    if end - start == 1:
        return []
    k = split_point(end - start)
    if index < start + k:
        return [*_path(index, start, start + k, subtree), subtree(start + k, end)]
    return [*_path(index, start + k, end, subtree), subtree(start, start + k)]


def consistency_proof(old_size: int, new_size: int, subtree: SubtreeHashes) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size == new_size:
        return []
    return _subproof(old_size, 0, new_size, True, subtree)


def _subproof(m: int, start: int, end: int, complete: bool, subtree: SubtreeHashes) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if complete else [subtree(start, end)]
    k = split_point(n)
    if m <= k:
        return [*_subproof(m, start, start + k, complete, subtree), subtree(start + k, end)]
    return [*_subproof(m - k, start + k, end, False, subtree), subtree(start, start + k)]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does `proof` show that leaf hash `leaf` is at `index` in the tree with `root`?"""
    if not 0 <= index < size or any(len(item) != HASH_SIZE for item in proof):
        return False
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and result == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of `new_root` an append-only extension of the one of `old_root`?"""
    if not 0 < old_size <= new_size or any(len(item) != HASH_SIZE for item in proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root itself starts the path
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for item in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(item, fr), node_hash(item, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, item)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
