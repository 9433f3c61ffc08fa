"""Roles of the people who use the platform and the area each role applies to."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of the access policy (accounts/policy.py), from least to most trusted."""

    VIEWER = "viewer", _("只读用户")
    STREET_STAFF = "street_staff", _("街道工作人员")
    DISTRICT_PLANNER = "district_planner", _("区级规划人员")
    CITY_ADMIN = "city_admin", _("市级管理员")


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
        "layers.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("所属区县"),
    )
    street = models.ForeignKey(
        "layers.Street",
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
