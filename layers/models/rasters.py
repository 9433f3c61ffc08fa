"""Registered population rasters."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from layers.models.base import SRID


class PopulationRaster(models.Model):
    """人口栅格 — a GeoTIFF on disk (rasterio) registered with its extent, CRS, resolution and units."""

    name = models.CharField(_("名称"), max_length=128, unique=True)
    path = models.CharField(_("文件路径"), max_length=500)
    srid = models.PositiveIntegerField(_("坐标系 EPSG"))
    resolution_m = models.FloatField(
        _("分辨率（m）"), validators=[MinValueValidator(0.01)]
    )
    width = models.PositiveIntegerField(_("列数"))
    height = models.PositiveIntegerField(_("行数"))
    units = models.CharField(_("单位"), max_length=64, default="人/格")
    total = models.FloatField(_("总量"), default=0)
    extent = models.PolygonField(_("范围"), srid=SRID, spatial_index=False)
    source_file = models.CharField(_("来源文件"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人口栅格")
        verbose_name_plural = _("人口栅格")
        indexes = [GistIndex(name="poprast_extent_gist", fields=["extent"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(extent__isvalid=True), name="poprast_extent_is_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name
