"""Source layers (DATA_MODEL.md): every geometry in settings.SRID, GiST-indexed, valid by constraint."""

from __future__ import annotations

from layers.models.amenities import Amenity, AmenityCategory, category_label
from layers.models.base import SRID, LayerModel
from layers.models.basemap import BasemapFeature
from layers.models.choices import (
    Availability,
    HousingType,
    PropertyManagement,
    ServiceLevel,
    Stage,
    Tenure,
)
from layers.models.communities import Community, CommunityCandidate, CommunityPhoto
from layers.models.districts import District, Street
from layers.models.layer_stamps import LayerStamp
from layers.models.mapping_templates import MappingTemplate
from layers.models.network import WalkSegment
from layers.models.plots import IdleLand, VacantHousing
from layers.models.rasters import PopulationRaster
from layers.models.works import SpecialWork

__all__ = [
    "Amenity",
    "AmenityCategory",
    "category_label",
    "Availability",
    "BasemapFeature",
    "Community",
    "CommunityCandidate",
    "CommunityPhoto",
    "District",
    "HousingType",
    "IdleLand",
    "LayerModel",
    "LayerStamp",
    "MappingTemplate",
    "PopulationRaster",
    "PropertyManagement",
    "SRID",
    "ServiceLevel",
    "SpecialWork",
    "Stage",
    "Street",
    "Tenure",
    "VacantHousing",
    "WalkSegment",
]
