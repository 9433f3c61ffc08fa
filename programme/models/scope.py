"""Recorded decisions that admit a community to the programme's scope."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models import Community


class ScopeDecision(models.Model):
    """范围认定 — a recorded decision that admits a community the 二(一) rule does not.

    ``district``: the district's own decision on resettlement or affordable housing
    (安置房、保障房小区改造计划由各地自主确定); ``exception``: a city administrator's
    exception, with its reason. Written by :mod:`programme.scope` only; shown on the
    community card and the project page, kept by django-simple-history.
    """

    class Kind(models.TextChoices):
        DISTRICT = "district", _("区县自主确定（安置房、保障房）")
        EXCEPTION = "exception", _("市级例外")

    community = models.OneToOneField(
        Community,
        on_delete=models.PROTECT,
        related_name="scope_decision",
        verbose_name=_("小区"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("理由"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    decided_at = models.DateTimeField(_("决定时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("改造范围认定")
        verbose_name_plural = _("改造范围认定")
        ordering = ["community"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="programme_scopedecision_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.get_kind_display()}"
