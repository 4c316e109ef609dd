"""The virus-scan hook every upload passes before it is accepted.

With ``INKUBATORS_CLAMD_SOCKET`` naming clamd's unix socket, each received file is sent
to clamd with its ``INSTREAM`` command (chunks, each prefixed by its length as a 4-byte
big-endian number, ended by a zero length) and refused when clamd reports a signature.
Without it, :class:`NoScanner` accepts every file and says scanning is off (the admin
page shows it). A scanner that cannot be reached refuses the upload: a file is never
accepted unscanned while scanning is configured.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

CHUNK = 64 * 1024
TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Clean, or the signature found."""

    clean: bool
    signature: str = ""


class ScanFailed(Exception):
    """The scanner could not be asked or gave no usable answer."""


class Scanner(Protocol):
    """Decides whether a received file may be kept."""

    @property
    def enabled(self) -> bool:
        """Whether files are really scanned."""
        ...

    def describe(self) -> str:
        """One line for the admin page: what scans, or that nothing does."""
        ...

    def scan(self, path: Path) -> ScanResult:
        """Scan the file at ``path``; ScanFailed if that is not possible."""
        ...


class NoScanner:
    """Scanning is off: every file passes."""

    enabled = False

    def describe(self) -> str:
        return "off (INKUBATORS_CLAMD_SOCKET is not set)"

    def scan(self, path: Path) -> ScanResult:
        return ScanResult(True)


class ClamdScanner:
    """clamd's INSTREAM over its unix socket."""

    enabled = True

    def __init__(self, socket_path: Path, timeout: float = TIMEOUT_S) -> None:
        self.socket_path = socket_path
        self.timeout = timeout

    def describe(self) -> str:
        return f"clamd at {self.socket_path}"

    def scan(self, path: Path) -> ScanResult:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(self.timeout)
                s.connect(str(self.socket_path))
                s.sendall(b"zINSTREAM\0")
                with open(path, "rb") as f:
                    for chunk in iter(lambda: f.read(CHUNK), b""):
                        s.sendall(struct.pack("!L", len(chunk)) + chunk)
                s.sendall(struct.pack("!L", 0))
                reply = _read_reply(s)
        except OSError as exc:
            raise ScanFailed(f"clamd at {self.socket_path}: {exc}") from exc
        return parse_reply(reply)


def _read_reply(s: socket.socket) -> bytes:
    """clamd's answer, up to its NUL terminator (or the end of the connection)."""
    data = b""
    while b"\0" not in data and len(data) < 4096:
        part = s.recv(4096)
        if not part:
            break
        data += part
    return data.split(b"\0", 1)[0]


def parse_reply(reply: bytes) -> ScanResult:
    """``stream: OK`` is clean; ``stream: <signature> FOUND`` is infected; anything else
    (``… ERROR``, e.g. clamd's own size limit) means the file could not be scanned."""
    text = reply.decode("utf-8", "replace").strip()
    _, _, verdict = text.partition(": ")
    if verdict == "OK":
        return ScanResult(True)
    if verdict.endswith(" FOUND"):
        return ScanResult(False, verdict.removesuffix(" FOUND").strip())
    raise ScanFailed(f"clamd could not scan the file: {text or 'no answer'}")


def configured(clamd_socket: Path | None) -> Scanner:
    """The scanner the settings ask for."""
    return ClamdScanner(clamd_socket) if clamd_socket else NoScanner()
