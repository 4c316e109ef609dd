"""A fake clamd on a unix socket for the tests: it speaks the INSTREAM protocol (command,
length-prefixed chunks, a zero length, a NUL-terminated answer) and reports the EICAR
test signature, so the scanner client is tested against the real wire format."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SIGNATURE = "Eicar-Test-Signature"


class _Handler(socketserver.BaseRequestHandler):
    def _exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            part = self.request.recv(n - len(data))
            if not part:
                raise ConnectionError("client went away")
            data += part
        return data

    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += self._exactly(1)
        if command != b"zINSTREAM\0":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        body = b""
        while True:
            (size,) = struct.unpack("!L", self._exactly(4))
            if size == 0:
                break
            body += self._exactly(size)
        server: FakeClamd = self.server  # type: ignore[assignment]
        server.scanned.append(len(body))
        if b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in body:
            self.request.sendall(f"stream: {SIGNATURE} FOUND\0".encode())
        else:
            self.request.sendall(b"stream: OK\0")


class FakeClamd(socketserver.ThreadingUnixStreamServer):
    """The server; ``scanned`` lists the size of every stream it was sent."""

    daemon_threads = True

    def __init__(self, path: Path) -> None:
        super().__init__(str(path), _Handler)
        self.scanned: list[int] = []


@contextmanager
def fake_clamd(path: Path) -> Iterator[FakeClamd]:
    """Serve a fake clamd at ``path`` for the block."""
    server = FakeClamd(path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def refusing_socket(path: Path) -> socket.socket:
    """A bound unix socket that never listens: connecting to it fails."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    return s
