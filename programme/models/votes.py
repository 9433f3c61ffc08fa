"""Residents' votes on a project."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from programme.models.projects import Project


class Vote(models.Model):
    """业主表决 — aggregate result of an owners' vote (四(二)1, 四(二)3; 民法典第278条).

    One vote decides one matter of the law (``matter``: a code of
    ``vote_thresholds.json``, e.g. ``rebuild`` for a lift); the majority and the
    clause follow from the matter and the law in force on ``held_on`` and are
    stored with the result. Only totals are stored; individual household votes are
    never recorded here.
    """

    class Kind(models.TextChoices):
        WILL = "will", _("改造意愿表决")
        PLAN = "plan", _("改造方案表决")

    class Majority(models.TextChoices):
        ORDINARY = "ordinary", _("过半数")
        SPECIAL = "special", _("特别多数")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="votes", verbose_name=_("项目")
    )
    kind = models.CharField(_("表决类型"), max_length=8, choices=Kind.choices)
    matter = models.CharField(
        _("表决事项"), max_length=32, help_text=_("民法典第278条所列事项（编码）")
    )
    majority = models.CharField(
        _("所需多数"), max_length=16, choices=Majority.choices, blank=True
    )
    clause = models.CharField(_("适用条款"), max_length=64, blank=True)
    total_owners = models.PositiveIntegerField(_("业主总人数"))
    total_area_m2 = models.DecimalField(
        _("专有部分总面积（m²）"), max_digits=14, decimal_places=2
    )
    participants_owners = models.PositiveIntegerField(_("参与表决人数"))
    participants_area_m2 = models.DecimalField(
        _("参与表决面积（m²）"), max_digits=14, decimal_places=2
    )
    consent_owners = models.PositiveIntegerField(_("同意人数"))
    consent_area_m2 = models.DecimalField(
        _("同意面积（m²）"), max_digits=14, decimal_places=2
    )
    held_on = models.DateField(_("表决日期"))
    passed = models.BooleanField(_("通过"))
    law = models.CharField(_("适用法律"), max_length=64)
    ratios = models.JSONField(_("比例"), default=dict)
    reasons = models.JSONField(_("说明"), default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("业主表决")
        verbose_name_plural = _("业主表决")
        ordering = ["project", "held_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(participants_owners__lte=F("total_owners"))
                & Q(participants_area_m2__lte=F("total_area_m2"))
                & Q(consent_owners__lte=F("participants_owners"))
                & Q(consent_area_m2__lte=F("participants_area_m2"))
                & Q(consent_area_m2__gte=0),
                name="programme_vote_counts_consistent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.get_kind_display()} {self.held_on}"
