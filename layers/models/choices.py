"""The choice lists of the source layers (stage, tenure, housing type, management, availability)."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _


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
    WORK_UNIT = "work_unit", _("单位托管")


class ServiceLevel(models.TextChoices):
    """物业服务等级 (五(二)): 一级 is the highest; the fee range of each level is dated
    data (fixtures/programme/property_fees.json)."""

    LEVEL_1 = "1", _("一级")
    LEVEL_2 = "2", _("二级")
    LEVEL_3 = "3", _("三级")
    LEVEL_4 = "4", _("四级")
    LEVEL_5 = "5", _("五级")


class Availability(models.TextChoices):
    AVAILABLE = "available", _("可利用")
    RESERVED = "reserved", _("已预留")
    USED = "used", _("已使用")
