"""Renovation projects, their works items and their stage moves."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from analysis.reserve import RESERVE_SUB_STATUSES
from analysis.stages import STAGES
from layers.models import Community, District
from programme.models.works import ZERO, WorksItem

#: Chinese labels of the fine stages of ``analysis.stages.STAGES``.
STAGE_LABELS = {
    "will_vote": _("改造意愿表决"),
    "application": _("居民提出申请"),
    "preliminary_plan": _("制定初步改造方案"),
    "plan_vote": _("改造方案表决"),
    "street_review": _("街道审核"),
    "district_review": _("区县住建部门审核"),
    "reserve_pool": _("项目储备库"),
    "annual_plan": _("年度改造计划"),
    "construction": _("工程实施"),
    "completion_acceptance": _("竣工验收"),
    "handover": _("项目移交"),
    "warranty": _("保修期"),
    "post_evaluation": _("后评估"),
}
STAGE_CHOICES = [(s, STAGE_LABELS[s]) for s in STAGES]
SUB_STATUS_CHOICES = [(k, f"{v}一批") for k, v in RESERVE_SUB_STATUSES.items()]


class Project(models.Model):
    """改造项目 — a renovation project of one community or one block (四(二))."""

    name = models.CharField(_("项目名称"), max_length=128)
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("小区"),
        null=True,
        blank=True,
    )
    block_code = models.CharField(
        _("连片片区编码"), max_length=64, blank=True, help_text=_("连片改造片区")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("区县"),
    )
    year = models.PositiveSmallIntegerField(
        _("计划年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    stage = models.CharField(
        _("阶段"), max_length=32, choices=STAGE_CHOICES, default="will_vote"
    )
    reserve_sub_status = models.CharField(
        _("储备库子状态"), max_length=16, choices=SUB_STATUS_CHOICES, blank=True
    )
    area_project = models.BooleanField(_("片区项目"), default=False)
    plan_design = models.TextField(_("工程设计"), blank=True)
    funding_plan = models.TextField(_("资金筹集方案"), blank=True)
    long_term_management = models.TextField(_("长效管理机制"), blank=True)
    documents = models.JSONField(
        _("程序材料"),
        default=dict,
        blank=True,
        help_text=_("书面申请、实施方案、报建、验收、移交、保修、后评估等"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("改造项目")
        verbose_name_plural = _("改造项目")
        ordering = ["-year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(community__isnull=False) | ~Q(block_code=""),
                name="programme_project_community_or_block",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"

    @property
    def code(self) -> str:
        """Stable key used by the scoring tables."""
        return f"P{self.pk}"


class ProjectItem(models.Model):
    """预算明细 — one works item of a project with its budget and final account."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="items", verbose_name=_("项目")
    )
    works_item = models.ForeignKey(
        WorksItem,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("改造内容"),
    )
    quantity = models.DecimalField(
        _("工程量"), max_digits=14, decimal_places=2, validators=[ZERO]
    )
    unit_cost = models.DecimalField(
        _("单价（元）"), max_digits=14, decimal_places=2, validators=[ZERO]
    )
    budget = models.DecimalField(
        _("预算（元）"), max_digits=16, decimal_places=2, validators=[ZERO]
    )
    final_account = models.DecimalField(
        _("核定竣工决算（元）"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[ZERO],
    )
    owners_share = models.DecimalField(
        _("业主分担比例（区县标准）"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[ZERO, MaxValueValidator(1)],
    )
    government_share = models.DecimalField(
        _("政府出资比例（提升类）"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[ZERO, MaxValueValidator(1)],
        help_text=_(
            "提升类设施（养老、托幼、医疗等）由政府出资的部分（三）；"
            "为空时全部由社会资本投入"
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目预算明细")
        verbose_name_plural = _("项目预算明细")
        ordering = ["project", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0)
                & Q(unit_cost__gte=0)
                & Q(budget__gte=0)
                & (Q(final_account__isnull=True) | Q(final_account__gte=0)),
                name="programme_projectitem_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(owners_share__isnull=True)
                | (Q(owners_share__gte=0) & Q(owners_share__lte=1)),
                name="programme_projectitem_share_0_1",
            ),
            models.CheckConstraint(
                condition=Q(government_share__isnull=True)
                | (Q(government_share__gte=0) & Q(government_share__lte=1)),
                name="programme_projectitem_gov_share_0_1",
            ),
            models.UniqueConstraint(
                fields=["project", "works_item"], name="programme_projectitem_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} — {self.works_item.name}"


class StageTransition(models.Model):
    """阶段变更记录 — every step of a project, with who, when, why and evidence."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("项目"),
    )
    from_stage = models.CharField(
        _("原阶段"), max_length=32, choices=STAGE_CHOICES, blank=True
    )
    to_stage = models.CharField(_("新阶段"), max_length=32, choices=STAGE_CHOICES)
    sub_status = models.CharField(
        _("储备库子状态"), max_length=16, choices=SUB_STATUS_CHOICES, blank=True
    )
    public_stage = models.CharField(_("公开阶段"), max_length=24)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    why = models.TextField(_("理由"), blank=True)
    evidence = models.JSONField(_("依据材料"), default=dict)
    reasons = models.JSONField(_("说明"), default=list)

    class Meta:
        verbose_name = _("阶段变更记录")
        verbose_name_plural = _("阶段变更记录")
        ordering = ["project", "at", "id"]

    def __str__(self) -> str:
        return f"{self.project}: {self.from_stage or '—'} → {self.to_stage}"
