"""Renovation programme records: data versions, works, projects, votes, plans.

The rules live in ``analysis`` (pure functions); these models store their
inputs and results. Writes go through :mod:`programme.services` only.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from analysis.reserve import RESERVE_SUB_STATUSES
from analysis.stages import STAGES
from layers.models import Community, District

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
ZERO = MinValueValidator(0)


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
        return f"{self.name_zh}（{self.get_category_display()}）"


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
        return f"{self.project} — {self.works_item.name_zh}"


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
