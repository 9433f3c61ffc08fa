"""Special works of other departments and the utilities (专项工程, 四(四)2 最多改一次)."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models.base import SRID, LayerModel, _spatial_meta

YEAR = (MinValueValidator(2000), MaxValueValidator(2100))


class SpecialWork(LayerModel):
    """专项工程 — a planned work of another department or a utility (雨污分流, 海绵城市,
    管线…) as an area or a line: the renovation and the works dig a community up once."""

    class Kind(models.TextChoices):
        SEWER_SEPARATION = "sewer_separation", _("雨污分流")
        SPONGE_CITY = "sponge_city", _("海绵城市")
        WASTE_SORTING = "waste_sorting", _("垃圾分类")
        ARTERIAL_ROAD = "arterial_road", _("主干道改造")
        SERVICE_CENTRE = "service_centre", _("社区服务中心标准化")
        SMART_SECURITY = "smart_security", _("智慧安防")
        POWER = "power", _("管线：供电")
        TELECOM = "telecom", _("管线：通信")
        CABLE_TV = "cable_tv", _("管线：有线电视")
        GAS = "gas", _("管线：燃气")
        WATER = "water", _("管线：供水")

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划")
        UNDER_WAY = "under_way", _("实施中")
        DONE = "done", _("已完成")

    geom_types = ("Polygon", "MultiPolygon", "LineString", "MultiLineString")
    name = models.CharField(_("名称"), max_length=128, blank=True)
    department = models.CharField(_("实施部门"), max_length=128)
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    start_year = models.PositiveSmallIntegerField(_("计划开工年度"), validators=YEAR)
    end_year = models.PositiveSmallIntegerField(_("计划完工年度"), validators=YEAR)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    notes = models.TextField(_("备注"), blank=True)
    geom = models.GeometryField(_("范围或走向"), srid=SRID, spatial_index=False)
    history = HistoricalRecords()

    def clean(self) -> None:
        super().clean()
        if (
            self.start_year is not None
            and self.end_year is not None
            and self.end_year < self.start_year
        ):
            raise ValidationError({"end_year": _("计划完工年度不能早于计划开工年度。")})

    class Meta:
        verbose_name = _("专项工程")
        verbose_name_plural = _("专项工程")
        ordering = ["code"]
        indexes = _spatial_meta("specialwork")["indexes"]
        constraints = [
            *_spatial_meta("specialwork")["constraints"],
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="specialwork_years_in_order",
            ),
        ]
