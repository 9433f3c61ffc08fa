"""Basemap features drawn under the layers: water, rivers, parks, main roads, buildings."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from layers.models.base import SRID, LayerModel, _spatial_meta


class BasemapFeature(LayerModel):
    """底图要素 — water, rivers, parks, main roads and building footprints drawn under the
    layers when no online tile service is configured (``import_osm``, the demo city)."""

    class Kind(models.TextChoices):
        WATER = "water", _("水域")
        RIVER = "river", _("河流（线）")
        PARK = "park", _("公园绿地")
        ROAD = "road", _("主要道路")
        BUILDING = "building", _("建筑")

    geom_types = ("Polygon", "MultiPolygon", "LineString", "MultiLineString")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=128, blank=True)
    road_class = models.CharField(
        _("道路等级"), max_length=32, blank=True, help_text=_("OSM highway 值")
    )
    levels = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    source = models.CharField(_("数据来源"), max_length=64, blank=True)
    geom = models.GeometryField(_("几何"), srid=SRID, spatial_index=False)

    class Meta:
        verbose_name = _("底图要素")
        verbose_name_plural = _("底图要素")
        ordering = ["code"]
        indexes = [
            *_spatial_meta("basemap")["indexes"],
            models.Index(fields=["kind"], name="basemap_kind_idx"),
        ]
        constraints = _spatial_meta("basemap")["constraints"]
