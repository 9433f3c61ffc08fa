"""连片改造片区 — renovation blocks of adjacent communities (四(四)), and the barriers between them.

A bundling run (``geoapp.AnalysisRun`` of kind ``bundling``) proposes blocks; planners
accept, lock, merge, split and move communities between them through
:mod:`blocks.services`. Every change is kept by django-simple-history (who, when, why).

A community belongs to at most one *active* block: the membership row copies its
block's ``is_active`` flag and a partial unique constraint on ``community`` among
active memberships enforces it in the database.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import F, Func, Q
from django.db.models.lookups import In
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models import Community
from runs.models import AnalysisRun

SRID = settings.SRID


class Barrier(models.Model):
    """阻隔 — a river, railway or arterial road that separates neighbouring communities."""

    class Kind(models.TextChoices):
        RIVER = "river", _("河流")
        RAILWAY = "railway", _("铁路")
        ARTERIAL = "arterial", _("主干路")
        OTHER = "other", _("其他")

    code = models.CharField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=128, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    geom = models.GeometryField(_("线形"), srid=SRID, spatial_index=False)
    source_file = models.CharField(_("来源文件"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("阻隔要素")
        verbose_name_plural = _("阻隔要素")
        ordering = ["code"]
        indexes = [GistIndex(name="barrier_geom_gist", fields=["geom"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(geom__isvalid=True), name="barrier_geom_is_valid"
            ),
            models.CheckConstraint(
                condition=In(
                    Func(
                        F("geom"),
                        function="GeometryType",
                        output_field=models.CharField(),
                    ),
                    ["LINESTRING", "MULTILINESTRING"],
                ),
                name="barrier_geom_is_line",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.code


class RenovationBlock(models.Model):
    """连片改造片区 — a contiguous group of communities renovated together (四(四))."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("建议")
        ACCEPTED = "accepted", _("已确认")
        SUPERSEDED = "superseded", _("已被新分区取代")
        MERGED = "merged", _("已合并")

    code = models.CharField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    run = models.ForeignKey(
        AnalysisRun,
        on_delete=models.CASCADE,
        related_name="blocks",
        verbose_name=_("分区运行"),
    )
    group_code = models.CharField(_("所属街道/区县编码"), max_length=64, blank=True)
    members = models.ManyToManyField(
        Community,
        through="BlockMembership",
        related_name="renovation_blocks",
        verbose_name=_("成员小区"),
    )
    member_codes = models.JSONField(
        _("成员小区编码"),
        default=list,
        help_text=_("成员快照，随历史记录保存"),
    )
    geom = models.MultiPolygonField(_("片区范围"), srid=SRID, spatial_index=False)
    n_communities = models.PositiveIntegerField(_("小区数"), default=0)
    households = models.PositiveIntegerField(_("户数"), default=0)
    residents = models.PositiveIntegerField(_("居民人数"), null=True, blank=True)
    floor_area_m2 = models.FloatField(_("建筑面积（m²）"), default=0)
    completion_year_min = models.PositiveSmallIntegerField(
        _("最早建成年份"), null=True, blank=True
    )
    completion_year_max = models.PositiveSmallIntegerField(
        _("最晚建成年份"), null=True, blank=True
    )
    dangerous_buildings = models.PositiveIntegerField(_("C/D级危房栋数"), default=0)
    gaps_all = models.JSONField(_("全部成员缺失的设施"), default=list, blank=True)
    gaps_most = models.JSONField(_("多数成员缺失的设施"), default=list, blank=True)
    idle_land = models.JSONField(_("可利用闲置用地"), default=list, blank=True)
    vacant_housing = models.JSONField(_("可利用闲置公房"), default=list, blank=True)
    cost_estimate_yuan = models.DecimalField(
        _("基础类改造估算（元）"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
    )
    cost_basis = models.JSONField(_("估算依据"), default=dict, blank=True)
    below_floor = models.BooleanField(_("低于户数下限"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    locked = models.BooleanField(_("锁定"), default=False)
    is_active = models.BooleanField(_("有效"), default=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("连片改造片区")
        verbose_name_plural = _("连片改造片区")
        ordering = ["code"]
        indexes = [GistIndex(name="renovationblock_geom_gist", fields=["geom"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(geom__isvalid=True), name="renovationblock_geom_is_valid"
            ),
            models.CheckConstraint(
                condition=Q(is_active=False) | Q(status__in=["proposed", "accepted"]),
                name="renovationblock_active_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class BlockMembership(models.Model):
    """片区成员 — one community in one block; ``active`` mirrors the block's flag."""

    block = models.ForeignKey(
        RenovationBlock,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("片区"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="block_memberships",
        verbose_name=_("小区"),
    )
    active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("片区成员")
        verbose_name_plural = _("片区成员")
        constraints = [
            models.UniqueConstraint(
                fields=["community"],
                condition=Q(active=True),
                name="one_active_block_per_community",
            ),
            models.UniqueConstraint(
                fields=["block", "community"], name="blockmembership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community_id} ∈ {self.block_id}"
