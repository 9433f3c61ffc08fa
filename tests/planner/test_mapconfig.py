"""The map pages' config: URL templates that resolve, choice labels and field specs from
the models (the JS keeps no copy of them)."""

import json
import re
from pathlib import Path

import pytest
from django.urls import resolve

from layers.models import IdleLand
from planner import mapconfig, services

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = {
    "pk": "12",
    "kind": "idle_land",
    "code": "IL-1",
    "fmt": "csv",
    "layer": "islands",
    "z": "14",
    "x": "1",
    "y": "2",
    "action": "lock",
}


@pytest.mark.parametrize("name", mapconfig.URL_NAMES)
def test_every_url_template_resolves_to_its_view(name):
    template = mapconfig.url_template(name)
    url = re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m.group(1)], template)
    assert "{" not in url
    assert resolve(url).url_name == name


def test_an_unknown_url_name_is_an_error():
    with pytest.raises(KeyError):
        mapconfig.url_template("no-such-url")


def test_choice_labels_are_the_models_choices():
    labels = mapconfig.choice_labels()
    assert labels["idle_land.kind"] == {
        str(v): str(label) for v, label in IdleLand.Kind.choices
    }
    assert labels["amenity_category.tier_minutes"]["15"] == "十五分钟生活圈"


def test_editable_kinds_follow_the_services_fields():
    kinds = {k["kind"]: k for k in mapconfig.editable_kinds()}
    assert list(kinds) == list(mapconfig.EDITABLE)
    for kind, spec in kinds.items():
        assert [f["name"] for f in spec["fields"]] == list(services.KINDS[kind].fields)
    fields = {f["name"]: f for f in kinds["vacant_housing"]["fields"]}
    assert kinds["vacant_housing"]["point"] and not kinds["idle_land"]["point"]
    assert fields["floor_area_m2"] == {
        "name": "floor_area_m2",
        "label": "建筑面积（m²）",
        "required": True,
        "type": "number",
    }
    assert fields["owner_kind"]["type"] == "select"
    amenity = {f["name"]: f for f in kinds["amenity"]["fields"]}
    assert amenity["category"]["choices"] == "categories"
    planning = {f["name"]: f for f in kinds["planning_area"]["fields"]}
    assert planning["notes"]["type"] == "textarea"


@pytest.mark.django_db
def test_the_planner_page_renders_the_config(client, users):
    client.force_login(users["planner_w"])
    html = client.get("/planner/").content.decode()
    raw = re.search(
        r'<script id="map-config" type="application/json">(.*?)</script>', html, re.S
    ).group(1)
    config = json.loads(raw)
    assert config["urls"]["planner-feature"] == "/api/planner/features/{kind}/{code}/"
    assert [k["kind"] for k in config["kinds"]] == list(mapconfig.EDITABLE)
    assert config["district"] == "W" and config["can_run"] is True
    assert [layer["key"] for layer in config["layers"]][:2] == ["districts", "streets"]
    assert '<option value="vacant_housing">闲置公房</option>' in html


def test_the_big_layers_come_as_tiles_the_boundaries_as_geojson():
    entries = {layer.key: mapconfig.layer_entry(layer) for layer in mapconfig.LAYERS}
    assert entries["walk_network"]["tile"] == {
        "source": "/api/planner/tiles/{layer}/{z}/{x}/{y}.mvt",
        "min_zoom": 13,
    }
    assert entries["communities"]["detail"] == "community"
    assert entries["districts"]["tile"] is None and entries["streets"]["tile"] is None
    tiled = {k for k, e in entries.items() if e["tile"]}
    assert tiled == {
        "walk_network",
        "communities",
        "amenities",
        "idle_land",
        "vacant_housing",
    }


@pytest.mark.django_db
def test_the_first_view_is_the_districts_extent(city):
    west, south, east, north = mapconfig.districts_extent()
    # two 3 km squares centred on 121.53E and 121.57E (tests/planner/conftest.py)
    assert 121.51 < west < 121.52 and 121.58 < east < 121.59
    assert south < 29.875 < north


@pytest.mark.django_db
def test_one_overlay_order_names_every_layer_of_the_maps_once():
    """The maps list and draw their overlays in ``OVERLAY_ORDER`` (lib/order.js); the
    layers of the config, the run's and the analyses' are all in it, once, and the tile
    layers paint areas under lines under points (the order is top first)."""
    order = list(mapconfig.OVERLAY_ORDER)
    assert len(order) == len(set(order))
    assert {layer.key for layer in mapconfig.LAYERS} <= set(order)
    assert {"lifecircle", "results", "islands", "blocks", "siting"} <= set(order)
    assert mapconfig.map_config()["overlay_order"] == order
    tiles = [k for k in order if k in {"communities", "results", "idle_land"}]
    lines = [order.index(k) for k in ("walk_network", "islands")]
    points = [order.index(k) for k in ("amenities", "vacant_housing")]
    assert max(points) < min(lines) < max(lines) < min(order.index(k) for k in tiles)
    # the node tests of the paint order use this order
    node = (ROOT / "tests/js/vectortiles.test.mjs").read_text(encoding="utf-8")
    assert json.loads(re.search(r"const ORDER = (\[.*?\]);", node).group(1)) == order
