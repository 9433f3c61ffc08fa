"""Communities (小区), their photos and the OSM community candidates."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models.base import SRID, LayerModel, _spatial_meta
from layers.models.choices import (
    HousingType,
    PropertyManagement,
    ServiceLevel,
    Stage,
    Tenure,
)
from layers.models.districts import District, Street


class Community(LayerModel):
    """小区 — a residential community, the basic renovation unit (二(一))."""

    geom_types = ("MultiPolygon",)
    extra_geometries = {"entrances": ("MultiPoint",)}
    private_fields = (
        "in_shanty_plan",
        "in_expropriation_plan",
        "internal_notes",
        "fund_balance_yuan",
        "fund_standard_yuan",
    )
    name = models.CharField(_("小区名称"), max_length=128, db_index=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="communities",
        verbose_name=_("区县"),
    )
    street = models.ForeignKey(
        Street,
        on_delete=models.PROTECT,
        related_name="communities",
        verbose_name=_("街道"),
        null=True,
        blank=True,
    )
    committee = models.CharField(_("社区（居委会）"), max_length=64, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    geom = models.MultiPolygonField(_("范围"), srid=SRID, spatial_index=False)
    entrances = models.MultiPointField(
        _("出入口"), srid=SRID, spatial_index=False, null=True, blank=True
    )
    completion_year = models.PositiveSmallIntegerField(
        _("建成年份"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    land_tenure = models.CharField(
        _("土地性质"), max_length=16, choices=Tenure.choices, default=Tenure.STATE
    )
    housing_type = models.CharField(
        _("房屋类型"),
        max_length=16,
        choices=HousingType.choices,
        default=HousingType.COMMODITY,
    )
    buildings = models.PositiveIntegerField(_("楼栋数"), default=0)
    max_floors = models.PositiveSmallIntegerField(
        _("最高层数"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    households = models.PositiveIntegerField(
        _("户数"), validators=[MaxValueValidator(100_000)]
    )
    households_estimated = models.BooleanField(
        _("户数为估算"),
        default=False,
        help_text=_("由建筑轮廓 × 层数估算（OpenStreetMap 候选小区），待实地核实"),
    )
    residents = models.PositiveIntegerField(
        _("居民人数"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(400_000)],
        help_text=_("为空时由人口栅格分区统计估算"),
    )
    floor_area_m2 = models.FloatField(
        _("建筑面积（m²）"), default=0, validators=[MinValueValidator(0)]
    )
    lifts = models.PositiveIntegerField(_("现有电梯数"), default=0)
    parking_spaces = models.PositiveIntegerField(
        _("现有停车位"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100_000)],
        help_text=_("调查所得的小区内机动车停车位数；为空表示未调查"),
    )
    in_shanty_plan = models.BooleanField(_("列入棚改计划"), default=False)
    in_expropriation_plan = models.BooleanField(_("列入征收计划"), default=False)
    repairable = models.BooleanField(
        _("可维修加固使用"),
        default=True,
        help_text=_("楼房可维修加固后继续使用（二(一)）；经鉴定不能维修加固的填否"),
    )
    dangerous_c = models.PositiveIntegerField(_("C级危房栋数"), default=0)
    dangerous_d = models.PositiveIntegerField(_("D级危房栋数"), default=0)
    property_management = models.CharField(
        _("物业管理"),
        max_length=16,
        choices=PropertyManagement.choices,
        default=PropertyManagement.NONE,
    )
    # governance (五(一), 五(二)): analysis/governance.py reads these
    owners_committee = models.BooleanField(_("已成立业主委员会"), default=False)
    owners_committee_formed_on = models.DateField(
        _("业主委员会成立日期"), null=True, blank=True
    )
    property_since = models.DateField(_("现行物业管理起始日期"), null=True, blank=True)
    property_company = models.CharField(_("物业服务企业"), max_length=128, blank=True)
    service_level = models.CharField(
        _("物业服务等级"),
        max_length=2,
        choices=ServiceLevel.choices,
        blank=True,
    )
    property_fee = models.DecimalField(
        _("物业服务费（元/m²·月）"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    fund_balance_yuan = models.DecimalField(
        _("维修资金余额（元）"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    fund_standard_yuan = models.DecimalField(
        _("新建项目维修资金标准（元）"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    stage = models.CharField(
        _("改造阶段"),
        max_length=24,
        choices=Stage.choices,
        default=Stage.NOT_STARTED,
        db_index=True,
    )
    public_notes = models.TextField(_("公开说明"), blank=True)
    internal_notes = models.TextField(
        _("内部备注"), blank=True, help_text=_("不对公众公开")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["code"]
        indexes = [
            *_spatial_meta("community")["indexes"],
            GistIndex(name="community_entrances_gist", fields=["entrances"]),
        ]
        constraints = [
            *_spatial_meta("community")["constraints"],
            models.CheckConstraint(
                condition=Q(households__gte=0) & Q(floor_area_m2__gte=0),
                name="community_nonnegative_counts",
            ),
        ]


class CommunityPhoto(models.Model):
    """改造前后照片 — before/after photos shown to the public (六(四))."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("改造前")
        AFTER = "after", _("改造后")

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("小区"),
    )
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    image = models.FileField(_("图片"), upload_to="photos/%Y/")
    caption = models.CharField(_("说明"), max_length=255, blank=True)
    taken_on = models.DateField(_("拍摄日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("小区照片")
        verbose_name_plural = _("小区照片")


class CommunityCandidate(models.Model):
    """候选小区 — a residential area found in OpenStreetMap (``landuse=residential``),
    waiting for a planner: confirmed with a completion year and a household count it
    becomes a :class:`Community` and enters the analyses; until then it does not."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        CONFIRMED = "confirmed", _("已确认")
        DISMISSED = "dismissed", _("已排除")

    code = models.CharField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=128, blank=True)
    geom = models.MultiPolygonField(_("范围"), srid=SRID, spatial_index=False)
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区县"),
    )
    source = models.CharField(_("数据来源"), max_length=64, blank=True)
    source_file = models.CharField(_("来源文件"), max_length=255, blank=True)
    buildings = models.PositiveIntegerField(_("建筑数"), default=0)
    buildings_with_levels = models.PositiveIntegerField(
        _("标注层数的建筑数"), default=0
    )
    floor_area_m2 = models.FloatField(_("估算建筑面积（m²）"), default=0)
    households_estimate = models.PositiveIntegerField(
        _("估算户数"), null=True, blank=True
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认后的小区"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("候选小区")
        verbose_name_plural = _("候选小区")
        ordering = ["status", "name", "code"]
        indexes = _spatial_meta("candidate")["indexes"]
        constraints = _spatial_meta("candidate")["constraints"]

    def __str__(self) -> str:
        return self.name or self.code
