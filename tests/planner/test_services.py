"""Editing services: permissions by role and district, versions, validation, history, undo."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from layers.models import IdleLand
from planner import services
from planner.models import PlanningArea
from tests import factories

from .conftest import polygon_geojson

pytestmark = pytest.mark.django_db

WEST = (121.53, 29.875)
EAST = (121.57, 29.875)


def test_district_planner_creates_in_own_district_only(users):
    out = services.feature_create(
        kind="planning_area",
        data={"name": "月湖片区"},
        geometry=polygon_geojson(*WEST),
        user=users["planner_w"],
    )
    assert out.obj.version == 1 and out.obj.geom.geom_type == "MultiPolygon"
    with pytest.raises(PermissionDenied):
        services.feature_create(
            kind="planning_area",
            data={"name": "越界"},
            geometry=polygon_geojson(*EAST),
            user=users["planner_w"],
        )
    assert PlanningArea.objects.count() == 1


@pytest.mark.parametrize("who", ["staff_w", "viewer"])
def test_street_staff_and_viewers_cannot_draw(users, who):
    with pytest.raises(PermissionDenied):
        services.feature_create(
            kind="idle_land",
            data={"kind": "corner"},
            geometry=polygon_geojson(*WEST),
            user=users[who],
        )
    assert IdleLand.objects.count() == 0


def test_street_staff_edit_their_streets_community_attributes(users, city):
    mine = factories.community(street=city["sw"])
    theirs = factories.community(street=city["se"])
    services.feature_update(
        kind="community",
        code=mine.code,
        version=1,
        data={"households": 512},
        user=users["staff_w"],
    )
    mine.refresh_from_db()
    assert (mine.households, mine.version) == (512, 2)
    with pytest.raises(PermissionDenied):
        services.feature_update(
            kind="community",
            code=theirs.code,
            version=1,
            data={"households": 1},
            user=users["staff_w"],
        )
    with pytest.raises(PermissionDenied):  # geometry edits need a planner
        services.feature_update(
            kind="community",
            code=mine.code,
            version=2,
            data={},
            geometry=polygon_geojson(*WEST),
            user=users["staff_w"],
        )


def test_stale_save_is_refused_and_changes_nothing(users):
    area = services.feature_create(
        kind="planning_area",
        data={"name": "A"},
        geometry=polygon_geojson(*WEST),
        user=users["admin"],
    ).obj
    services.feature_update(
        kind="planning_area",
        code=area.code,
        version=1,
        data={"name": "B"},
        user=users["planner_w"],
    )
    with pytest.raises(services.Conflict) as err:
        services.feature_update(
            kind="planning_area",
            code=area.code,
            version=1,
            data={"name": "C"},
            user=users["admin"],
        )
    assert err.value.current.version == 2
    area.refresh_from_db()
    assert (area.name, area.version) == ("B", 2)


def test_field_errors_name_the_field_and_store_nothing(users):
    with pytest.raises(ValidationError) as err:
        services.feature_create(
            kind="idle_land",
            data={"kind": "castle", "consent": "maybe"},
            geometry=polygon_geojson(*WEST),
            user=users["admin"],
        )
    assert {"kind", "consent"} <= set(err.value.message_dict)
    with pytest.raises(ValidationError) as err:
        services.feature_create(
            kind="idle_land",
            data={"kind": "corner", "secret": 1},
            geometry=polygon_geojson(*WEST),
            user=users["admin"],
        )
    assert "secret" in err.value.message_dict
    assert IdleLand.objects.count() == 0


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [121.53, 29.87],
                        [121.54, 29.88],
                        [121.54, 29.87],
                        [121.53, 29.88],
                        [121.53, 29.87],
                    ]
                ],
            },
            "Self-intersection",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[10, 50], [10.1, 50], [10.1, 50.1], [10, 50]]],
            },
            "超出城市范围",
        ),
        ({"type": "Point", "coordinates": [121.53, 29.87]}, "几何类型"),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [float("nan"), 29.87],
                        [121.54, 29.88],
                        [121.54, 29.87],
                        [121.53, 29.87],
                    ]
                ],
            },
            "NaN",
        ),
        ({"type": "Polygon", "coordinates": [[[[[[[[121.5, 29.8]]]]]]]]}, "嵌套过深"),
        ("POLYGON((0 0))", "GeoJSON"),
    ],
)
def test_bad_geometry_is_refused_with_reason(users, geometry, message):
    with pytest.raises(ValidationError) as err:
        services.feature_create(
            kind="idle_land",
            data={"kind": "corner"},
            geometry=geometry,
            user=users["admin"],
        )
    assert message in " ".join(err.value.message_dict["geometry"])
    assert IdleLand.objects.count() == 0


def test_snapping_and_overlap_warning(users):
    first = services.feature_create(
        kind="idle_land",
        data={"kind": "corner", "name": "一号"},
        geometry=polygon_geojson(*WEST),
        user=users["admin"],
    )
    # a second plot drawn 1 m-ish off the first one's east edge, overlapping its half
    lon, lat = WEST
    second = services.feature_create(
        kind="idle_land",
        data={"kind": "corner", "name": "二号"},
        geometry=polygon_geojson(lon + 0.0005, lat),
        user=users["admin"],
    )
    assert any("重叠" in w and "一号" in w for w in second.warnings)
    assert first.obj.pk != second.obj.pk


def test_history_and_undo_including_delete(users):
    area = services.feature_create(
        kind="planning_area",
        data={"name": "甲"},
        geometry=polygon_geojson(*WEST),
        user=users["admin"],
    ).obj
    services.feature_update(
        kind="planning_area",
        code=area.code,
        version=1,
        data={"name": "乙"},
        user=users["planner_w"],
    )
    history = services.feature_history(kind="planning_area", code=area.code)
    assert [h["what"] for h in history] == ["已修改", "已创建"]
    assert [h["reason"] for h in history] == ["编辑", "新建"]
    with translation.override("en"):
        history_en = services.feature_history(kind="planning_area", code=area.code)
    assert [h["what"] for h in history_en] == ["Changed", "Created"]
    assert [h["reason"] for h in history_en] == ["Edit", "Create"]
    assert history[0]["who"] == "planner_w"
    restored = services.feature_undo(
        kind="planning_area", code=area.code, user=users["admin"]
    ).obj
    assert (restored.name, restored.version) == ("甲", 3)
    services.feature_delete(
        kind="planning_area", code=area.code, version=3, user=users["admin"]
    )
    assert not PlanningArea.objects.filter(code=area.code).exists()
    back = services.feature_undo(
        kind="planning_area", code=area.code, user=users["admin"]
    ).obj
    assert PlanningArea.objects.get(code=area.code).name == back.name == "甲"
    with pytest.raises(services.Conflict):
        services.feature_delete(
            kind="planning_area", code=area.code, version=1, user=users["admin"]
        )
