"""The Merkle tree over a checkpoint's leaves: RFC 9162's (Certificate Transparency 2.0).

Why a tree and not one hash over the list: the signed root commits to every leaf, and a
standard inclusion proof (RFC 9162, section 2.1.3) can later show one case's head to
someone who holds only the signed checkpoint head, without the other cases. Leaves and
nodes are hashed with distinct prefixes (0x00, 0x01), so no leaf can pose as a node.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def leaf_hash(leaf: bytes) -> bytes:
    """SHA-256(0x00 || leaf)."""
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def root(leaves: Sequence[bytes]) -> str:
    """The tree head of ``leaves`` in order, as lowercase hex (SHA-256 of nothing if empty).

    Computed level by level, pairing left to right and carrying a last unpaired node up
    unchanged: the same value as RFC 9162's recursive definition (split at the largest
    power of two below n), in 2n hashes and no recursion.
    """
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    level = [leaf_hash(leaf) for leaf in leaves]
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()
