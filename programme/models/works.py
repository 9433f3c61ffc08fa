"""The works catalogue (改造内容清单)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.bilingual import in_language

ZERO = MinValueValidator(0)


class WorksItem(models.Model):
    """改造内容 — one item of the works catalogue (二(二)), loaded from data."""

    class Category(models.TextChoices):
        BASIC = "basic", _("基础类")
        IMPROVEMENT = "improvement", _("完善类")
        ENHANCEMENT = "enhancement", _("提升类")

    class Special(models.TextChoices):
        LIFT = "lift", _("加装电梯")
        DANGEROUS_BUILDING = "dangerous_building", _("危房解危")

    code = models.CharField(_("编码"), max_length=64, unique=True)
    name_zh = models.CharField(_("名称"), max_length=128)
    name_en = models.CharField(_("英文名称"), max_length=128, blank=True)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    unit_zh = models.CharField(_("单位"), max_length=16, blank=True)
    unit_en = models.CharField(_("英文单位"), max_length=16, blank=True)
    unit_cost = models.DecimalField(
        _("参考单价（元）"), max_digits=14, decimal_places=2, validators=[ZERO]
    )
    owners_copay = models.BooleanField(_("业主分担"), default=False)
    special_item = models.CharField(
        _("专项"), max_length=32, choices=Special.choices, blank=True
    )
    area_project_only = models.BooleanField(_("仅限片区项目"), default=False)
    clause = models.CharField(_("条款"), max_length=16, blank=True)
    catalogue_version = models.CharField(_("清单版本"), max_length=64, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("改造内容")
        verbose_name_plural = _("改造内容清单")
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0), name="programme_worksitem_cost_ge0"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_category_display()}）"

    @property
    def name(self) -> str:
        """The name in the active language (the catalogue's English where it has one)."""
        return in_language(self.name_zh, self.name_en)

    @property
    def unit(self) -> str:
        return in_language(self.unit_zh, self.unit_en)
