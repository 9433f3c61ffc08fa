"""Source layers (DATA_MODEL.md): every geometry in settings.SRID, GiST-indexed, valid by constraint."""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .validation import validate_geometry

SRID = settings.SRID


class Stage(models.TextChoices):
    """Public renovation stages (四(二)–四(三), 六(四))."""

    NOT_STARTED = "not_started", _("未启动")
    APPLIED = "applied", _("已申请")
    PLANNED = "planned", _("方案已定")
    IN_RESERVE = "in_reserve", _("入储备库")
    IN_ANNUAL_PLAN = "in_annual_plan", _("列入年度计划")
    UNDER_CONSTRUCTION = "under_construction", _("施工中")
    ACCEPTED = "accepted", _("竣工验收")
    HANDED_OVER = "handed_over", _("已移交")
    POST_EVALUATED = "post_evaluated", _("已后评估")


class Tenure(models.TextChoices):
    STATE = "state", _("国有土地")
    COLLECTIVE = "collective", _("集体土地")


class HousingType(models.TextChoices):
    COMMODITY = "commodity", _("商品房")
    WORK_UNIT = "work_unit", _("单位房/房改房")
    RESETTLEMENT = "resettlement", _("安置房")
    AFFORDABLE = "affordable", _("保障房")
    VILLA = "villa", _("别墅")
    MIXED = "mixed", _("混合")


class PropertyManagement(models.TextChoices):
    NONE = "none", _("无物业")
    PROFESSIONAL = "professional", _("专业物业")
    SELF = "self", _("自治管理")


class Availability(models.TextChoices):
    AVAILABLE = "available", _("可利用")
    RESERVED = "reserved", _("已预留")
    USED = "used", _("已使用")


