"""Amenity categories and amenities."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.core.validators import MinValueValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models.base import SRID, LayerModel, _spatial_meta


class AmenityCategory(models.Model):
    """配套设施类别 — a facility category of the life-circle standard (LIFECIRCLE.md), loaded as data."""

    class Tier(models.IntegerChoices):
        #: 居住街坊: no walking time in GB 50180; keyed as 3 minutes (150 m)
        BLOCK = 3, _("居住街坊")
        FIVE = 5, _("五分钟生活圈")
        TEN = 10, _("十分钟生活圈")
        FIFTEEN = 15, _("十五分钟生活圈")

    code = models.CharField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    tier_minutes = models.PositiveSmallIntegerField(
        _("生活圈层级"), choices=Tier.choices
    )
    required = models.BooleanField(_("必配"), default=True)
    service_radius_m = models.PositiveIntegerField(_("服务半径（m）"))
    min_floor_area_m2 = models.FloatField(
        _("最小建筑面积（m²）"), null=True, blank=True
    )
    min_site_area_m2 = models.FloatField(_("最小用地面积（m²）"), null=True, blank=True)
    source_clause = models.CharField(_("依据条文"), max_length=255, blank=True)
    verified = models.BooleanField(
        _("已核实"), default=False, help_text=_("数值已对照标准原文核实")
    )

    class Meta:
        verbose_name = _("设施类别")
        verbose_name_plural = _("设施类别")
        ordering = ["tier_minutes", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language: ``name`` is the rule set's (Chinese), the
        English is in the catalog (extracted from the rule set by manage.py catalogs)."""
        return category_label(self.name)


def category_label(name: str) -> str:
    """A facility category's name in the active language (the one translation of it)."""
    return gettext(name) if name else name


class Amenity(LayerModel):
    """配套设施 — an existing service facility (elderly care, childcare, clinic, market, parcel locker…)."""

    geom_types = ("Point",)
    name = models.CharField(_("名称"), max_length=128, blank=True)
    category = models.ForeignKey(
        AmenityCategory,
        on_delete=models.PROTECT,
        related_name="amenities",
        verbose_name=_("类别"),
    )
    capacity = models.PositiveIntegerField(_("服务能力"), null=True, blank=True)
    floor_area_m2 = models.FloatField(
        _("建筑面积（m²）"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    source = models.CharField(_("数据来源"), max_length=64, blank=True)
    geom = models.PointField(_("位置"), srid=SRID, spatial_index=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("配套设施")
        verbose_name_plural = _("配套设施")
        ordering = ["code"]
        indexes = _spatial_meta("amenity")["indexes"]
        constraints = _spatial_meta("amenity")["constraints"]
