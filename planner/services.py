"""Editing features from the map: create, update, delete, undo — permission-checked,
version-checked (no silent overwrite), validated field by field, kept in history."""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from accounts import permissions
from layers import history_text
from layers.crs import transformed
from layers.models import AmenityCategory, Community
from layers.registry import LAYERS, LayerSpec
from layers.validation import validate_geometry

from . import sql
from .models import PlanningArea

MAX_GEOJSON_DEPTH = 6  # a MultiPolygon's coordinates are 4 levels deep


@dataclass(frozen=True)
class Kind:
    model: type[models.Model]
    prefix: str
    fields: tuple[str, ...]
    polygon: bool = False
    multi: bool = False

    @property
    def table(self) -> str:
        return self.model._meta.db_table


def _kind(spec: LayerSpec) -> Kind:
    """A drawable source layer: its attributes and code prefix from the registry, its
    geometry type from the model."""
    geom_type = spec.model._meta.get_field("geom").geom_type
    return Kind(
        spec.model,
        spec.code_prefix,
        spec.attributes,
        polygon=geom_type in ("POLYGON", "MULTIPOLYGON"),
        multi=geom_type.startswith("MULTI"),
    )


KINDS: dict[str, Kind] = {
    "planning_area": Kind(
        PlanningArea,
        "PA",
        ("name", "kind", "notes"),
        polygon=True,
        multi=True,
    ),
    **{spec.key: _kind(spec) for spec in LAYERS if spec.attributes},
}


class Conflict(Exception):
    """The feature changed since the client read it: the save is refused."""

    def __init__(self, current: Any):
        super().__init__(
            _("该要素已被他人修改（当前版本 %(v)d），请刷新后再保存。")
            % {"v": current.version}
        )
        self.current = current


@dataclass
class Outcome:
    obj: Any
    warnings: list[str] = field(default_factory=list)


