"""The planning areas planners draw (roles live in accounts)."""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models import District, LayerModel


class PlanningArea(LayerModel):
    """规划范围 — any polygon a planner names: a district study area, a block, a plot group."""

    class Kind(models.TextChoices):
        STUDY_AREA = "study_area", _("研究范围")
        BLOCK = "block", _("片区")
        OTHER = "other", _("其他")

    geom_types = ("Polygon", "MultiPolygon")
    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(
        _("类型"), max_length=16, choices=Kind.choices, default=Kind.STUDY_AREA
    )
    notes = models.TextField(_("说明"), blank=True)
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("区县"),
    )
    geom = models.MultiPolygonField(_("范围"), srid=settings.SRID, spatial_index=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("规划范围")
        verbose_name_plural = _("规划范围")
        ordering = ["-updated_at"]
        indexes = [GistIndex(name="planningarea_geom_gist", fields=["geom"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(geom__isvalid=True), name="planningarea_geom_is_valid"
            )
        ]
