"""Roles of the people who use the workspace, and the planning areas they draw."""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models import District, LayerModel, Street


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市级管理员")
    DISTRICT_PLANNER = "district_planner", _("区级规划人员")
    STREET_STAFF = "street_staff", _("街道工作人员")
    VIEWER = "viewer", _("只读用户")


class Profile(models.Model):
    """A user's role and the area it applies to (a district planner's district, …)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("用户"),
    )
    role = models.CharField(
        _("角色"), max_length=24, choices=Role.choices, default=Role.VIEWER
    )
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("所属区县"),
    )
    street = models.ForeignKey(
        Street,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("所属街道"),
    )

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="district_planner") | Q(district__isnull=False),
                name="district_planner_has_district",
            ),
            models.CheckConstraint(
                condition=~Q(role="street_staff") | Q(street__isnull=False),
                name="street_staff_has_street",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


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
