"""Idle land and vacant public housing."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.core.validators import MinValueValidator
from django.db.models import F, Func
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models.base import SRID, LayerModel, _spatial_meta
from layers.models.choices import Availability, Tenure


class IdleLand(LayerModel):
    """闲置用地 — 空地、荒地、闲置地、边角地, land freed by demolition, public green (四(四)3)."""

    class Kind(models.TextChoices):
        VACANT = "vacant", _("空地")
        WASTELAND = "wasteland", _("荒地")
        IDLE = "idle", _("闲置地")
        CORNER = "corner", _("边角地")
        DEMOLITION = "demolition", _("拆违腾退用地")
        GREEN = "green", _("公共绿地")

    class Consent(models.TextChoices):
        UNKNOWN = "unknown", _("未征询")
        ASKED = "asked", _("征询中")
        GRANTED = "granted", _("已同意")
        REFUSED = "refused", _("不同意")

    geom_types = ("Polygon",)
    private_fields = ("owner", "consent")
    name = models.CharField(_("名称"), max_length=128, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    owner = models.CharField(_("权属单位"), max_length=128, blank=True)
    tenure = models.CharField(
        _("土地性质"), max_length=16, choices=Tenure.choices, default=Tenure.STATE
    )
    consent = models.CharField(
        _("业主意见"), max_length=16, choices=Consent.choices, default=Consent.UNKNOWN
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=Availability.choices,
        default=Availability.AVAILABLE,
    )
    geom = models.PolygonField(_("范围"), srid=SRID, spatial_index=False)
    area_m2 = models.GeneratedField(
        expression=Func(F("geom"), function="ST_Area"),
        output_field=models.FloatField(),
        db_persist=True,
        verbose_name=_("面积（m²）"),
    )
    history = HistoricalRecords(excluded_fields=["area_m2"])

    class Meta:
        verbose_name = _("闲置用地")
        verbose_name_plural = _("闲置用地")
        ordering = ["code"]
        indexes = _spatial_meta("idleland")["indexes"]
        constraints = _spatial_meta("idleland")["constraints"]


class VacantHousing(LayerModel):
    """闲置公房 / 闲置商业用房 — vacant public housing or idle commercial space (四(四)3)."""

    class OwnerKind(models.TextChoices):
        PUBLIC = "public", _("公房")
        COMMERCIAL = "commercial", _("商业用房")
        WORK_UNIT = "work_unit", _("单位用房")

    geom_types = ("Point",)
    extra_geometries = {"footprint": ("Polygon",)}
    name = models.CharField(_("名称"), max_length=128, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    floor_area_m2 = models.FloatField(
        _("建筑面积（m²）"), validators=[MinValueValidator(0)]
    )
    floors = models.PositiveSmallIntegerField(_("层数"), default=1)
    owner_kind = models.CharField(
        _("产权类型"), max_length=16, choices=OwnerKind.choices
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=Availability.choices,
        default=Availability.AVAILABLE,
    )
    geom = models.PointField(_("位置"), srid=SRID, spatial_index=False)
    footprint = models.PolygonField(_("轮廓"), srid=SRID, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("闲置公房")
        verbose_name_plural = _("闲置公房")
        ordering = ["code"]
        indexes = _spatial_meta("vacanthousing")["indexes"]
        constraints = [
            *_spatial_meta("vacanthousing")["constraints"],
            *_spatial_meta("vacanthousing", geom="footprint")["constraints"],
        ]
