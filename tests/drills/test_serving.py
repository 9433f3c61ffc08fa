"""The production stack serves the pages with their static files: every stylesheet,
script and ES module the public map and the login page load (and every module they
import) answers 200 under its hashed name with a far-future cache, compressed."""

from __future__ import annotations

import re

import pytest
import requests

from .conftest import base_env

pytestmark = pytest.mark.drill

REFS = re.compile(r"""(?:src|href)="(/static/[^"]+)\"""")
IMPORTS = re.compile(r"""(?:import|from)\s*["']([^"']+\.js)["']""")
HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")


def test_pages_and_static_files(cluster, db_copy, drill_dir, stack_factory):
    stack = stack_factory(base_env(cluster, db_copy, drill_dir))
    seen: set[str] = set()
    todo: list[str] = []
    for page in ("/public/", "/accounts/login/", "/public/stats/"):
        r = requests.get(stack.url + page, timeout=30)
        assert r.status_code == 200, page
        assert r.headers["Content-Security-Policy"]
        todo += REFS.findall(r.text)
    assert any(u.endswith(".js") for u in todo)
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        r = requests.get(
            stack.url + url, headers={"Accept-Encoding": "gzip"}, timeout=30
        )
        assert r.status_code == 200, url
        assert HASHED.search(url), f"{url} is not a hashed name"
        assert "immutable" in r.headers["Cache-Control"], url
        if url.endswith((".js", ".css")) and len(r.content) > 1024:
            assert r.headers.get("Content-Encoding") == "gzip", url
        if url.endswith(".js"):
            base = url.rsplit("/", 1)[0]
            for rel in IMPORTS.findall(r.text):
                if rel.startswith("./") or rel.startswith("../"):
                    parts = (base + "/" + rel).split("/")
                    out: list[str] = []
                    for p in parts:
                        if p == "..":
                            out.pop()
                        elif p != ".":
                            out.append(p)
                    todo.append("/".join(out))
    assert len(seen) > 5
