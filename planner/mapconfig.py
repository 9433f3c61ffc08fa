"""What the home and planner map pages are given beside the map (``json_script``
"map-config"): the URLs as a reverse map, the layer list, and the editable layers' fields
and every choice label from the models' own ``choices`` (the JS keeps none of them)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import Transform
from django.db import models
from django.urls import get_resolver, get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from layers.models import (
    AmenityCategory,
    Community,
    District,
    IdleLand,
    SpecialWork,
    Stage,
    VacantHousing,
    WalkSegment,
)
from layers.selectors import category_labels
from public.tiles import tiles_config

from . import services, tiles
from .models import PlanningArea

#: the URL names the map pages call, rendered as templates ``/api/…/{pk}/…``
URL_NAMES = (
    "analysis-run",
    "analysis-run-cancel",
    "analysis-run-requeue",
    "blocks-block-action",
    "blocks-run",
    "blocks-run-export",
    "blocks-run-geojson",
    "blocks-run-latest",
    "lifecircle-communities",
    "lifecircle-export",
    "lifecircle-islands",
    "lifecircle-latest",
    "lifecircle-run",
    "lifecircle-supply",
    "lifecircle-unreachable",
    "lifecircle-what-if",
    "planner-analysis",
    "planner-feature",
    "planner-feature-history",
    "planner-feature-undo",
    "planner-features",
    "planner-run-tile",
    "planner-tile",
    "planner-search",
    "siting-candidates",
    "siting-export",
    "siting-run",
    "siting-runs",
    "siting-whatif-scenario",
    "siting-whatif-scenarios",
)

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def url_template(name: str) -> str:
    """``/api/lifecircle/runs/{pk}/export.{fmt}`` for a URL name (its first pattern)."""
    possibilities = get_resolver().reverse_dict.getlist(name)
    if not possibilities:
        raise KeyError(name)
    fmt, _params = possibilities[0][0][0]
    return get_script_prefix() + _PLACEHOLDER.sub(r"{\1}", fmt)


def url_map(names=URL_NAMES) -> dict[str, str]:
    return {name: url_template(name) for name in names}


@dataclass(frozen=True)
class MapLayer:
    """One overlay of the home and planner maps."""

    key: str
    label: str
    url_name: str
    on: bool = True
    #: the planner kind that edits it (the planner page draws it as editable instead)
    editable: str = ""
    #: drawn from the vector tiles (planner/tiles.py) instead of the GeoJSON layer
    tiled: bool = False
    #: the planner kind whose record (planner-feature) a click reads, if any
    detail: str = ""


LAYERS = (
    MapLayer("districts", _("区县边界"), "layer-districts"),
    MapLayer("streets", _("街道边界"), "layer-streets"),
    MapLayer("walk_network", _("步行网络"), "layer-walk-network", tiled=True),
    MapLayer(
        "communities",
        _("老旧小区（按改造阶段）"),
        "layer-communities",
        tiled=True,
        detail="community",
    ),
    MapLayer(
        "idle_land",
        _("闲置用地"),
        "layer-idle-land",
        editable="idle_land",
        tiled=True,
        detail="idle_land",
    ),
    MapLayer(
        "vacant_housing",
        _("闲置公房"),
        "layer-vacant-housing",
        editable="vacant_housing",
        tiled=True,
        detail="vacant_housing",
    ),
    # special works (四(四)2): every work, and the projects in conflict with their works
    MapLayer("special_works", _("专项工程"), "layer-special-works", on=False),
    MapLayer(
        "special_work_conflicts",
        _("专项工程冲突"),
        "programme-special-work-conflicts",
    ),
    MapLayer(
        "amenities",
        _("配套设施"),
        "layer-amenities",
        on=False,
        editable="amenity",
        tiled=True,
    ),
)

#: every overlay of the home and planner maps by key, top first: the layer control lists
#: them in this order and the maps draw them in it, whichever request answers first
#: (static/maps/js/lib/order.js): the SVG overlays each in a pane over the vector-tile
#: canvas, the tile layers (amenities … communities) painted bottom up inside it. The
#: life-circle run is ``lifecircle`` in the list, its tile layer ``results``.
OVERLAY_ORDER = (
    "siting",
    "unreachable",
    "supply",
    "districts",
    "streets",
    "special_work_conflicts",
    "special_works",
    "blocks",
    "amenities",
    "vacant_housing",
    "islands",
    "walk_network",
    "idle_land",
    "lifecircle",
    "results",
    "communities",
)

#: the kinds drawn and edited on the planner map (planner.services.KINDS), in menu order
EDITABLE = ("planning_area", "idle_land", "vacant_housing", "amenity")

#: models whose choice fields label values on the maps, by the key the JS uses
CHOICE_MODELS = {
    "community": Community,
    "idle_land": IdleLand,
    "vacant_housing": VacantHousing,
    "planning_area": PlanningArea,
    "walk_segment": WalkSegment,
    "amenity_category": AmenityCategory,
    "special_work": SpecialWork,
}

_NUMBER_FIELDS = (models.IntegerField, models.FloatField, models.DecimalField)


def _choices(field) -> dict[str, str]:
    return {str(value): str(label) for value, label in field.choices}


def choice_labels() -> dict[str, dict[str, str]]:
    """``{"idle_land.kind": {"vacant": "空地", …}, …}`` from the models' choices."""
    out = {}
    for key, model in CHOICE_MODELS.items():
        for field in model._meta.concrete_fields:
            if field.choices:
                out[f"{key}.{field.name}"] = _choices(field)
    return out


