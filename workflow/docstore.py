"""Where documents' files are kept: once per content, named by their SHA-256.

:class:`DocumentStore` is the small interface the engine writes and reads through;
:class:`DirectoryStore` keeps files in a directory (by default ``instance/documents``,
``INKUBATORS_DOCUMENTS_DIR`` elsewhere, e.g. a mounted volume). An S3-compatible bucket
fits the same interface (``put`` an object named by its hash from the received file,
``open`` streams it, ``exists``/``sha256_of`` for ``audit verify --documents``); it is not
built in, so the service needs no cloud client.

An upload is first received into a private temporary file in the store's own folder,
chunk by chunk, hashed and counted as it arrives; the moment it passes the size limit it
is refused and the partial file removed, so no upload is ever held in memory and nothing
oversize is kept.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, Protocol

CHUNK = 64 * 1024
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class TooLarge(Exception):
    """The upload passed the size limit (``limit`` bytes) while it was received."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class Received:
    """An upload received into a temporary file: where, its SHA-256 and its size."""

    path: Path
    sha256: str
    size: int


class DocumentStore(Protocol):
    """Content-addressed storage of documents' files."""

    def receive(self, stream: IO[bytes], limit: int) -> Received:
        """Copy ``stream`` into a temporary file, refusing more than ``limit`` bytes."""
        ...

    def put(self, received: Received) -> None:
        """Keep the received file under its hash (once: a known hash is not written again)
        and remove the temporary file."""
        ...

    def discard(self, received: Received) -> None:
        """Remove a received file that is not kept (refused)."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """The stored file for reading; FileNotFoundError if it is gone."""
        ...

    def sha256_of(self, sha256: str) -> str | None:
        """The SHA-256 of what is stored under ``sha256`` now (None: nothing is)."""
        ...


def hash_stream(stream: IO[bytes]) -> str:
    """SHA-256 of a stream, read in chunks."""
    h = hashlib.sha256()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        h.update(chunk)
    return h.hexdigest()


class DirectoryStore:
    """Files in ``root/ab/cd/<sha256>``; temporary files in ``root/.incoming``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where the file with this hash lives (the hash is checked: no path tricks)."""
        if not SHA256.match(sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def receive(self, stream: IO[bytes], limit: int) -> Received:
        incoming = self.root / ".incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=incoming, prefix="upload-")
        path = Path(name)
        h, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in iter(lambda: stream.read(CHUNK), b""):
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(limit)
                    h.update(chunk)
                    out.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return Received(path, h.hexdigest(), size)

    def put(self, received: Received) -> None:
        target = self.path(received.sha256)
        if target.exists():
            received.path.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(received.path, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(received.path, 0o440)
        os.replace(received.path, target)

    def discard(self, received: Received) -> None:
        received.path.unlink(missing_ok=True)

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path(sha256), "rb")

    def sha256_of(self, sha256: str) -> str | None:
        try:
            with self.open(sha256) as f:
                return hash_stream(f)
        except FileNotFoundError:
            return None


def directory_store(documents_dir: Path | None, instance_dir: Path) -> DirectoryStore:
    """The configured directory, or ``documents`` in the instance folder."""
    return DirectoryStore(documents_dir or instance_dir / "documents")
