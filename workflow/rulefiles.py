"""The rules files as the watcher sees them: a cheap fingerprint and a bounded content digest.

The fingerprint (names, mtime, size and inode of both directories and their ``*.yaml``
files) is what every request compares; the digest (the files' bytes, each read at most
one byte past the size limit) decides within the racy window, when a file rewritten in
the same timestamp tick would keep its fingerprint.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from workflow.yamlfiles import MAX_BYTES

# A file whose mtime is this close to the moment it was read may be rewritten within
# the same timestamp tick; until the window passes its content is compared too.
RACY_NS = 2_000_000_000

Fingerprint = tuple[tuple[object, ...], ...]


class RulesFiles:
    """The states and policy directories, observed without parsing anything."""

    def __init__(self, states_dir: Path, policy_dir: Path) -> None:
        self.states_dir = states_dir
        self.policy_dir = policy_dir
        self._dirs = ((states_dir, str(states_dir)), (policy_dir, str(policy_dir)))
        self._listing: dict[str, tuple[tuple[int, int], list[str]]] = {}

    def fingerprint(self) -> Fingerprint:
        """Names, mtime, size and inode of both directories and their files: a few stats."""
        parts: list[tuple[object, ...]] = []
        for d, dname in self._dirs:
            try:
                st = os.stat(dname)
            except OSError:
                parts.append((dname, None))
                continue
            key = (st.st_mtime_ns, st.st_ino)
            cached = self._listing.get(dname)
            if cached is None or cached[0] != key:
                cached = (key, [str(f) for f in sorted(d.glob("*.yaml"))])
                self._listing[dname] = cached
            parts.append((dname, *key))
            for fname in cached[1]:
                try:
                    fs = os.stat(fname)
                except OSError:
                    parts.append((fname, None))
                    continue
                parts.append((fname, fs.st_mtime_ns, fs.st_size, fs.st_ino))
        return tuple(parts)

    def digest(self) -> str:
        """SHA-256 over both directories' file names and bytes (bounded per file)."""
        h = hashlib.sha256()
        for d in (self.states_dir, self.policy_dir):
            for f in sorted(d.glob("*.yaml")):
                h.update(str(f).encode() + b"\0")
                try:  # a FIFO would block and a huge file is refused anyway: bounded
                    if f.is_file():
                        with open(f, "rb") as fh:
                            h.update(fh.read(MAX_BYTES + 1))
                except OSError:
                    h.update(b"\1missing")
                h.update(b"\0")
        return h.hexdigest()