class LayerModel(models.Model):
    """Common fields: a stable code, timestamps, provenance; geometry checks in ``clean``."""

    geom_types: tuple[str, ...] = ()
    #: columns only roles that see private data read (accounts.permissions
    #: PRIVATE_READERS): every API, export and editor of the layer leaves them out
    #: for the others
    private_fields: tuple[str, ...] = ()

    code = models.CharField(_("编码"), max_length=64, unique=True)
    # optimistic concurrency: a save must name the version it started from
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    source_crs = models.CharField(_("来源坐标系"), max_length=64, blank=True)
    source_file = models.CharField(_("来源文件"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{getattr(self, 'name', '') or self.code}"

    def clean(self) -> None:
        super().clean()
        validate_geometry(self.geom, allowed=self.geom_types)


def _spatial_meta(prefix: str, *, geom: str = "geom") -> dict:
    """GiST index and validity constraint for a geometry field (Geotrek's pattern)."""
    return {
        "indexes": [GistIndex(name=f"{prefix}_{geom}_gist", fields=[geom])],
        "constraints": [
            models.CheckConstraint(
                condition=Q(**{f"{geom}__isvalid": True}),
                name=f"{prefix}_{geom}_is_valid",
            )
        ],
    }


class District(LayerModel):
    """区县 — a district; ``is_central`` marks the central urban districts (三(一): not 奉化)."""

    geom_types = ("MultiPolygon",)
    name = models.CharField(_("名称"), max_length=64)
    is_central = models.BooleanField(
        _("中心城区"),
        default=False,
        help_text=_(
            "市级财政 40% 补助适用（不含奉化区）；以 districts.json 所列为准，"
            "未列入的区县仅在此勾选后适用"
        ),
    )
    geom = models.MultiPolygonField(_("边界"), srid=SRID, spatial_index=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("区县")
        verbose_name_plural = _("区县")
        ordering = ["code"]
        indexes = _spatial_meta("district")["indexes"]
        constraints = _spatial_meta("district")["constraints"]


class Street(LayerModel):
    """街道 — a street office area inside a district."""

    geom_types = ("MultiPolygon",)
    name = models.CharField(_("名称"), max_length=64)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="streets",
        verbose_name=_("区县"),
    )
    geom = models.MultiPolygonField(_("边界"), srid=SRID, spatial_index=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("街道")
        verbose_name_plural = _("街道")
        ordering = ["code"]
        indexes = _spatial_meta("street")["indexes"]
        constraints = _spatial_meta("street")["constraints"]


class Community(LayerModel):
    """小区 — a residential community, the basic renovation unit (二(一))."""

    geom_types = ("MultiPolygon",)
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

    def clean(self) -> None:
        super().clean()
        validate_geometry(self.entrances, allowed=("MultiPoint",))


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


class IdleLand(LayerModel):
    """闲置用地 — 空地、荒地、闲置地、边角地, land freed by demolition, public green (四(四)3)."""

    class Kind(models.TextChoices):
        VACANT = "vacant", _("空地")
        WASTELAND = "wasteland", _("荒地")
        IDLE = "idle", _("闲置地")
        CORNER = "corner", _("边角地")
        DEMOLITION = "demolition", _("拆违腾退用地")
        GREEN = "green", _("公共绿地")

    class Consent(models.TextChoices):
        UNKNOWN = "unknown", _("未征询")
        ASKED = "asked", _("征询中")
        GRANTED = "granted", _("已同意")
        REFUSED = "refused", _("不同意")

    geom_types = ("Polygon",)
    private_fields = ("owner", "consent")
    name = models.CharField(_("名称"), max_length=128, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    owner = models.CharField(_("权属单位"), max_length=128, blank=True)
    tenure = models.CharField(
        _("土地性质"), max_length=16, choices=Tenure.choices, default=Tenure.STATE
    )
    consent = models.CharField(
        _("业主意见"), max_length=16, choices=Consent.choices, default=Consent.UNKNOWN
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=Availability.choices,
        default=Availability.AVAILABLE,
    )
    geom = models.PolygonField(_("范围"), srid=SRID, spatial_index=False)
    area_m2 = models.GeneratedField(
        expression=Func(F("geom"), function="ST_Area"),
        output_field=models.FloatField(),
        db_persist=True,
        verbose_name=_("面积（m²）"),
    )
    history = HistoricalRecords(excluded_fields=["area_m2"])

    class Meta:
        verbose_name = _("闲置用地")
        verbose_name_plural = _("闲置用地")
        ordering = ["code"]
        indexes = _spatial_meta("idleland")["indexes"]
        constraints = _spatial_meta("idleland")["constraints"]


class VacantHousing(LayerModel):
    """闲置公房 / 闲置商业用房 — vacant public housing or idle commercial space (四(四)3)."""

    class OwnerKind(models.TextChoices):
        PUBLIC = "public", _("公房")
        COMMERCIAL = "commercial", _("商业用房")
        WORK_UNIT = "work_unit", _("单位用房")

    geom_types = ("Point",)
    name = models.CharField(_("名称"), max_length=128, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    floor_area_m2 = models.FloatField(
        _("建筑面积（m²）"), validators=[MinValueValidator(0)]
    )
    floors = models.PositiveSmallIntegerField(_("层数"), default=1)
    owner_kind = models.CharField(
        _("产权类型"), max_length=16, choices=OwnerKind.choices
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=Availability.choices,
        default=Availability.AVAILABLE,
    )
    geom = models.PointField(_("位置"), srid=SRID, spatial_index=False)
    footprint = models.PolygonField(_("轮廓"), srid=SRID, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("闲置公房")
        verbose_name_plural = _("闲置公房")
        ordering = ["code"]
        indexes = _spatial_meta("vacanthousing")["indexes"]
        constraints = [
            *_spatial_meta("vacanthousing")["constraints"],
            *_spatial_meta("vacanthousing", geom="footprint")["constraints"],
        ]

    def clean(self) -> None:
        super().clean()
        validate_geometry(self.footprint, allowed=("Polygon",))


class AmenityCategory(models.Model):
    """配套设施类别 — a facility category of the life-circle standard (LIFECIRCLE.md), loaded as data."""

    class Tier(models.IntegerChoices):
        #: 居住街坊: no walking time in GB 50180; keyed as 3 minutes (150 m)
        BLOCK = 3, _("居住街坊")
        FIVE = 5, _("五分钟生活圈")
        TEN = 10, _("十分钟生活圈")
        FIFTEEN = 15, _("十五分钟生活圈")

    code = models.CharField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    tier_minutes = models.PositiveSmallIntegerField(
        _("生活圈层级"), choices=Tier.choices
    )
    required = models.BooleanField(_("必配"), default=True)
    service_radius_m = models.PositiveIntegerField(_("服务半径（m）"))
    min_floor_area_m2 = models.FloatField(
        _("最小建筑面积（m²）"), null=True, blank=True
    )
    min_site_area_m2 = models.FloatField(_("最小用地面积（m²）"), null=True, blank=True)
    source_clause = models.CharField(_("依据条文"), max_length=255, blank=True)
    verified = models.BooleanField(
        _("已核实"), default=False, help_text=_("数值已对照标准原文核实")
    )

    class Meta:
        verbose_name = _("设施类别")
        verbose_name_plural = _("设施类别")
        ordering = ["tier_minutes", "code"]

    def __str__(self) -> str:
        return self.name


class Amenity(LayerModel):
    """配套设施 — an existing service facility (elderly care, childcare, clinic, market, parcel locker…)."""

    geom_types = ("Point",)
    name = models.CharField(_("名称"), max_length=128, blank=True)
    category = models.ForeignKey(
        AmenityCategory,
        on_delete=models.PROTECT,
        related_name="amenities",
        verbose_name=_("类别"),
    )
    capacity = models.PositiveIntegerField(_("服务能力"), null=True, blank=True)
    floor_area_m2 = models.FloatField(
        _("建筑面积（m²）"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    source = models.CharField(_("数据来源"), max_length=64, blank=True)
    geom = models.PointField(_("位置"), srid=SRID, spatial_index=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("配套设施")
        verbose_name_plural = _("配套设施")
        ordering = ["code"]
        indexes = _spatial_meta("amenity")["indexes"]
        constraints = _spatial_meta("amenity")["constraints"]


class WalkSegment(LayerModel):
    """步行网络 — one walkable street segment between two intersections."""

    class Kind(models.TextChoices):
        ARTERIAL = "arterial", _("主干路")
        SECONDARY = "secondary", _("次干路")
        LOCAL = "local", _("支路")
        ALLEY = "alley", _("街巷")
        FOOTWAY = "footway", _("步行道")
        BRIDGE = "bridge", _("桥梁")

    geom_types = ("LineString",)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=128, blank=True)
    is_barrier = models.BooleanField(_("阻隔（不可横穿）"), default=False)
    is_crossing = models.BooleanField(_("过街设施"), default=False)
    geom = models.LineStringField(_("线形"), srid=SRID, spatial_index=False)
    length_m = models.GeneratedField(
        expression=Func(F("geom"), function="ST_Length"),
        output_field=models.FloatField(),
        db_persist=True,
        verbose_name=_("长度（m）"),
    )

    class Meta:
        verbose_name = _("步行路段")
        verbose_name_plural = _("步行网络")
        ordering = ["code"]
        indexes = _spatial_meta("walksegment")["indexes"]
        constraints = _spatial_meta("walksegment")["constraints"]


class PopulationRaster(models.Model):
    """人口栅格 — a GeoTIFF on disk (rasterio) registered with its extent, CRS, resolution and units."""

    name = models.CharField(_("名称"), max_length=128, unique=True)
    path = models.CharField(_("文件路径"), max_length=500)
    srid = models.PositiveIntegerField(_("坐标系 EPSG"))
    resolution_m = models.FloatField(
        _("分辨率（m）"), validators=[MinValueValidator(0.01)]
    )
    width = models.PositiveIntegerField(_("列数"))
    height = models.PositiveIntegerField(_("行数"))
    units = models.CharField(_("单位"), max_length=64, default="人/格")
    total = models.FloatField(_("总量"), default=0)
    extent = models.PolygonField(_("范围"), srid=SRID, spatial_index=False)
    source_file = models.CharField(_("来源文件"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人口栅格")
        verbose_name_plural = _("人口栅格")
        indexes = [GistIndex(name="poprast_extent_gist", fields=["extent"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(extent__isvalid=True), name="poprast_extent_is_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class LayerStamp(models.Model):
    """图层变更戳 — one row per source layer, kept by statement-level triggers.

    Written only by the trigger function of migration 0004 (see layers/stamps.py);
    never save these rows from Python.
    """

    layer = models.TextField(_("图层"), primary_key=True)
    epoch = models.BigIntegerField(
        _("纪元"), help_text=_("行首次写入时的随机数；清空重建后随之改变")
    )
    version = models.BigIntegerField(
        _("版本"), default=0, help_text=_("每条修改数据的语句加一")
    )
    changed_at = models.DateTimeField(
        _("最近变更时间"), null=True, blank=True, help_text=_("修改事务的开始时间")
    )

    class Meta:
        verbose_name = _("图层变更戳")
        verbose_name_plural = _("图层变更戳")
        ordering = ["layer"]

    def __str__(self) -> str:
        return f"{self.layer} {self.epoch}:{self.version}"


class MappingTemplate(models.Model):
    """字段映射模板 — a named column mapping for a layer, saved from the upload page.

    ``mapping`` is the mapping-file form (``fields``, ``values``, ``key``, ``ignore``;
    :meth:`layers.io.mapping.FieldMapping.to_dict`), so a template exports as a YAML
    mapping file and back.
    """

    name = models.CharField(_("名称"), max_length=64)
    layer = models.CharField(_("图层"), max_length=32)
    mapping = models.JSONField(_("字段映射"))
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

    class Meta:
        verbose_name = _("字段映射模板")
        verbose_name_plural = _("字段映射模板")
        ordering = ["layer", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["layer", "name"], name="mappingtemplate_layer_name_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.layer})"


class BasemapFeature(LayerModel):
    """底图要素 — water, rivers, parks, main roads and building footprints drawn under the
    layers when no online tile service is configured (``import_osm``, the demo city)."""

    class Kind(models.TextChoices):
        WATER = "water", _("水域")
        RIVER = "river", _("河流（线）")
        PARK = "park", _("公园绿地")
        ROAD = "road", _("主要道路")
        BUILDING = "building", _("建筑")

    geom_types = ("Polygon", "MultiPolygon", "LineString", "MultiLineString")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=128, blank=True)
    road_class = models.CharField(
        _("道路等级"), max_length=32, blank=True, help_text=_("OSM highway 值")
    )
    levels = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    source = models.CharField(_("数据来源"), max_length=64, blank=True)
    geom = models.GeometryField(_("几何"), srid=SRID, spatial_index=False)

    class Meta:
        verbose_name = _("底图要素")
        verbose_name_plural = _("底图要素")
        ordering = ["code"]
        indexes = [
            *_spatial_meta("basemap")["indexes"],
            models.Index(fields=["kind"], name="basemap_kind_idx"),
        ]
        constraints = _spatial_meta("basemap")["constraints"]


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
