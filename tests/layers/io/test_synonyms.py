"""The synonyms table (layers/io/synonyms.yaml) and the automatic mapping built from it.

The table is data; these tests keep it in step with the models: every importable
column's Chinese verbose name detects that column, every choice label maps to its
code, every amenity category name of the rule set maps to the category.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from layers import models
from layers.io.mapping import detect_mapping, layer_synonyms, normalise_column, synonyms
from layers.io.schemas import LAYERS

REPO = Path(__file__).resolve().parents[3]
MODELS = {
    "district": models.District,
    "street": models.Street,
    "community": models.Community,
    "idle_land": models.IdleLand,
    "vacant_housing": models.VacantHousing,
    "amenity": models.Amenity,
    "walk_segment": models.WalkSegment,
    "special_work": models.SpecialWork,
}
FK = {"district_code": "district", "street_code": "street"}


def _field(layer, column):
    return MODELS[layer]._meta.get_field(FK.get(column, column))


@pytest.mark.parametrize("layer", list(LAYERS))
def test_every_column_is_detected_from_its_chinese_name(layer):
    for column in LAYERS[layer]["columns"]:
        label = str(_field(layer, column).verbose_name)
        found = detect_mapping([label], layer).fields
        assert found == {label: column}, (layer, column, label)
        assert detect_mapping([column], layer).fields == {column: column}


@pytest.mark.parametrize("layer", list(LAYERS))
def test_every_choice_label_maps_to_its_code(layer):
    _syn, values = layer_synonyms(layer)
    for column, spec in LAYERS[layer]["columns"].items():
        if spec.type != "choice" or column == "category":
            continue
        for code, label in _field(layer, column).choices:
            assert values[column][str(label)] == code, (layer, column, label)
            assert code in spec.choices


def test_every_rule_set_category_name_maps_to_its_code():
    rules = json.loads(
        (REPO / "fixtures/rulesets/gb50180_2018.json").read_text("utf-8")
    )
    _syn, values = layer_synonyms("amenity")
    for cat in rules["categories"]:
        assert values["category"][cat["name"]] == cat["code"]
    assert set(values["category"].values()) <= set(
        LAYERS["amenity"]["columns"]["category"].choices
    )


def test_table_targets_are_layer_columns():
    table = synonyms()
    for section, body in table.items():
        if section in ("booleans",):
            continue
        cols = (
            set().union(*(LAYERS[layer]["columns"] for layer in LAYERS))
            if section == "common"
            else set(LAYERS[section]["columns"])
        )
        assert set(body.get("fields") or {}) <= cols, section
        assert set(body.get("values") or {}) <= cols, section


def test_the_brief_examples():
    m = detect_mapping(
        [
            "名称",
            "建成年代",
            "总户数",
            "土地性质",
            "楼栋数",
            "最高层数",
            "建筑面积",
            "街道",
            "社区",
            "地址",
        ],
        "community",
    )
    assert m.fields == {
        "名称": "name",
        "建成年代": "completion_year",
        "总户数": "households",
        "土地性质": "land_tenure",
        "楼栋数": "buildings",
        "最高层数": "max_floors",
        "建筑面积": "floor_area_m2",
        "街道": "street_code",
        "社区": "committee",
        "地址": "address",
    }
    assert m.values["land_tenure"]["国有"] == "state"
    assert m.values["land_tenure"]["集体"] == "collective"


def test_better_match_wins_and_the_other_is_left_out():
    m = detect_mapping(["名称", "小区名称", "name"], "community")
    assert m.fields == {"name": "name"}  # the English name first
    m = detect_mapping(["名称", "小区名称"], "community")
    assert m.fields == {"小区名称": "name"}  # the layer's own synonym before common


def test_names_are_normalised():
    assert normalise_column("建筑面积（㎡）") == "建筑面积"
    assert normalise_column(" 户 数 ") == "户数"
    assert normalise_column("Households") == "households"
    assert normalise_column("小区名称\ufffd") == "小区名称"
    m = detect_mapping(["建筑面积(平方米)", "ＣＯＤＥ"], "community")
    assert m.fields == {"建筑面积(平方米)": "floor_area_m2", "ＣＯＤＥ": "code"}


def test_truncated_shapefile_name_needs_a_unique_prefix():
    m = detect_mapping(["是否列入棚"], "community")
    assert m.fields == {"是否列入棚": "in_shanty_plan"}
    assert m.how == {"是否列入棚": "truncated name"}
    # "是否列入" starts both the shanty and the expropriation synonyms: not guessed
    assert detect_mapping(["是否列入"], "community").fields == {}


def test_same_word_different_layers():
    """类型 is an idle plot's kind, a walk segment's kind and an amenity's category."""
    assert detect_mapping(["类型"], "idle_land").fields == {"类型": "kind"}
    assert detect_mapping(["类型"], "amenity").fields == {"类型": "category"}
    assert detect_mapping(["产权"], "idle_land").fields == {"产权": "tenure"}
    assert detect_mapping(["产权"], "community").fields == {"产权": "land_tenure"}
    assert detect_mapping(["街道名称"], "street").fields == {"街道名称": "name"}
