"""The walk network's segments."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import F, Func
from django.utils.translation import gettext_lazy as _

from layers.models.base import SRID, LayerModel, _spatial_meta


class WalkSegment(LayerModel):
    """步行网络 — one walkable street segment between two intersections."""

    class Kind(models.TextChoices):
        ARTERIAL = "arterial", _("主干路")
        SECONDARY = "secondary", _("次干路")
        LOCAL = "local", _("支路")
        ALLEY = "alley", _("街巷")
        FOOTWAY = "footway", _("步行道")
        BRIDGE = "bridge", _("桥梁")

    geom_types = ("LineString",)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=128, blank=True)
    is_barrier = models.BooleanField(_("阻隔（不可横穿）"), default=False)
    is_crossing = models.BooleanField(_("过街设施"), default=False)
    geom = models.LineStringField(_("线形"), srid=SRID, spatial_index=False)
    length_m = models.GeneratedField(
        expression=Func(F("geom"), function="ST_Length"),
        output_field=models.FloatField(),
        db_persist=True,
        verbose_name=_("长度（m）"),
    )

    class Meta:
        verbose_name = _("步行路段")
        verbose_name_plural = _("步行网络")
        ordering = ["code"]
        indexes = _spatial_meta("walksegment")["indexes"]
        constraints = _spatial_meta("walksegment")["constraints"]
