"""Receiving an upload: throughput and the memory it holds, by size.

Run: ``.venv/bin/python benchmarks/documents.py [--mb 1 5 20] [--rounds 3]``.

What the upload service does with a file before its database row is written, on a real
file on disk: ``DirectoryStore.receive`` (64 KiB chunks into a temporary file, hashed and
counted as they arrive), ``filetypes.detect`` and ``DirectoryStore.put`` (fsync, rename
into its content address), plus the refusal of a file one chunk over the policy's limit
(the stream is read up to the limit and the partial file removed). Memory is
tracemalloc's peak during the receive: it must stay near one chunk whatever the size
(the file is never held in memory). Prints one line per size, then the refusal.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from workflow import filetypes
from workflow.docstore import CHUNK, DirectoryStore, TooLarge


def _sample(path: Path, mb: int) -> None:
    """A PDF-signed file of ``mb`` MB of varied bytes (not all zeros)."""
    block = bytes(range(256)) * (CHUNK // 256)
    with open(path, "wb") as f:
        f.write(b"%PDF-1.7\n")
        left = mb * 1_000_000
        while left > 0:
            f.write(block[: min(left, len(block))])
            left -= len(block)


def _one(store: DirectoryStore, source: Path, limit: int) -> tuple[float, int]:
    """Seconds for receive + detect + put, and the receive's peak traced memory."""
    tracemalloc.start()
    t0 = time.perf_counter()
    with open(source, "rb") as f:
        received = store.receive(f, limit)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert filetypes.detect(received.path) is filetypes.PDF
    store.put(received)
    elapsed = time.perf_counter() - t0
    store.path(received.sha256).unlink()  # the next round writes it again
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    limit = 20_000_000 + 64 * 1024
    with tempfile.TemporaryDirectory(prefix="ink-docs-bench-") as d:
        root = Path(d)
        store = DirectoryStore(root / "store")
        for mb in args.mb:
            source = root / f"sample-{mb}.pdf"
            _sample(source, mb)
            runs = [_one(store, source, max(limit, mb * 1_000_000 + 1)) for _ in range(args.rounds)]
            secs = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            print(
                f"{mb:>4} MB: {secs * 1000:7.1f} ms median of {args.rounds} "
                f"({mb / secs:6.1f} MB/s), receive peak memory {peak / 1024:6.1f} KiB"
            )
        over = io.BytesIO(b"%PDF-" + b"0" * (20_000_000 + CHUNK))
        t0 = time.perf_counter()
        try:
            store.receive(over, 20_000_000)
        except TooLarge:
            pass
        leftover = [p for p in (root / "store").rglob("*") if p.is_file()]
        print(
            f"oversize (20 MB + 64 KiB): refused after reading {over.tell() / 1e6:.1f} MB in "
            f"{(time.perf_counter() - t0) * 1000:.0f} ms; files left: {len(leftover)}"
        )


if __name__ == "__main__":
    main()
