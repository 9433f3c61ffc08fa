"""Public revenue of a community, paid into its maintenance fund."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models import Community
from programme.models.works import ZERO


class PublicRevenue(models.Model):
    """公共收益 — parking, rent, advertising of a community (五(四))."""

    class Kind(models.TextChoices):
        PARKING = "parking", _("停车费")
        RENT = "rent", _("经营用房出租")
        ADVERTISING = "advertising", _("广告费")
        OTHER = "other", _("其他公共收益")

    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="public_revenues",
        verbose_name=_("小区"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("收益类型"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=14, decimal_places=2, validators=[ZERO]
    )
    expenses = models.DecimalField(
        _("成本（元）"), max_digits=14, decimal_places=2, default=0, validators=[ZERO]
    )
    moved_to_fund = models.BooleanField(_("已转入维修资金"), default=False)
    moved_at = models.DateTimeField(_("转入时间"), null=True, blank=True)
    published = models.BooleanField(_("已公示"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公共收益")
        verbose_name_plural = _("公共收益")
        ordering = ["community", "-year", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0)
                & Q(expenses__gte=0)
                & Q(expenses__lte=F("amount")),
                name="programme_publicrevenue_amounts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.year} {self.get_kind_display()}"
