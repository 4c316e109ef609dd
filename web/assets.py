"""Static files: compressed, cached for a year under names that carry their content hash.

Templates link assets through ``asset_url('vendor/mermaid-….min.js')``, which answers
``/static/vendor/mermaid-….min.<hash>.js``: a browser may keep that for a year
(``Cache-Control: public, max-age=31536000, immutable``) because a changed file gets a
new name. The plain name still works, cached briefly (60 s), for links from outside.

WhiteNoise serves both, choosing the brotli or gzip copy the browser accepts. Outside
Django it cannot make hashed names or compressed copies itself, so :func:`prepare` does:
it copies each file under its hashed name into a cache folder (``static_cache_dir``,
by default ``instance/static``) with ``.br`` and ``.gz`` beside it, once per content
(the folder is content-addressed; a ``manifest.<digest>.json`` marks a finished set),
writing each file atomically so processes that prepare at once never read half a file.
``inkubators serve`` prepares before the workers start (under a second, the first time).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import brotli
from flask import Flask, current_app, request
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor
from whitenoise.string_utils import decode_path_info

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

STATIC_ROOT = Path(__file__).resolve().parent / "static"
PREFIX = "/static/"
YEAR = 365 * 24 * 60 * 60
IMMUTABLE = f"public, max-age={YEAR}, immutable"
PLAIN_MAX_AGE = 60
#: The route label of a file served here (Flask's own static rule reads the same).
STATIC_ROUTE = "/static/<path:filename>"
#: A compressed copy is kept only when it saves at least this much (WhiteNoise's rule).
WORTHWHILE = 0.95
BROTLI_QUALITY = 9


@dataclass(frozen=True, slots=True)
class Manifest:
    """Each static file's path (``vendor/x.js``) and its hashed name (``vendor/x.<h>.js``)."""

    hashed: dict[str, str]
    #: where the files are served from: the cache folder, or the package when it is unwritable
    root: Path


def hashed_name(rel: str, content: bytes) -> str:
    """``css/app.css`` → ``css/app.<12 hex digits of its SHA-256>.css``."""
    digest = hashlib.sha256(content).hexdigest()[:12]
    stem, dot, ext = rel.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot and "/" not in ext else f"{rel}.{digest}"


def _sources(root: Path) -> list[tuple[str, Path]]:
    return sorted(
        (p.relative_to(root).as_posix(), p)
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple((rel, p.stat().st_size, p.stat().st_mtime_ns) for rel, p in _sources(root))


def prepare(cache_dir: Path, root: Path = STATIC_ROOT) -> Manifest:
    """The hashed names of the files under ``root``, their copies and compressed copies
    written into ``cache_dir`` if not already there (once per process and content)."""
    return _prepare(cache_dir.resolve(), root.resolve(), _fingerprint(root))


@cache
def _prepare(cache_dir: Path, root: Path, _fp: tuple[tuple[str, int, int], ...]) -> Manifest:
    contents = {rel: path.read_bytes() for rel, path in _sources(root)}
    hashed = {rel: hashed_name(rel, data) for rel, data in contents.items()}
    digest = hashlib.sha256(json.dumps(hashed, sort_keys=True).encode()).hexdigest()[:16]
    marker = cache_dir / f"manifest.{digest}.json"
    if marker.exists():
        return Manifest(hashed, cache_dir)
    try:
        compressor = Compressor(quiet=True)
        for rel, data in contents.items():
            _write_variants(cache_dir / hashed[rel], data, compressor.should_compress(rel))
        _atomic_write(marker, json.dumps(hashed, indent=1, sort_keys=True).encode())
    except OSError as exc:
        logger.warning(
            "static files served uncompressed and unhashed: cannot write %s (%s)", cache_dir, exc
        )
        return Manifest({rel: rel for rel in contents}, root)
    logger.info("static files prepared in %s (%d files)", cache_dir, len(hashed))
    return Manifest(hashed, cache_dir)


def _write_variants(target: Path, data: bytes, compress: bool) -> None:
    """The copy under its hashed name, then ``.br`` and ``.gz`` where they save space."""
    if not target.exists():
        _atomic_write(target, data)
    if not compress or not data:
        return
    for suffix, squeeze in ((".br", _brotli), (".gz", _gzip)):
        variant = target.with_name(target.name + suffix)
        if variant.exists():
            continue
        packed = squeeze(data)
        if len(packed) <= WORTHWHILE * len(data):
            _atomic_write(variant, packed)


def _brotli(data: bytes) -> bytes:
    """Quality 9: the diagram script in half a second to 828 kB; the top quality (11) saves
    another 83 kB but takes eight seconds of a start, and gzip alone gives 976 kB."""
    return bytes(brotli.compress(data, quality=BROTLI_QUALITY))


def _gzip(data: bytes) -> bytes:
    """Best compression, no timestamp: the same input always gives the same bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


class StaticFiles(WhiteNoise):
    """WhiteNoise over the manifest: hashed names for a year, plain names for a minute."""

    def __init__(self, app: WSGIApplication, manifest: Manifest) -> None:
        self.immutable_urls = {PREFIX + h for rel, h in manifest.hashed.items() if h != rel}
        super().__init__(
            app,
            max_age=PLAIN_MAX_AGE,
            allow_all_origins=False,
            add_headers_function=_nosniff,
        )
        for rel, hashed in manifest.hashed.items():
            served = str(manifest.root / hashed)
            self.add_file_to_dictionary(PREFIX + hashed, served)
            self.add_file_to_dictionary(PREFIX + rel, served)

    def immutable_file_test(self, path: str, url: str) -> bool:
        """Only a hashed name may be cached for good: its content can never change."""
        return url in self.immutable_urls

    def add_cache_headers(self, headers: Any, path: str, url: str) -> None:
        """A year, spelt as the deployment notes promise, not WhiteNoise's ten."""
        if self.immutable_file_test(path, url):
            headers["Cache-Control"] = IMMUTABLE
        else:
            super().add_cache_headers(headers, path, url)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        """Label the request for the metrics and access log when a file answers it."""
        if decode_path_info(environ.get("PATH_INFO", "")) in self.files:
            environ["inkubators.route"] = STATIC_ROUTE
        return super().__call__(environ, start_response)


def _nosniff(headers: Any, _path: str, _url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"


def init_app(app: Flask, cache_dir: Path) -> None:
    """Serve the static files through WhiteNoise and give templates ``asset_url``."""
    manifest = prepare(cache_dir)
    app.extensions["inkubators_assets"] = manifest
    app.wsgi_app = StaticFiles(app.wsgi_app, manifest)  # type: ignore[method-assign]
    app.add_template_global(asset_url)


def asset_url(name: str) -> str:
    """The URL of a static file under its content-hashed name; a name that is not a static
    file raises, so a misspelt link fails the page's test instead of a browser's fetch."""
    manifest: Manifest = current_app.extensions["inkubators_assets"]
    hashed = manifest.hashed.get(name)
    if hashed is None:
        raise KeyError(f"no static file {name!r} in {STATIC_ROOT}")
    return f"{request.script_root}{PREFIX}{hashed}"
