"""A project's money by source (三, 六(二)) and its utilities (四(四)4, 三(二))."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models.projects import Project
from programme.models.works import ZERO


class ProjectUtility(models.Model):
    """参与改造的专营单位 — a utility's share of the pipeline costs and its duty after
    acceptance (the utilities maintain the shared pipelines: 《浙江省物业区域相关共有设施
    设备管理办法》, 四(三)4)."""

    class Utility(models.TextChoices):
        POWER = "power", _("供电")
        TELECOM = "telecom", _("通信")
        CABLE_TV = "cable_tv", _("有线电视")
        GAS = "gas", _("燃气")
        WATER = "water", _("供水")

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="utilities",
        verbose_name=_("项目"),
    )
    utility = models.CharField(_("专营单位"), max_length=16, choices=Utility.choices)
    cost_share = models.DecimalField(
        _("管线费用分担比例"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[ZERO, MaxValueValidator(1)],
        help_text=_("占项目配套管线改造费用的比例（0–1）"),
    )
    amount = models.DecimalField(
        _("分担金额（元）"), max_digits=16, decimal_places=2, validators=[ZERO]
    )
    handover_date = models.DateField(_("移交日期"), null=True, blank=True)
    maintains_after_acceptance = models.BooleanField(
        _("验收后负责共有管线维修养护"), default=True
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目专营单位")
        verbose_name_plural = _("项目专营单位")
        ordering = ["project", "utility"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "utility"], name="programme_projectutility_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0)
                & (
                    Q(cost_share__isnull=True)
                    | (Q(cost_share__gte=0) & Q(cost_share__lte=1))
                ),
                name="programme_projectutility_amounts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} — {self.get_utility_display()}"

    @property
    def share_pct(self) -> str:
        """The share as a percentage for people (``"30"``, ``"12.5"``; empty: none)."""
        if self.cost_share is None:
            return ""
        return f"{self.cost_share * 100:.2f}".rstrip("0").rstrip(".")


class FundingSource(models.Model):
    """资金来源 — money of one source for a project in one year (三, 六(二))."""

    class Source(models.TextChoices):
        CENTRAL_SPECIAL = "central_special", _("中央补助资金")
        SPECIAL_BONDS = "special_bonds", _("专项债券")
        DISTRICT_SPECIAL = "district_special", _("区级专项资金")
        CITY_SUBSIDY = "city_subsidy", _("市级补助")
        UTILITIES = "utilities", _("管线单位")
        ORIGINAL_UNITS = "original_units", _("原产权单位")
        OWNERS_DIRECT = "owners_direct", _("居民直接出资")
        PROVIDENT_FUND = "provident_fund", _("个人提取公积金")
        MAINTENANCE_FUND = "maintenance_fund", _("专项维修资金")
        SOCIAL_CAPITAL = "social_capital", _("社会资本")
        BANK_INSURANCE = "bank_insurance", _("银行、保险融资")

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="funding_sources",
        verbose_name=_("项目"),
    )
    source = models.CharField(_("资金来源"), max_length=24, choices=Source.choices)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=16, decimal_places=2, validators=[ZERO]
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["project", "year", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "source", "year"],
                name="programme_fundingsource_unique",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="programme_fundingsource_amount_ge0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year} {self.get_source_display()}"
