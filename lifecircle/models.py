"""The life circle's rule sets (tiers, facility rules, capacity standards), the dated
population shares, and each run's results: per community, per facility, the network
islands. The tables keep their first names (``geoapp_…``)."""

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models import AmenityCategory, Community


class RuleSet(models.Model):
    """生活圈规则集 — tiers, walking profiles and facility rules (LIFECIRCLE.md), editable, versioned."""

    name = models.CharField(_("名称"), max_length=128, unique=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    description = models.TextField(_("说明"), blank=True)
    is_default = models.BooleanField(_("默认规则集"), default=False)
    distance_block_m = models.PositiveIntegerField(
        _("居住街坊步行距离（m）"),
        default=150,
        help_text=_(
            "GB 50180 未规定步行时间；默认 150 m（4 hm² 街坊半对角线），待核实"
        ),
    )
    distance_5_m = models.PositiveIntegerField(_("5 分钟步行距离（m）"), default=300)
    distance_10_m = models.PositiveIntegerField(_("10 分钟步行距离（m）"), default=500)
    distance_15_m = models.PositiveIntegerField(_("15 分钟步行距离（m）"), default=1000)
    strict_distance_15_m = models.PositiveIntegerField(
        _("15 分钟严格距离（m）"), default=800
    )
    adult_speed_m_per_min = models.FloatField(_("成人步速（m/min）"), default=66.7)
    elderly_speed_m_per_min = models.FloatField(_("老年人步速（m/min）"), default=55.0)
    #: the E2SFCA distance decay (analysis.rules.DistanceDecay), as in the fixture
    distance_decay = models.JSONField(_("距离衰减（E2SFCA）"), default=dict, blank=True)
    checklist = models.JSONField(
        _("完整居住社区及旧区改建规则"),
        default=dict,
        blank=True,
        help_text=_(
            "complete_community_items 与 old_area_rules：非步行距离的规则，"
            "每条带条款和核实标记"
        ),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(table_name="geoapp_historicalruleset")

    class Meta:
        db_table = "geoapp_ruleset"
        verbose_name = _("生活圈规则集")
        verbose_name_plural = _("生活圈规则集")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_ruleset",
            ),
            models.CheckConstraint(
                condition=models.Q(distance_block_m__lte=models.F("distance_5_m"))
                & models.Q(distance_5_m__lte=models.F("distance_10_m"))
                & models.Q(distance_10_m__lte=models.F("distance_15_m"))
                & models.Q(strict_distance_15_m__lte=models.F("distance_15_m")),
                name="ruleset_tiers_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class FacilityRule(models.Model):
    """A facility category's rule inside a rule set: tier, required, radius, minimum areas."""

    ruleset = models.ForeignKey(
        RuleSet,
        on_delete=models.CASCADE,
        related_name="rules",
        verbose_name=_("规则集"),
    )
    category = models.ForeignKey(
        AmenityCategory,
        on_delete=models.PROTECT,
        related_name="rules",
        verbose_name=_("设施类别"),
    )
    tier_minutes = models.PositiveSmallIntegerField(
        _("生活圈层级"), choices=AmenityCategory.Tier.choices
    )
    required = models.BooleanField(_("必配"), default=True)
    service_radius_m = models.PositiveIntegerField(_("服务半径（m）"))
    min_floor_area_m2 = models.FloatField(
        _("最小建筑面积（m²）"), null=True, blank=True
    )
    min_site_area_m2 = models.FloatField(_("最小用地面积（m²）"), null=True, blank=True)
    source_clause = models.CharField(_("依据条文"), max_length=255, blank=True)
    verified = models.BooleanField(_("已核实"), default=False)
    #: the capacity standard (千人指标…, analysis.rules.CapacityStandard), or null
    capacity = models.JSONField(_("容量标准（千人指标）"), null=True, blank=True)
    history = HistoricalRecords(table_name="geoapp_historicalfacilityrule")

    class Meta:
        db_table = "geoapp_facilityrule"
        verbose_name = _("设施配置规则")
        verbose_name_plural = _("设施配置规则")
        ordering = ["tier_minutes", "category__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["ruleset", "category"], name="one_rule_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} ({self.tier_minutes} min)"


class CoverageResult(models.Model):
    """One community's life-circle result in a run: distances, tiers met, gaps and score."""

    run = models.ForeignKey(
        "runs.AnalysisRun",
        on_delete=models.CASCADE,
        related_name="coverage",
        verbose_name=_("分析运行"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="coverage",
        verbose_name=_("小区"),
    )
    residents = models.PositiveIntegerField(_("居民人数（分析用）"), default=0)
    score = models.FloatField(_("覆盖得分"))
    tiers_met = models.JSONField(_("达标层级"), default=dict)
    missing = models.JSONField(_("缺失设施"), default=dict)
    distances_m = models.JSONField(_("步行距离（m）"), default=dict)
    reachable = models.BooleanField(_("可接入路网"), default=True)
    #: the capacity-aware result: {"score", "tiers_met", "missing", "categories":
    #: {code: {"demand", "ratio", "shortfall", "adequate"}}} (empty: not computed)
    capacity = models.JSONField(_("容量匹配（够不够）"), default=dict, blank=True)

    class Meta:
        db_table = "geoapp_coverageresult"
        verbose_name = _("生活圈结果")
        verbose_name_plural = _("生活圈结果")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "community"], name="one_result_per_community"
            )
        ]
        indexes = [models.Index(fields=["run", "score"], name="coverage_run_score")]

    def __str__(self) -> str:
        return f"{self.community_id} @ run {self.run_id}: {self.score:.0f}"


