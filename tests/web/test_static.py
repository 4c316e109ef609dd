"""Static files: linked under content-hashed names, cached for a year, sent compressed;
plain names still answer with a short cache; the pages' CSP still holds."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient

from web import CSP
from web.assets import STATIC_ROOT, hashed_name, prepare
from web.ui.dashboard import DIAGRAM_CSP

Client = Callable[[str | None], FlaskClient]
MERMAID = "vendor/mermaid-11.17.2.min.js"
YEAR = "public, max-age=31536000, immutable"


def digest(rel: str) -> str:
    return hashlib.sha256((STATIC_ROOT / rel).read_bytes()).hexdigest()[:12]


def hashed_url(app: Flask, rel: str) -> str:
    return "/static/" + str(app.extensions["inkubators_assets"].hashed[rel])


def test_pages_link_every_asset_by_its_content_hash(client_as: Client) -> None:
    page = client_as("coordinator").get("/").get_data(as_text=True)
    linked = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert sorted(linked) == sorted(
        [
            f"/static/css/app.{digest('css/app.css')}.css",
            f"/static/favicon.{digest('favicon.svg')}.svg",
            f"/static/js/diagram.{digest('js/diagram.js')}.js",
            f"/static/vendor/mermaid-11.17.2.min.{digest(MERMAID)}.js",
        ]
    )


def test_the_diagram_script_goes_out_gzipped_and_cached_for_a_year(app: Flask) -> None:
    original = (STATIC_ROOT / MERMAID).read_bytes()
    resp = app.test_client().get(
        hashed_url(app, MERMAID), headers={"Accept-Encoding": "gzip"}, buffered=True
    )
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == YEAR
    assert resp.headers["Content-Encoding"] == "gzip"
    assert resp.headers["Vary"] == "Accept-Encoding"
    assert resp.mimetype == "text/javascript"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    body = resp.get_data()
    assert len(body) < len(original) / 3
    assert gzip.decompress(body) == original


def test_a_browser_that_takes_brotli_gets_the_smaller_copy(app: Flask) -> None:
    original = (STATIC_ROOT / MERMAID).read_bytes()
    url = hashed_url(app, MERMAID)
    client = app.test_client()
    gz = client.get(url, headers={"Accept-Encoding": "gzip"}, buffered=True)
    br = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"}, buffered=True)
    assert br.headers["Content-Encoding"] == "br"
    assert len(br.get_data()) < len(gz.get_data())
    assert brotli.decompress(br.get_data()) == original
    plain = client.get(url, buffered=True)
    assert "Content-Encoding" not in plain.headers
    assert plain.get_data() == original


def test_plain_names_still_work_with_a_short_cache(app: Flask) -> None:
    resp = app.test_client().get("/static/css/app.css", buffered=True)
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "max-age=60, public"
    assert resp.get_data() == (STATIC_ROOT / "css/app.css").read_bytes()


def test_a_cached_asset_is_not_sent_again(app: Flask) -> None:
    client = app.test_client()
    url = hashed_url(app, "css/app.css")
    etag = client.get(url, buffered=True).headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag}, buffered=True)
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["Cache-Control"] == YEAR


def test_other_pages_keep_the_strict_policy(client_as: Client) -> None:
    assert client_as("coordinator").get("/cases/").headers["Content-Security-Policy"] == CSP


def test_unknown_static_names_are_404(app: Flask) -> None:
    client = app.test_client()
    wrong_hash = "/static/css/app.000000000000.css"
    assert client.get(wrong_hash, buffered=True).status_code == 404
    assert client.get("/static/../pyproject.toml", buffered=True).status_code == 404


def test_the_csp_still_holds_on_the_page_that_loads_the_scripts(client_as: Client) -> None:
    resp = client_as("coordinator").get("/")
    # the dashboard's own policy (mermaid styles its SVG inline), scripts from 'self' only
    assert resp.headers["Content-Security-Policy"] == DIAGRAM_CSP
    assert "script-src 'self';" in DIAGRAM_CSP
    page = resp.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert len(scripts) == 2
    for attrs, inline in scripts:
        assert re.fullmatch(r' src="/static/[^"]+\.[0-9a-f]{12}\.js"', attrs)
        assert inline.strip() == ""


def test_a_changed_file_gets_a_new_name_and_the_old_copy_stays(tmp_path: Path) -> None:
    root, cache = tmp_path / "static", tmp_path / "cache"
    (root / "js").mkdir(parents=True)
    script = root / "js" / "x.js"
    script.write_text("console.log('one');\n" * 200, encoding="utf-8")
    first = prepare(cache, root).hashed["js/x.js"]
    assert first == hashed_name("js/x.js", script.read_bytes())
    assert re.fullmatch(r"js/x\.[0-9a-f]{12}\.js", first)
    assert gzip.decompress((cache / f"{first}.gz").read_bytes()) == script.read_bytes()
    assert brotli.decompress((cache / f"{first}.br").read_bytes()) == script.read_bytes()

    script.write_text("console.log('two');\n" * 200, encoding="utf-8")
    second = prepare(cache, root).hashed["js/x.js"]
    assert second != first
    assert (cache / second).read_bytes() == script.read_bytes()
    assert (cache / first).exists()  # a page still open in a browser may ask for it


def test_tiny_files_are_not_given_compressed_copies_that_save_nothing(tmp_path: Path) -> None:
    root, cache = tmp_path / "static", tmp_path / "cache"
    root.mkdir()
    (root / "a.css").write_text("a{}", encoding="utf-8")
    name = prepare(cache, root).hashed["a.css"]
    assert (cache / name).exists()
    assert not (cache / f"{name}.gz").exists()
    assert not (cache / f"{name}.br").exists()


def test_an_unwritable_cache_falls_back_to_the_plain_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "static"
    root.mkdir()
    (root / "a.css").write_text("a{}", encoding="utf-8")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    manifest = prepare(blocker / "cache", root)
    assert manifest.hashed == {"a.css": "a.css"}
    assert manifest.root == root
    assert "served uncompressed and unhashed" in caplog.text
