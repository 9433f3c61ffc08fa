"""The layer registry is the one list: every layer model is in it, and what the other
places list comes from it."""

import pytest
from django.apps import apps

from layers import exporting, importing, registry, stamps
from layers.forms import LAYER_LABELS
from layers.io.schemas import LAYERS as SCHEMAS
from layers.models import LayerModel
from planner.sql import SNAP_TABLES


def test_every_layer_model_has_one_spec():
    concrete = {
        m
        for m in apps.get_app_config("layers").get_models()
        if issubclass(m, LayerModel)
    }
    specs = {s.model for s in registry.LAYERS}
    assert concrete <= specs, sorted(m.__name__ for m in concrete - specs)
    assert len(specs) == len(registry.LAYERS)  # one spec per model
    assert len(registry.BY_KEY) == len(registry.LAYERS)


def test_the_vector_layers_have_a_file_schema_and_nothing_else_does():
    vector = {s.key for s in registry.LAYERS if s.vector}
    assert vector == set(SCHEMAS)
    for key in vector:
        assert registry.layer_spec(key).schema["columns"]


def test_the_other_lists_are_read_from_it():
    assert list(stamps.LAYERS) == [s.key for s in registry.LAYERS]
    assert set(importing.LAYER_MODELS) == {s.key for s in registry.LAYERS if s.vector}
    assert set(importing.IMPORT_LAYERS) == set(LAYER_LABELS) - {"osm"}
    assert set(exporting.PUBLIC_LAYERS) <= set(importing.LAYER_MODELS)
    assert "layers_community" in SNAP_TABLES and "layers_idleland" in SNAP_TABLES
    assert set(stamps.DATA_LAYERS) == {
        "community",
        "amenity",
        "walk_segment",
        "idle_land",
        "vacant_housing",
    }


def test_an_unknown_layer_is_named_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown layer 'parks'; layers are community"):
        registry.layer_spec("parks")