def kind_get(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError as exc:
        raise ValidationError({"kind": _("未知图层：%(k)s") % {"k": kind}}) from exc


def _depth(value: Any, limit: int) -> int:
    depth, level = 0, [value]
    while level:
        depth += 1
        if depth > limit:
            return depth
        level = [v for item in level if isinstance(item, list) for v in item]
    return depth


def geometry_from_geojson(data: Any, kind: Kind) -> GEOSGeometry:
    """A GeoJSON geometry in EPSG:4326 → a valid geometry in settings.SRID, or ValidationError."""
    if not isinstance(data, dict) or "type" not in data or "coordinates" not in data:
        raise ValidationError({"geometry": _("几何图形应为 GeoJSON 几何对象。")})
    if _depth(data["coordinates"], MAX_GEOJSON_DEPTH) > MAX_GEOJSON_DEPTH:
        raise ValidationError({"geometry": _("几何图形嵌套过深。")})
    flat = data["coordinates"]
    while isinstance(flat, list) and flat and isinstance(flat[0], list):
        flat = [c for part in flat for c in part]
    if any(not isinstance(c, (int, float)) or not math.isfinite(c) for c in flat):
        raise ValidationError(
            {"geometry": _("坐标必须是有限数值（不接受 NaN、Infinity）。")}
        )
    try:
        geom = GEOSGeometry(
            json.dumps({"type": data["type"], "coordinates": data["coordinates"]})
        )
    except (GEOSException, ValueError, TypeError) as exc:
        raise ValidationError(
            {"geometry": _("无法解析几何图形：%(e)s") % {"e": exc}}
        ) from exc
    geom.srid = settings.API_SRID
    if kind.multi and geom.geom_type == "Polygon":
        geom = MultiPolygon(geom, srid=settings.API_SRID)
    try:
        validate_geometry(geom, allowed=kind.model.geom_types)
    except ValidationError as exc:
        raise ValidationError({"geometry": exc.messages}) from exc
    return transformed(geom, settings.SRID)


def _assign(obj: Any, kind: Kind, data: dict[str, Any]) -> None:
    unknown = set(data) - set(kind.fields)
    if unknown:
        raise ValidationError({f: _("该字段不可编辑。") for f in sorted(unknown)})
    for name, value in data.items():
        if name == "category":
            cat = AmenityCategory.objects.filter(code=value).first()
            if cat is None:
                raise ValidationError(
                    {"category": _("未知设施类别：%(c)s") % {"c": value}}
                )
            obj.category = cat
        else:
            setattr(obj, name, value)


def _finish(obj: Any, kind: Kind, *, user, reason: str, snap_m: float) -> list[str]:
    warnings: list[str] = []
    if kind.polygon and snap_m > 0 and obj.geom is not None:
        snapped, moved = sql.snap_to_boundaries(obj.geom, snap_m)
        if moved:
            obj.geom = snapped
            warnings.append(
                _("已吸附 %(n)d 个顶点到相邻边界（容差 %(t)s m）。")
                % {"n": moved, "t": snap_m}
            )
    if kind.polygon and obj.geom is not None:
        for code, name, area in sql.overlaps(kind.table, obj.geom, exclude_pk=obj.pk):
            warnings.append(
                _("与同图层要素 %(n)s（%(c)s）重叠 %(a).0f m²。")
                % {"n": name or code, "c": code, "a": area}
            )
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    obj._history_user = permissions.user_of(user)
    obj._change_reason = reason
    obj.save()
    return warnings


@transaction.atomic
def feature_create(
    *, kind: str, data: dict[str, Any], geometry: Any, user, snap_m: float = 2.0
) -> Outcome:
    k = kind_get(kind)
    if k.model is Community:
        raise ValidationError({"kind": _("小区请通过导入添加。")})
    geom = geometry_from_geojson(geometry, k)
    permissions.check_geometry(user, geom, _("新建要素"))
    obj = k.model(
        code=f"{k.prefix}-{uuid.uuid4().hex[:10]}",
        geom=geom,
        source_crs="EPSG:4326",
        source_file="planner",
    )
    if k.model is PlanningArea:
        obj.created_by = user
    _assign(obj, k, data)
    warnings = _finish(obj, k, user=user, reason=history_text.CREATED, snap_m=snap_m)
    return Outcome(obj, warnings)


def _locked(k: Kind, code: str):
    obj = k.model.objects.select_for_update().filter(code=code).first()
    if obj is None:
        raise k.model.DoesNotExist(code)
    return obj


@transaction.atomic
def feature_update(
    *,
    kind: str,
    code: str,
    version: int,
    data: dict[str, Any],
    geometry: Any = None,
    user,
    snap_m: float = 2.0,
) -> Outcome:
    """Save changes made from ``version``; refuse (Conflict) if someone saved in between."""
    k = kind_get(kind)
    obj = _locked(k, code)  # row lock: two saves cannot both pass the version check
    what = _("编辑要素")
    if k.model is Community:
        # street staff edit their street's attributes; the outline is the planners'
        permissions.check_community(user, obj, what, street_staff=geometry is None)
    if k.model is not Community or geometry is not None:
        permissions.check_geometry(user, obj.geom, what)  # the stored geometry
    if obj.version != version:
        raise Conflict(obj)
    if geometry is not None:
        geom = geometry_from_geojson(geometry, k)
        permissions.check_geometry(user, geom, what)  # and where it would move to
        obj.geom = geom
    _assign(obj, k, data)
    obj.version += 1
    warnings = _finish(
        obj, k, user=user, reason=history_text.EDITED, snap_m=snap_m if geometry else 0
    )
    return Outcome(obj, warnings)


@transaction.atomic
def feature_delete(*, kind: str, code: str, version: int, user) -> None:
    k = kind_get(kind)
    if k.model is Community:
        raise ValidationError({"kind": _("小区不能在地图上删除。")})
    obj = _locked(k, code)
    permissions.check_geometry(user, obj.geom, _("删除要素"))
    if obj.version != version:
        raise Conflict(obj)
    obj._history_user = permissions.user_of(user)
    obj._change_reason = history_text.DELETED
    obj.delete()


@transaction.atomic
def feature_undo(*, kind: str, code: str, user) -> Outcome:
    """Return a feature to its state before the last change (a deleted one is restored)."""
    k = kind_get(kind)
    hist = k.model.history.filter(code=code).order_by("-history_date", "-history_id")
    last = hist.first()
    if last is None:
        raise k.model.DoesNotExist(code)
    # who may undo is decided before anything about the history is told
    permissions.check_geometry(user, last.instance.geom, _("撤销修改"))
    if last.history_type == "-":
        obj = last.instance
        obj.version = last.version + 1
        obj._history_user = permissions.user_of(user)
        obj._change_reason = history_text.UNDELETED
        obj.save()
        return Outcome(obj)
    previous = hist[1] if hist.count() > 1 else None
    if previous is None:
        raise ValidationError({"history": _("没有可撤销的修改（这是第一个版本）。")})
    obj = _locked(k, code)
    permissions.check_geometry(user, obj.geom, _("撤销修改"))
    restored = previous.instance
    permissions.check_geometry(user, restored.geom, _("撤销修改"))
    restored.version = obj.version + 1
    restored._history_user = permissions.user_of(user)
    restored._change_reason = history_text.UNDONE
    restored.save()
    return Outcome(restored)


def feature_history(*, kind: str, code: str) -> list[dict[str, Any]]:
    k = kind_get(kind)
    rows = (
        k.model.history.filter(code=code)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:100]
    )
    return [
        {
            "version": h.version,
            "when": h.history_date.isoformat(),
            "who": h.history_user.get_username() if h.history_user else None,
            "what": history_text.history_type_label(h.history_type),
            "reason": history_text.change_reason_label(h.history_change_reason),
        }
        for h in rows
    ]
