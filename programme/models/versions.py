"""Versioned programme data (rates, thresholds, district lists) with effective dates."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class DataVersion(models.Model):
    """规则数据版本 — one version of a programme data file, with its effective dates.

    "All rates and district lists are data with an effective date": each version
    of ``fixtures/programme/<kind>.json`` is one row; ``data`` is the version as
    in the file (``effective_from``/``effective_to`` included).
    """

    class Kind(models.TextChoices):
        WORKS_CATALOGUE = "works_catalogue", _("改造内容清单")
        FUNDING_RATES = "funding_rates", _("资金分担比例")
        DISTRICTS = "districts", _("区县及中心城区")
        VOTE_THRESHOLDS = "vote_thresholds", _("表决门槛")
        SCORING_RULES = "scoring_rules", _("储备库评价规则")
        MAINTENANCE = "maintenance", _("长效管理参数")
        SCOPE_RULES = "scope_rules", _("改造范围规则")
        PROGRAMME_PERIOD = "programme_period", _("三年行动期")
        PROPERTY_FEES = "property_fees", _("物业服务等级与收费区间")

    kind = models.CharField(_("数据类型"), max_length=32, choices=Kind.choices)
    version_id = models.CharField(_("版本编号"), max_length=64)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    data = models.JSONField(_("数据"))
    source = models.TextField(_("来源"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("规则数据版本")
        verbose_name_plural = _("规则数据版本")
        ordering = ["kind", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "version_id"], name="programme_dataversion_unique"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                name="programme_dataversion_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version_id}"
