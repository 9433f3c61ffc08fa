"""Districts (区) and streets (街道)."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models.base import SRID, LayerModel, _spatial_meta


class District(LayerModel):
    """区县 — a district; ``is_central`` marks the central urban districts (三(一): not 奉化)."""

    geom_types = ("MultiPolygon",)
    name = models.CharField(_("名称"), max_length=64)
    is_central = models.BooleanField(
        _("中心城区"),
        default=False,
        help_text=_(
            "市级财政 40% 补助适用（不含奉化区）；以 districts.json 所列为准，"
            "未列入的区县仅在此勾选后适用"
        ),
    )
    geom = models.MultiPolygonField(_("边界"), srid=SRID, spatial_index=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("区县")
        verbose_name_plural = _("区县")
        ordering = ["code"]
        indexes = _spatial_meta("district")["indexes"]
        constraints = _spatial_meta("district")["constraints"]


class Street(LayerModel):
    """街道 — a street office area inside a district."""

    geom_types = ("MultiPolygon",)
    name = models.CharField(_("名称"), max_length=64)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="streets",
        verbose_name=_("区县"),
    )
    geom = models.MultiPolygonField(_("边界"), srid=SRID, spatial_index=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("街道")
        verbose_name_plural = _("街道")
        ordering = ["code"]
        indexes = _spatial_meta("street")["indexes"]
        constraints = _spatial_meta("street")["constraints"]