class NetworkIsland(models.Model):
    """路网孤岛 — a walk-network component a life-circle run left out of snapping.

    Components with fewer nodes than the run's ``min_component_nodes`` (footway
    fragments, campus paths cut off by an export box) reach nobody; facilities and
    community gates beside them snapped to the main network instead
    (:mod:`analysis.network`). Kept with the run so the planner can map them.
    """

    run = models.ForeignKey(
        "runs.AnalysisRun",
        on_delete=models.CASCADE,
        related_name="islands",
        verbose_name=_("分析运行"),
    )
    component = models.PositiveIntegerField(_("连通分量编号"))
    nodes = models.PositiveIntegerField(_("节点数"))
    edges = models.PositiveIntegerField(_("路段数"))
    length_m = models.FloatField(_("长度（m）"))
    amenities_nearest = models.PositiveIntegerField(
        _("最近路段在此的设施数"), default=0
    )
    access_points_nearest = models.PositiveIntegerField(
        _("最近路段在此的小区出入点数"), default=0
    )
    geom = gis_models.MultiLineStringField(_("线形"), srid=settings.SRID)

    class Meta:
        db_table = "geoapp_networkisland"
        verbose_name = _("路网孤岛")
        verbose_name_plural = _("路网孤岛")
        ordering = ["run", "-nodes", "component"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "component"], name="one_island_per_component"
            )
        ]

    def __str__(self) -> str:
        return f"island {self.component} ({self.nodes} nodes) @ run {self.run_id}"


class PopulationShares(models.Model):
    """人口结构比例 — one dated version of the target-group shares per district.

    Each version of ``fixtures/lifecircle/population_shares.json`` is one row
    (``data`` is the version as in the file); a life-circle run uses the version in
    force on its day (``analysis.capacity.target_shares``).
    """

    version_id = models.CharField(_("版本编号"), max_length=64, unique=True)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    data = models.JSONField(_("数据"))
    source = models.TextField(_("来源"), blank=True)
    history = HistoricalRecords(table_name="geoapp_historicalpopulationshares")

    class Meta:
        db_table = "geoapp_populationshares"
        verbose_name = _("目标人群比例")
        verbose_name_plural = _("目标人群比例")
        ordering = ["effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="geoapp_populationshares_period",
            )
        ]

    def __str__(self) -> str:
        return self.version_id


class ParkingRatios(models.Model):
    """停车需求配比 — one dated version of the parking spaces per household, by housing
    type and district.

    Each version of ``fixtures/lifecircle/parking_ratios.json`` is one row (``data`` is
    the version as in the file); the parking figures of a day use the version in force
    on it (``analysis.parking.parking_version``).
    """

    version_id = models.CharField(_("版本编号"), max_length=64, unique=True)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    data = models.JSONField(_("数据"))
    source = models.TextField(_("来源"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("停车需求配比")
        verbose_name_plural = _("停车需求配比")
        ordering = ["effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="lifecircle_parkingratios_period",
            )
        ]

    def __str__(self) -> str:
        return self.version_id


class FacilitySupply(models.Model):
    """A facility's supply in a life-circle run and where the figure comes from."""

    run = models.ForeignKey(
        "runs.AnalysisRun",
        on_delete=models.CASCADE,
        related_name="supply",
        verbose_name=_("分析运行"),
    )
    amenity_code = models.CharField(_("设施编码"), max_length=64)
    category = models.CharField(_("类别"), max_length=64)
    supply = models.FloatField(_("供给量"))
    unit = models.CharField(_("单位"), max_length=8)
    basis = models.CharField(_("依据"), max_length=16)
    note = models.TextField(_("说明"), blank=True)
    #: E2SFCA R_j: supply per weighted person of demand in reach (0: idle)
    ratio = models.FloatField(_("供需比"))

    class Meta:
        db_table = "geoapp_facilitysupply"
        verbose_name = _("设施供给")
        verbose_name_plural = _("设施供给")
        indexes = [models.Index(fields=["run", "category"], name="supply_run_category")]

    def __str__(self) -> str:
        return f"{self.amenity_code} @ run {self.run_id}: {self.supply:g} {self.unit}"
