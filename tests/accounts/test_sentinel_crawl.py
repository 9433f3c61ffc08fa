"""Nothing private reaches an anonymous visitor (issue: one access policy).

An anonymous crawl over EVERY URL pattern (with real ids and codes of both districts of
the seeded city) and over the public formats (GeoJSON at several zooms and boxes,
search, OGC API items, the public map's tiles at six zooms, photos, funding cards of a public and a
draft project) finds none of the seeded private values — idle-land owners, fund
balances, the budget of draft works, usernames, notes, votes below the publication
threshold — and no JSON key outside the endpoint's public allowlist.
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from layers.api.serializers import AmenityCategorySerializer
from public import selectors, tiles
from tests.public.conftest import decode_mvt, tile_xy
from voice.selectors import ITEM_FIELDS as VOICE_ITEM_FIELDS
from voice.selectors import TOPIC_FIELDS as VOICE_TOPIC_FIELDS

from .city import PRIVATE_KEYS, SENTINELS, VOICE_REPLY, url_args
from .test_policy import url_patterns

pytestmark = pytest.mark.django_db

GEOJSON = {"type", "features", "geometry", "coordinates", "properties", "id", "bbox"}
OGC = {
    "links",
    "href",
    "rel",
    "title",
    "type",
    "description",
    "conformsTo",
    "collections",
    "id",
    "extent",
    "spatial",
    "bbox",
    "crs",
    "itemType",
    "numberMatched",
    "numberReturned",
}
COMMUNITY = set(selectors.COMMUNITY_FIELDS)
CARD = (
    COMMUNITY
    | {"history", "photos", "coverage", "works", "votes", "url"}
    | set(selectors.HISTORY_FIELDS)
    | set(selectors.PHOTO_FIELDS)
    | set(selectors.COVERAGE_FIELDS)
    | set(selectors.VOTE_FIELDS)
    | {"before", "after", "3", "5", "10", "15", "basic", "improvement", "enhancement"}
    # the date the works started (the first stage change to 施工中 or later, which the
    # public stage history already shows): what 改造前 is dated against
    | {"started"}
)
STATS = set(selectors.STATS_FIELDS) | {
    "city",
    "code",
    "name",
    "definitions",
    "districts",
    "period",
    "from",
    "to",
}
FUNDING = {
    "project_id",
    "project_name",
    "district_is_central",
    "rates_version",
    "items",
    "figures",
    "totals",
    "code",
    "name_zh",
    "category",
    "special_item",
    "label",
    "amount_yuan",
    "base_yuan",
    "clause",
    "rule",
    "rule_id",
    "basis",
    "reasons",
    "text_zh",
    "text_en",
    "shares",
    "government",
    "owners",
    "utilities",
    "social_capital",
    "total_yuan",
    "city_subsidy_yuan",
    "city_subsidy_base_yuan",
    "city_subsidy_eligible",
    "city_subsidy_provisional",
    "district_net_yuan",
}
FUNDING_MIX = {
    "sources",
    "groups",
    "rows",
    "city",
    "definition",
    "district_code",
    "district_name",
    "year",
    "total_yuan",
    "by_source",
    "by_group",
    *selectors.FUNDING_MIX_KEYS,
}
#: per URL name: the JSON keys its public answer may carry
ALLOWED: dict[str, set[str]] = {
    "public-communities": GEOJSON | COMMUNITY,
    "public-community": CARD,
    "public-districts": GEOJSON | set(selectors.DISTRICT_FIELDS),
    "public-district-list": set(selectors.DISTRICT_FIELDS),
    "public-search": {"code", "name", "district_name", "stage", "lon", "lat"},
    "public-stats": STATS,
    "public-funding-mix": FUNDING_MIX,
    # the load balancer's view: check names and statuses, never a figure
    "health": {"status", "checks", "database", "queue", "worker", "disk"},
    "ogc-landing": OGC,
    "ogc-conformance": OGC,
    "ogc-collections": OGC,
    "ogc-collection": OGC,
    "ogc-items": OGC | GEOJSON | COMMUNITY | set(selectors.DISTRICT_FIELDS),
    "ogc-item": OGC | GEOJSON | COMMUNITY | set(selectors.DISTRICT_FIELDS),
    "programme-funding": FUNDING,
    "layer-categories": set(AmenityCategorySerializer.Meta.fields),
    # residents' voice: counts by topic and the published replies, never the contact
    "public-voice": {"community", "topics", "items"}
    | set(VOICE_TOPIC_FIELDS)
    | set(VOICE_ITEM_FIELDS),
}


def json_keys(value, acc: set[str]) -> set[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            acc.add(str(k))
            json_keys(v, acc)
    elif isinstance(value, list):
        for v in value:
            json_keys(v, acc)
    return acc


def _urls(city) -> list[tuple[str, str]]:
    """(URL name, URL) of every pattern with district A's objects, then B's, then the
    public formats."""
    args_a = url_args(city)
    b = {
        "code": city["B2"].code,
        "pk": city["project_B1"].pk,
        "fid": city["B2"].code,
    }
    out = []
    for name, _p in url_patterns():
        if name.startswith("admin:"):
            continue
        kw = args_a.get(name, {})
        out.append((name, reverse(name, kwargs=kw)))
        kw_b = {k: b.get(k, v) for k, v in kw.items()}
        if kw_b != kw:
            out.append((name, reverse(name, kwargs=kw_b)))
    q = city["A1"].name[:2]
    out += [
        ("public-search", f"/api/public/search/?q={q}"),
        ("public-search", f"/api/public/search/?q={city['B2'].code}"),
        ("public-communities", "/api/public/communities.geojson?zoom=18"),
        (
            "public-communities",
            "/api/public/communities.geojson?zoom=8&bbox=121,29,122.3,30.4",
        ),
        ("ogc-items", "/public/ogc/collections/communities/items?limit=1000"),
        ("ogc-items", "/public/ogc/collections/districts/items"),
        ("ogc-item", f"/public/ogc/collections/districts/items/{city['b'].code}"),
        ("admin:index", "/" + settings.ADMIN_URL),
    ]
    # every download format, anonymously (all internal: refused)
    lc, sr = city["lifecircle"].pk, city["siting"].pk
    for fmt in ("geojson", "gpkg", "shp", "csv", "xlsx"):
        for layer in ("community", "idle_land", "vacant_housing", "amenity"):
            out.append(("layers:export", reverse("layers:export", args=[layer, fmt])))
    for fmt in ("csv", "geojson", "gpkg", "xlsx"):
        out.append(("lifecircle-export", reverse("lifecircle-export", args=[lc, fmt])))
    for fmt in ("geojson", "gpkg", "xlsx", "csv"):
        out.append(
            ("siting-export", reverse("siting-export", kwargs={"pk": sr, "fmt": fmt}))
        )
    bundling = city["bundling"].pk
    for fmt in ("csv", "xlsx", "geojson", "gpkg"):
        out.append(
            ("blocks-run-export", reverse("blocks-run-export", args=[bundling, fmt]))
        )
    out.append(("schema", reverse("schema") + "?format=json"))
    # the public map's tiles from its first zoom with communities (9) to street zoom
    for z in (9, 10, 12, 14, 16, 18):
        x, y = tile_xy(121.555, 29.875, z)
        out.append(("public-tile", f"/api/public/tiles/{z}/{x}/{y}.mvt"))
    return out


def test_no_private_value_reaches_an_anonymous_visitor(city):
    client = Client(raise_request_exception=False)
    public_200 = 0
    for name, url in _urls(city):
        resp = client.get(url)
        body = b"".join(resp.streaming_content) if resp.streaming else resp.content
        for s in SENTINELS:
            assert s.encode() not in body, f"{s} leaked by {url}"
        ctype = resp.get("Content-Type", "")
        if resp.status_code == 200 and "json" in ctype:
            keys = json_keys(json.loads(body), set())
            assert not keys & set(PRIVATE_KEYS), (url, keys & set(PRIVATE_KEYS))
            assert name in ALLOWED, f"{url}: a public JSON answer without an allowlist"
            assert keys <= ALLOWED[name], (url, sorted(keys - ALLOWED[name]))
            public_200 += 1
        if name == "public-tile" and resp.status_code == 200:
            for layer, info in decode_mvt(body).items():
                assert set(info["keys"]) <= set(tiles.TILE_LAYER_FIELDS[layer]), url
        if name == "public-basemap-tile" and resp.status_code == 200:
            for layer, info in decode_mvt(body).items():
                assert layer == "basemap", url
                assert set(info["keys"]) <= set(tiles.BASEMAP_FIELDS), url
        if resp.status_code == 200 and name not in ALLOWED:
            assert name in {
                "public-tile",
                "public-basemap-tile",
                "public-map",
                "public-stats-page",
                "public-photo",
                "programme-project-card",
                "login",
                "javascript-catalog",
            }, f"anonymous 200 from a non-public URL: {url}"
    assert public_200 >= 20
    # the crawl read the published voice of A1 (a contact and the pending and rejected
    # texts on the same community carry the sentinel)
    voice = client.get(reverse("public-voice", args=[city["A1"].code])).json()
    assert [i["reply"] for i in voice["items"]] == [VOICE_REPLY]


def test_draft_budgets_and_small_votes_stay_private(city):
    client = Client()
    draft = client.get(reverse("programme-funding", args=[city["project_B1"].pk]))
    assert draft.status_code == 404
    card = client.get(reverse("programme-project-card", args=[city["project_B1"].pk]))
    assert card.status_code == 404
    public = client.get(reverse("programme-funding", args=[city["project_A1"].pk]))
    assert public.status_code == 200
    votes = client.get(reverse("public-community", args=[city["A1"].code])).json()[
        "votes"
    ]
    assert votes and all("consent_ratio" not in v for v in votes)  # 5 owners < 10
