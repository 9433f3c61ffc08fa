"""The source layers, defined once: every place that lists layers reads this.

One :class:`LayerSpec` per layer names its model, its label, the name its URLs and the
map pages use, and what may be done with it: imported (and by whom), exported to anyone,
read by the analyses (their data time), snapped to when a planner draws. The import and
export code (``layers.importing``, ``layers.exporting``), the change stamps
(``layers.stamps``), the upload form and the planner's snapping derive their lists from
:data:`LAYERS`; the file columns of each layer are its schema in ``layers.io.schemas``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .io.schemas import LAYERS as SCHEMAS
from .models import (
    Amenity,
    AmenityCategory,
    BasemapFeature,
    Community,
    District,
    IdleLand,
    PopulationRaster,
    SpecialWork,
    Street,
    VacantHousing,
    WalkSegment,
)


@dataclass(frozen=True)
class LayerSpec:
    """One source layer."""

    key: str
    model: type[models.Model]
    label: str | Promise
    #: its name in the API's URLs and the map pages ("communities"), if it has one
    api: str = ""
    #: imported and exported as features (file columns: ``schema``)
    vector: bool = False
    #: imported from a raster file
    raster: bool = False
    #: only a city administrator imports it (boundaries, rasters)
    admin_import: bool = False
    #: exported to anyone, with its public columns only
    public_export: bool = False
    #: read by the analyses: its newest change is their data time
    data: bool = False
    #: a planner's drawn boundaries snap to its polygons
    snap: bool = False
    #: the attributes a planner edits on the map, in form order; the layer API lists
    #: them too (beside code, places and derived values), private ones to staff only
    attributes: tuple[str, ...] = ()
    #: the prefix of the codes given to features drawn on the map
    code_prefix: str = ""
    #: the public sees it as last published, not live (its snapshot: public.publishing)
    published: bool = False

    @property
    def schema(self) -> dict:
        """The file columns and geometry of the layer (``layers.io.schemas``)."""
        return SCHEMAS[self.key]

    @property
    def importable(self) -> bool:
        return self.vector or self.raster


#: in the order the change stamps are read (migrations 0004, 0006 made their triggers)
LAYERS: tuple[LayerSpec, ...] = (
    LayerSpec(
        "community",
        Community,
        _("小区"),
        "communities",
        vector=True,
        public_export=True,
        data=True,
        snap=True,
        attributes=(
            "name",
            "committee",
            "address",
            "completion_year",
            "land_tenure",
            "housing_type",
            "buildings",
            "max_floors",
            "households",
            "residents",
            "floor_area_m2",
            "lifts",
            "parking_spaces",
            "in_shanty_plan",
            "in_expropriation_plan",
            "repairable",
            "dangerous_c",
            "dangerous_d",
            "property_management",
            "owners_committee",
            "owners_committee_formed_on",
            "property_since",
            "property_company",
            "service_level",
            "property_fee",
            "public_notes",
            "internal_notes",
        ),
        code_prefix="CM",
        published=True,
    ),
    LayerSpec(
        "district",
        District,
        _("区县"),
        "districts",
        vector=True,
        admin_import=True,
        public_export=True,
        published=True,
    ),
    LayerSpec(
        "street",
        Street,
        _("街道"),
        "streets",
        vector=True,
        admin_import=True,
        public_export=True,
    ),
    LayerSpec(
        "amenity",
        Amenity,
        _("配套设施"),
        "amenities",
        vector=True,
        public_export=True,
        data=True,
        attributes=("name", "category", "capacity", "floor_area_m2"),
        code_prefix="AM",
        published=True,
    ),
    LayerSpec("amenity_category", AmenityCategory, _("设施类别")),
    LayerSpec(
        "walk_segment",
        WalkSegment,
        _("步行网络"),
        "walk_network",
        vector=True,
        public_export=True,
        data=True,
    ),
    LayerSpec(
        "idle_land",
        IdleLand,
        _("闲置用地"),
        "idle_land",
        vector=True,
        data=True,
        snap=True,
        attributes=("name", "kind", "owner", "tenure", "consent", "status"),
        code_prefix="IL",
    ),
    LayerSpec(
        "vacant_housing",
        VacantHousing,
        _("闲置公房"),
        "vacant_housing",
        vector=True,
        data=True,
        attributes=(
            "name",
            "address",
            "floor_area_m2",
            "floors",
            "owner_kind",
            "status",
        ),
        code_prefix="VH",
    ),
    LayerSpec(
        "population_raster",
        PopulationRaster,
        _("人口栅格（GeoTIFF）"),
        raster=True,
        admin_import=True,
    ),
    LayerSpec("basemap", BasemapFeature, _("底图")),
    LayerSpec(
        "special_work",
        SpecialWork,
        _("专项工程"),
        "special_works",
        vector=True,
        attributes=(
            "name",
            "department",
            "kind",
            "start_year",
            "end_year",
            "status",
            "notes",
        ),
        code_prefix="SW",
    ),
)

BY_KEY: dict[str, LayerSpec] = {s.key: s for s in LAYERS}


def layer_spec(key: str) -> LayerSpec:
    """The spec of layer ``key`` (ValueError naming the layers when unknown)."""
    try:
        return BY_KEY[key]
    except KeyError:
        msg = f"unknown layer {key!r}; layers are {', '.join(BY_KEY)}"
        raise ValueError(msg) from None