def field_spec(model, name: str) -> dict:
    """One form input of an editable layer, from the model field."""
    field = model._meta.get_field(name)
    spec = {"name": name, "label": str(field.verbose_name), "required": not field.blank}
    if field.choices:
        spec.update(type="select", choices=_choices(field))
    elif field.is_relation and field.related_model is AmenityCategory:
        spec.update(type="select", choices="categories")
    elif isinstance(field, models.TextField):
        spec["type"] = "textarea"
    elif isinstance(field, _NUMBER_FIELDS):
        spec["type"] = "number"
    else:
        spec["type"] = "text"
    return spec


def editable_kinds() -> list[dict]:
    out = []
    for kind in EDITABLE:
        k = services.KINDS[kind]
        out.append(
            {
                "kind": kind,
                "label": str(k.model._meta.verbose_name),
                "point": not k.polygon,
                "fields": [field_spec(k.model, name) for name in k.fields],
            }
        )
    return out


def layer_entry(layer: MapLayer) -> dict:
    tile = None
    if layer.tiled:
        # the maps fill {layer} with the keys of the tiled layers they show: a+b+c
        tile = {
            "source": url_template("planner-tile"),
            "min_zoom": tiles.LAYERS[layer.key].min_zoom,
        }
    return {
        "key": layer.key,
        "label": str(layer.label),
        "url": reverse(layer.url_name),
        "on": layer.on,
        "editable": layer.editable,
        "detail": layer.detail,
        "tile": tile,
    }


def districts_extent() -> list[float] | None:
    """[west, south, east, north] of the districts (the first view), or None."""
    e = District.objects.aggregate(e=Extent(Transform("geom", 4326)))["e"]
    return list(e) if e else None


def internal_tiles_config() -> dict:
    """:func:`public.tiles.tiles_config`, the city's basemap also from the internal tile
    URL (``planner-tile``, layer ``basemap``): the maps' tile stack then asks for the
    basemap in the same request per tile as their layers (one request per tile, not
    two)."""
    config = tiles_config()
    if config["basemap"] is not None:
        config["basemap"]["source"] = url_template("planner-tile")
    return config


def map_config() -> dict:
    """What every internal map page needs: layers, labels, URLs, tiles, first view."""
    return {
        "extent": districts_extent(),
        "layers": [layer_entry(layer) for layer in LAYERS],
        "overlay_order": list(OVERLAY_ORDER),
        "urls": url_map(),
        "blocks_visible": False,
        "stages": dict(Stage.choices),
        "choices": choice_labels(),
        "categories": category_labels(),
        "tiles": internal_tiles_config(),
    }
