"""layers.geojson: Features rendered by PostgreSQL, on real PostGIS."""

import json

import pytest
from django.db.models import Case, TextField, Value, When

from layers import geojson
from layers.models import Community
from tests import factories

pytestmark = pytest.mark.django_db


def _two():
    a = factories.community(code="A", name="甲<小区>", households=120)
    b = factories.community(code="B", name="乙", households=80)
    return a, b


def test_collection_in_4326_with_id_and_the_named_properties_in_order():
    _two()
    fc = json.loads(
        geojson.collection(
            Community.objects.order_by("code"),
            {"name": "name", "households": "households", "district": "district__name"},
            id="code",
            head={"run": 7},
        )
    )
    assert fc["type"] == "FeatureCollection" and fc["run"] == 7
    assert [f["id"] for f in fc["features"]] == ["A", "B"]
    first = fc["features"][0]
    assert list(first["properties"]) == ["name", "households", "district"]
    assert first["properties"]["name"] == "甲<小区>"
    assert first["properties"]["households"] == 120
    lon, lat = first["geometry"]["coordinates"][0][0][0]
    assert 121.3 < lon < 122.0 and 29.6 < lat < 30.1


def test_wide_property_sets_are_chunked_and_keep_their_order():
    _two()
    props = {f"p{i:03d}": Value(i) for i in range(130)}  # > 100 arguments
    [text] = geojson.features(Community.objects.filter(code="A"), props)
    feature = json.loads(text)
    assert list(feature["properties"]) == list(props)
    assert feature["properties"]["p129"] == 129
    assert "id" not in feature


def test_limit_says_truncated_and_features_without_geometry_have_null():
    _two()
    qs = Community.objects.order_by("code")
    fc = json.loads(geojson.collection(qs, {"code": "code"}, limit=1))
    assert fc["truncated"] is True and len(fc["features"]) == 1
    fc = json.loads(geojson.collection(qs, {"code": "code"}, limit=2))
    assert fc["truncated"] is False and len(fc["features"]) == 2
    fc = json.loads(geojson.collection(qs, {"code": "code"}, geom=None))
    assert [f["geometry"] for f in fc["features"]] == [None, None]


def test_jsonb_merge_adds_keys_only_where_a_case_gives_them():
    _two()
    Community.objects.filter(code="A").update(households=0)
    extra = Case(
        When(households=0, then=geojson.properties_expr({"empty": Value(True)})),
        default=Value("{}"),
        output_field=TextField(),
    )
    props = geojson.JsonbMerge(geojson.properties_expr({"code": "code"}), extra)
    fc = json.loads(geojson.collection(Community.objects.order_by("code"), props))
    assert fc["features"][0]["properties"] == {"code": "A", "empty": True}
    assert fc["features"][1]["properties"] == {"code": "B"}


def test_script_json_cannot_close_the_script_element():
    html = geojson.script_json('{"name":"</script><b>&"}', "data")
    assert "</script><b>" not in html
    inner = html.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert json.loads(inner) == {"name": "</script><b>&"}
