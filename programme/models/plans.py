"""The reserve pool and the district annual plans."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models import District
from programme.models.projects import Project


class ReserveEntry(models.Model):
    """储备库评分 — score and rank of a reserve-pool project (四(二)4)."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="reserve_entries",
        verbose_name=_("项目"),
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("区县")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    points = models.JSONField(_("分项得分"), default=dict)
    total = models.FloatField(_("总分"))
    rank = models.PositiveIntegerField(_("排名"))
    rules_version = models.CharField(_("评价规则版本"), max_length=64)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("储备库评分")
        verbose_name_plural = _("储备库评分")
        ordering = ["district", "year", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"], name="programme_reserveentry_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} #{self.rank} ({self.total:g})"


class AnnualPlan(models.Model):
    """年度改造计划 — the plan of ``year``, fixed by the district government by 31
    October of the year before (四(二)4: 每年10月底前统筹确定年度…实施计划).

    ``locked``, ``reopened`` and ``projects`` change through
    :mod:`programme.services` only (read-only in the admin).
    """

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("区县")
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    projects = models.ManyToManyField(
        Project,
        through="AnnualPlanEntry",
        related_name="annual_plans",
        blank=True,
        verbose_name=_("项目"),
    )
    locked = models.BooleanField(_("已确定（锁定）"), default=False)
    fixed_at = models.DateTimeField(_("确定时间"), null=True, blank=True)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确定人"),
    )
    reopened = models.BooleanField(_("已重新开放"), default=False)
    reopened_at = models.DateTimeField(_("重新开放时间"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("重新开放人"),
    )
    reopened_why = models.TextField(_("重新开放理由"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度改造计划")
        verbose_name_plural = _("年度改造计划")
        ordering = ["-year", "district"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year"], name="programme_annualplan_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.year}年度计划"


class AnnualPlanEntry(models.Model):
    """年度计划项目 — one project listed in an annual plan: when it was added, by whom,
    and when the plan was fixed with it (a project added after a reopening is fixed
    only when the plan is fixed again)."""

    plan = models.ForeignKey(
        AnnualPlan,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("年度计划"),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="plan_entries",
        verbose_name=_("项目"),
    )
    added_at = models.DateTimeField(_("列入时间"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("列入人"),
    )
    fixed_at = models.DateTimeField(_("随计划确定时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度计划项目")
        verbose_name_plural = _("年度计划项目")
        ordering = ["plan", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "project"], name="programme_annualplanentry_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.project}"
