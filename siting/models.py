"""Siting results: the ranked candidates of a siting run and scenarios saved from it.

A siting run itself is a :class:`runs.models.AnalysisRun` with ``kind=siting``; its
``parameters`` and ``summary`` hold the inputs, objectives, gaps, times and the
explanation of the chosen sites. The candidate rows keep a snapshot of each plot (name,
owner, consent, area, geometry) so that a result stays readable after the layer changes.
"""

from django.conf import settings
from django.contrib.gis.db import models as gis
from django.db import models
from django.utils.translation import gettext_lazy as _

from runs.models import AnalysisRun


class CandidateKind(models.TextChoices):
    IDLE_LAND = "idle_land", _("闲置用地")
    VACANT_HOUSING = "vacant_housing", _("闲置公房")


class SitingCandidateResult(models.Model):
    """One candidate site of a siting run: stand-alone rank and gain, chosen flags, who it serves."""

    run = models.ForeignKey(
        AnalysisRun,
        on_delete=models.CASCADE,
        related_name="siting_candidates",
        verbose_name=_("分析运行"),
    )
    category = models.CharField(_("设施类别"), max_length=64)
    candidate_kind = models.CharField(
        _("候选类型"), max_length=16, choices=CandidateKind.choices
    )
    candidate_code = models.CharField(_("候选编码"), max_length=64)
    name = models.CharField(_("名称"), max_length=128, blank=True)
    kind = models.CharField(_("用地类型"), max_length=32, blank=True)
    owner = models.CharField(_("权属"), max_length=128, blank=True)
    consent = models.CharField(_("业主意见"), max_length=16, blank=True)
    area_m2 = models.FloatField(_("可用面积（m²）"), null=True, blank=True)
    area_basis = models.CharField(_("面积口径"), max_length=8, blank=True)
    district_code = models.CharField(_("区县"), max_length=64, blank=True)
    rank = models.PositiveIntegerField(_("单独排名"))
    gain_residents = models.PositiveIntegerField(_("新增覆盖居民"), default=0)
    gain_communities = models.PositiveIntegerField(_("新增覆盖小区"), default=0)
    chosen_greedy = models.BooleanField(_("贪心方案入选"), default=False)
    chosen_exact = models.BooleanField(_("精确方案入选"), default=False)
    reachable = models.BooleanField(_("接入路网"), default=True)
    parking_spaces = models.PositiveIntegerField(_("可建停车位"), default=0)
    parking_gap_reduced = models.PositiveIntegerField(
        _("可减停车缺口"),
        default=0,
        help_text=_("改作停车时，步行范围内小区停车缺口可减少的车位数"),
    )
    prefer_parking = models.BooleanField(_("宜作停车"), default=False)
    served = models.JSONField(_("服务小区"), default=list, blank=True)
    geom = gis.GeometryField(_("位置"), srid=settings.SRID)

    class Meta:
        verbose_name = _("选址候选结果")
        verbose_name_plural = _("选址候选结果")
        ordering = ["run", "category", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "category", "candidate_kind", "candidate_code"],
                name="siting_one_result_per_candidate",
            )
        ]
        indexes = [models.Index(fields=["run", "category", "rank"])]

    def __str__(self) -> str:
        return f"#{self.rank} {self.candidate_code} ({self.category})"


class SitingScenario(models.Model):
    """选址方案 — a recommendation of a siting run handed over for a what-if check, or
    the hypothetical sites a planner placed on the map in a life-circle what-if.

    A siting scenario (greedy, exact) has its ``run`` and names candidates in ``chosen``;
    a what-if scenario (``whatif``) has its ``lifecircle_run`` and the placed ``sites``
    ({category, lon, lat, capacity}), and the district it belongs to (``district_code``:
    the author's district for a district planner, else the district of its first site).
    """

    class Method(models.TextChoices):
        GREEDY = "greedy", _("贪心")
        EXACT = "exact", _("精确（HiGHS）")
        WHATIF = "whatif", _("生活圈假设")

    name = models.CharField(_("名称"), max_length=128)
    run = models.ForeignKey(
        AnalysisRun,
        on_delete=models.CASCADE,
        related_name="siting_scenarios",
        verbose_name=_("选址分析"),
        null=True,
        blank=True,
    )
    lifecircle_run = models.ForeignKey(
        AnalysisRun,
        on_delete=models.SET_NULL,
        related_name="whatif_scenarios",
        verbose_name=_("生活圈分析"),
        null=True,
        blank=True,
    )
    sites = models.JSONField(
        _("假设设施"),
        default=list,
        blank=True,
        help_text=_("[{category, lon, lat, capacity}]"),
    )
    district_code = models.CharField(_("区县"), max_length=64, blank=True)
    method = models.CharField(
        _("方案来源"), max_length=8, choices=Method.choices, default=Method.EXACT
    )
    chosen = models.JSONField(
        _("入选候选"),
        default=list,
        help_text=_("[{category, candidate_kind, candidate_code}]"),
    )
    notes = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("选址方案")
        verbose_name_plural = _("选址方案")
        ordering = ["-created_at"]
        constraints = [
            # a siting scenario comes from its siting run; a what-if one has sites
            models.CheckConstraint(
                condition=(
                    models.Q(method="whatif", run__isnull=True)
                    | (~models.Q(method="whatif") & models.Q(run__isnull=False))
                ),
                name="siting_scenario_source",
            )
        ]

    def __str__(self) -> str:
        return self.name
