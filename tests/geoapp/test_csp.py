"""Content-Security-Policy (SECURITY.md F3): every response carries it, scripts only from the
app's files (no 'unsafe-inline'), our pages without any inline script or handler, the
admin's django-leaflet scripts with the response's nonce, tiles from the configured host."""

import json
import os
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from geoapp.csp import content_security_policy, tile_source
from programme.models import Project
from tests.public.conftest import tile_xy
from tests.siting import city

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ---------------------------------------------------------------- the policy itself


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("", None),
        ("/tiles/{z}/{x}/{y}.png", None),  # served by the app: 'self'
        (
            "https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&l={z}&tk=KEY",
            "https://*.tianditu.gov.cn",
        ),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        (
            "http://tiles.example.org:8080/{z}/{x}/{y}.png",
            "http://tiles.example.org:8080",
        ),
    ],
)
def test_tile_source_is_the_tile_urls_origin(url, source):
    assert tile_source(url) == source


@pytest.mark.parametrize(
    "url", ["ftp://tiles.example.org/{z}/{x}/{y}", "https://a.{s}.example.org/{z}"]
)
def test_tile_source_refuses_what_csp_cannot_express(url):
    with pytest.raises(ImproperlyConfigured):
        tile_source(url)


def test_images_from_the_app_only_unless_a_basemap_is_configured():
    assert content_security_policy()["DIRECTIVES"]["img-src"] == ["'self'"]
    img = content_security_policy(tiles_url="https://t{s}.tianditu.gov.cn/{z}/{x}/{y}")[
        "DIRECTIVES"
    ]["img-src"]
    assert img == ["'self'", "https://*.tianditu.gov.cn", "data:"]


def test_settings_take_the_tile_host_from_the_environment():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "geoapp.settings.base",
        "GEOAPP_TILES_URL": "https://t{s}.tianditu.gov.cn/DataServer?x={x}&y={y}&l={z}",
    }
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from django.conf import settings; "
            "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == ["'self'", "https://*.tianditu.gov.cn", "data:"]


# ---------------------------------------------------------------- every response


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


class PageScripts(HTMLParser):
    """What a page runs from its own markup: inline ``<script>`` elements (JSON data blocks
    are not scripts) with their nonce, ``on…=`` handler attributes, ``javascript:`` URLs."""

    DATA = ("application/json", "application/ld+json")

    def __init__(self, html: str):
        super().__init__()
        self.inline: list[str | None] = []  # the nonce of each inline script
        self.handlers: list[str] = []
        self.js_urls: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if (
            tag == "script"
            and "src" not in a
            and (a.get("type") or "") not in self.DATA
        ):
            self.inline.append(a.get("nonce"))
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}>")
            elif name in ("href", "src", "action", "formaction") and (
                (value or "").strip().lower().startswith("javascript:")
            ):
                self.js_urls.append(f"<{tag} {name}={value}>")


def patterns(resolver=None, namespace=""):
    """(qualified URL name, its parameter names) for every pattern but the admin's."""
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from patterns(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", tuple(p.pattern.regex.groupindex)


@pytest.fixture
def site(db, django_user_model, reference_data):
    rows = city.build()
    project = Project.objects.create(
        name="项目", community=rows["A"], district=rows["district"], year=2021
    )
    root = django_user_model.objects.create_superuser("csp-root", "r@x.org", "pw")
    x, y = tile_xy(city.LON0, city.LAT0, 14)
    values = {
        "code": rows["A"].code,
        "pk": project.pk,
        "photo_id": 1,
        "cid": "communities",
        "fid": rows["A"].code,
        "kind": "idle_land",
        "action": "lock",
        "fmt": "csv",
        "layer": "communities",
        "z": 14,
        "x": x,
        "y": y,
        "year": 2028,
    }
    urls = [
        reverse(name, kwargs={k: values[k] for k in params})
        for name, params in patterns()
    ]
    # the admin: every registered model's list, add form, and change form and history
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{info}_changelist"), reverse(f"{info}_add")]
        obj = model.objects.first()
        if obj is not None:
            urls += [
                reverse(f"{info}_change", args=[obj.pk]),
                reverse(f"{info}_history", args=[obj.pk]),
            ]
    urls += [reverse("admin:index"), "/no-such-page/"]
    return {"root": root, "urls": urls, "rows": rows}


def check_policy(resp, url):
    header = resp.get("Content-Security-Policy")
    assert header, f"{url}: no Content-Security-Policy"
    csp = directives(header)
    script = csp["script-src"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, url
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"], url
    assert csp["base-uri"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"], url
    assert csp["connect-src"] == ["'self'"], url
    assert "'unsafe-inline'" not in csp["style-src"] + csp["style-src-attr"], url
    return csp


def test_every_response_carries_the_policy_and_pages_run_no_inline_script(client, site):
    html_pages = set()
    for who in ("anonymous", "administrator"):
        if who == "administrator":
            client.force_login(site["root"])
        for url in site["urls"]:
            resp = client.get(url)
            csp = check_policy(resp, url)
            if not resp.get("Content-Type", "").startswith("text/html"):
                continue
            html_pages.add(url)
            page = PageScripts(resp.content.decode())
            assert page.handlers == [] and page.js_urls == [], (url, page.handlers)
            nonces = [f"'nonce-{n}'" for n in page.inline]
            if url.startswith(reverse("admin:index")):
                # django-leaflet's widget scripts, allowed by this response's nonce only
                assert all(n in csp["script-src"] for n in nonces), (url, nonces)
            else:
                assert page.inline == [], f"{url}: inline script"
                assert not any(v.startswith("'nonce-") for v in csp["script-src"]), url
    for name, args in [
        ("home", []),
        ("planner", []),
        ("public-map", []),
        ("public-stats-page", []),
        ("programme-community-card", [site["rows"]["A"].code]),
        ("login", []),
        ("layers:import", []),
        ("admin:layers_community_change", [site["rows"]["A"].pk]),
    ]:
        assert reverse(name, args=args) in html_pages, name
    print(f"{len(site['urls'])} URLs, {len(html_pages)} HTML pages checked")


def test_admin_map_widget_scripts_have_the_nonce(client, site):
    client.force_login(site["root"])
    resp = client.get(
        reverse("admin:layers_community_change", args=[site["rows"]["A"].pk])
    )
    page = PageScripts(resp.content.decode())
    assert len(page.inline) >= 2  # the widget's field script and its map
    nonce = page.inline[0]
    assert nonce and set(page.inline) == {nonce}
    assert (
        f"'nonce-{nonce}'" in directives(resp["Content-Security-Policy"])["script-src"]
    )
