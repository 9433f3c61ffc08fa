"""A layer's rows from a file: convert, resolve keys, check rights, validate, upsert."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models as djmodels
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from layers import models
from layers.dbcopy import insert_history, insert_objects, update_objects
from layers.importing.results import (
    ADMIN_ONLY_LAYERS,
    FOREIGN_KEYS,
    GENERATED_CODE,
    LAYER_MODELS,
    ImportRefused,
)
from layers.io.errors import ImportRejected
from layers.io.geometry import ImportReport, RowIssue
from layers.io.mapping import FieldMapping, apply_mapping
from layers.io.schemas import LAYERS

if TYPE_CHECKING:
    import shapely


def _blank(v: Any) -> bool:
    if v is None:
        return True
    try:
        if v != v:  # NaN / NA
            return True
    except (TypeError, ValueError):
        return str(v) == "<NA>"
    return isinstance(v, str) and not v.strip()


def _py(v: Any) -> Any:
    if _blank(v):
        return None
    return v.item() if hasattr(v, "item") else v


def _stem(name: str) -> str:
    stem = Path(name).name
    for suf in Path(stem).suffixes:
        stem = stem.removesuffix(suf)
    stem = re.sub(r"[^\w\-]", "_", stem).strip("_") or "import"
    return stem[:40]


def _recount(report: ImportReport) -> None:
    report.issues.sort(key=lambda i: (i.row, i.status))
    report.rejected = len({i.row for i in report.issues if i.status == "rejected"})
    report.repaired = len({i.row for i in report.issues if i.status == "repaired"})


def _geos(geom) -> GEOSGeometry:
    return GEOSGeometry(memoryview(geom.wkb), srid=settings.SRID)


def _validation_text(exc: ValidationError) -> list[tuple[str | None, str]]:
    if hasattr(exc, "error_dict"):
        out = []
        for name, errs in exc.message_dict.items():
            col = None if name == "__all__" else name
            out += [(col, str(m)) for m in errs]
        return out
    return [(None, str(m)) for m in exc.messages]


def _adapt_geometry(geom, target: str):
    """Bring a checked geometry to the layer's stored type; returns (geom, note, error)."""
    import shapely

    gtype = geom.geom_type
    if target == "Point":
        if gtype == "Point":
            return geom, None, None
        if gtype == "MultiPoint" and len(geom.geoms) == 1:
            return geom.geoms[0], None, None
        if gtype in ("Polygon", "MultiPolygon"):
            return shapely.point_on_surface(geom), "polygon", None
        return None, None, f"geometry type {gtype}, expected Point"
    if target == "Polygon" and gtype == "MultiPolygon":
        if len(geom.geoms) == 1:
            return geom.geoms[0], None, None
        return None, None, "MultiPolygon with several parts, expected one Polygon"
    if target == "LineString" and gtype == "MultiLineString":
        if len(geom.geoms) == 1:
            return geom.geoms[0], None, None
        return None, None, "MultiLineString with several parts, expected LineString"
    if target == "MultiPolygon" and gtype == "Polygon":
        return shapely.MultiPolygon([geom]), None, None
    return geom, None, None


class _Resolver:
    """Foreign keys by code or name (cached), a community's district by location."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], Any] = {}
        self.categories = {c.code: c for c in models.AmenityCategory.objects.all()}
        self._districts: list[tuple[models.District, Any]] | None = None

    def get(self, model, value: str):
        key = (model.__name__, value)
        if key not in self._cache:
            obj = model.objects.filter(code=value).first()
            if obj is None:
                matches = list(model.objects.filter(name=value)[:2])
                obj = matches[0] if len(matches) == 1 else None
            self._cache[key] = obj
        return self._cache[key]

    def district_at(self, geom: GEOSGeometry):
        if self._districts is None:
            self._districts = [
                (d, d.geom.prepared) for d in models.District.objects.all()
            ]
        p = geom.point_on_surface
        for d, prepared in self._districts:
            if prepared.contains(p):
                return d
        return None


def _check_permission(user, layer: str, prepared: _Prepared | None) -> None:
    """SECURITY F5, before anything is written: boundaries and rasters are the city
    administrator's; a district planner imports only rows of their district, an update
    judged on the row *as stored* and as it would become (its district and its geometry's
    point on surface), so a file cannot move another district's row into theirs."""
    what = _("导入数据")
    actor = permissions.require(user, permissions.PLANNERS, what)
    if actor.city_wide:
        return
    if layer in ADMIN_ONLY_LAYERS:
        raise PermissionDenied(_("只有市级管理员可以导入该图层。"))
    if prepared is None:
        return
    for row, obj, _is_new, _fields in prepared.objects:
        for state, (geom, district_id) in (
            ("stored", prepared.stored.get(row, (None, None))),
            ("new", (obj.geom, getattr(obj, "district_id", None))),
        ):
            if geom is None and district_id is None:
                continue  # a new row has no stored state
            inside = permissions.in_own_district(actor, geom) and (
                district_id is None or district_id == actor.district_id
            )
            if not inside:
                which = _("已有数据") if state == "stored" else _("要素")
                raise PermissionDenied(
                    _(
                        "第 %(row)d 行（%(code)s）的%(which)s不在您负责的区县（%(d)s）内。"
                    )
                    % {
                        "row": row,
                        "code": obj.code,
                        "which": which,
                        "d": actor.district_name,
                    }
                )


@dataclass
class _Prepared:
    layer: str
    model: type[djmodels.Model]
    objects: list = field(default_factory=list)  # (row, instance, is_new, fields)
    report: ImportReport = field(default_factory=ImportReport)
    #: row → (geometry, district id) of the row as stored, for updates (permission)
    stored: dict = field(default_factory=dict)


def _prepare_rows(
    layer: str,
    gdf,
    report: ImportReport,
    *,
    mapping: FieldMapping,
    source_crs: str,
    source_file: str,
    resolver: _Resolver,
    key_from: str | None = None,
) -> _Prepared:
    """Map, resolve and validate the rows of ``gdf`` (index = source row number)."""
    schema = LAYERS[layer]
    columns = schema["columns"]
    model = LAYER_MODELS[layer]
    stem = _stem(source_file)

    # geometry to the stored type
    geoms: list[shapely.Geometry | None] = []
    keep: list[bool] = []
    polys = 0
    for row, g in zip(gdf.index, gdf.geometry):
        if g is None:
            keep.append(False)
            geoms.append(None)
            continue
        fixed, note, err = _adapt_geometry(g, schema["geometry"])
        if err:
            report.issues.append(RowIssue(int(row), "rejected", err, "geometry"))
        polys += note == "polygon"
        keep.append(err is None)
        geoms.append(fixed)
    import geopandas as gpd

    # a boolean *array*: an empty list would select no columns and drop the geometry
    gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))[
        np.asarray(keep, dtype=bool)
    ]
    if polys:
        report.warnings.append(
            f"{polys} polygon(s) stored as their representative point (point on surface)"
        )

    # the stable key: a mapped code column, else generated
    geom_name = gdf.geometry.name
    targets = {
        mapping.fields.get(
            str(c),
            str(c) if str(c) in columns and str(c) not in mapping.ignore else None,
        )
        for c in gdf.columns
        if c != geom_name
    }
    generated = "code" not in targets
    if generated:
        gdf = gdf.copy()
        gdf[GENERATED_CODE] = [f"{stem}-{int(r)}" for r in gdf.index]
        mapping = FieldMapping(
            fields={**mapping.fields, GENERATED_CODE: "code"},
            values=mapping.values,
            key=mapping.key,
            ignore=mapping.ignore,
            how=mapping.how,
        )
        if mapping.key in (None, "code"):
            report.warnings.append(
                f"no code column: codes generated from the file name and row number "
                f"({stem}-<row>); re-importing the same file updates these rows"
            )
    mres = apply_mapping(gdf, mapping, layer)
    report.issues += mres.report.issues
    report.warnings += mres.report.warnings
    report.columns = mres.report.columns
    report.info["column_how"] = mres.report.info.get("column_how", {})
    mapped = mres.gdf
    if generated and mapping.key not in (None, "code"):
        mapped["code"] = [str(v)[:64] for v in mapped[mapping.key]]
        report.warnings.append(
            f"no code column: the key column {mapping.key!r} is the code"
        )
    if key_from:
        mapped["code"] = [f"{key_from}{c}"[:64] for c in mapped["code"]]

    existing = {o.code: o for o in model.objects.filter(code__in=list(mapped["code"]))}
    prepared = _Prepared(layer=layer, model=model, report=report)
    present = [c for c in mapped.columns if c != mapped.geometry.name]
    now = timezone.now()
    for row, rec in zip(mapped.index, mapped.to_dict("records")):
        row = int(row)
        code = rec["code"]
        obj = existing.get(code)
        is_new = obj is None
        if obj is None:
            obj = model(code=code)
        else:
            prepared.stored[row] = (obj.geom, getattr(obj, "district_id", None))
        assigned = {"geom", "source_crs", "source_file"}
        obj.geom = _geos(rec[mapped.geometry.name])
        obj.source_crs = source_crs[:64]
        obj.source_file = source_file[:255]
        problems: list[tuple[str | None, str]] = []
        for col in present:
            if col == "code":
                continue
            value = _py(rec[col])
            if col in FOREIGN_KEYS:
                fk = FOREIGN_KEYS[col]
                target = models.District if fk == "district" else models.Street
                if value is None:
                    if model.__name__ != "Community" or fk != "street":
                        continue
                    setattr(obj, fk, None)
                    assigned.add(fk)
                    continue
                ref = resolver.get(target, str(value))
                if ref is None:
                    problems.append((col, f"no {fk} with code or name {value!r}"))
                    continue
                setattr(obj, fk, ref)
                assigned.add(fk)
                continue
            if layer == "amenity" and col == "category":
                cat = resolver.categories.get(value)
                if cat is None:
                    problems.append((col, f"unknown amenity category {value!r}"))
                    continue
                obj.category = cat
                assigned.add("category")
                continue
            f = model._meta.get_field(col)
            if value is None:
                if f.null:
                    setattr(obj, col, None)
                elif f.blank and f.get_internal_type() in ("CharField", "TextField"):
                    setattr(obj, col, "")
                else:
                    continue  # keep the default (new) or the stored value (update)
            else:
                if f.get_internal_type() == "DecimalField":
                    from decimal import Decimal

                    value = Decimal(str(round(float(value), 2)))
                setattr(obj, col, value)
            assigned.add(col)
        if layer == "community":
            if getattr(obj, "street_id", None) and not getattr(
                obj, "district_id", None
            ):
                obj.district = obj.street.district
                assigned.add("district")
            if not getattr(obj, "district_id", None):
                d = resolver.district_at(obj.geom)
                if d is not None:
                    obj.district = d
                    assigned.add("district")
                else:
                    problems.append(
                        ("district_code", "no district given and none contains it")
                    )
            if (
                getattr(obj, "street_id", None)
                and getattr(obj, "district_id", None)
                and obj.street.district_id != obj.district_id
            ):
                problems.append(("street_code", "street is not in the district"))
        if layer == "street" and not getattr(obj, "district_id", None):
            problems.append(("district_code", "required value missing"))
        if not is_new:
            obj.version += 1
            obj.updated_at = now
            assigned |= {"version", "updated_at"}
        if not problems:
            # foreign keys set above are rows just read from the database: their
            # per-row existence query in full_clean() would double the import time
            resolved = [
                f
                for f in ("category", "district", "street")
                if f in assigned and getattr(obj, f"{f}_id", None) is not None
            ]
            try:
                obj.full_clean(
                    exclude=resolved, validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                problems += _validation_text(exc)
        for col, reason in problems:
            report.issues.append(RowIssue(row, "rejected", reason, col))
        if not problems:
            prepared.objects.append((row, obj, is_new, assigned))
    return prepared


def _finish_report(report: ImportReport, n_ok: int) -> None:
    _recount(report)
    report.imported = n_ok


def _refuse_or_skip(prepared_list: list[_Prepared], skip_invalid: bool) -> None:
    bad = [p for p in prepared_list if p.report.rejected]
    if not bad:
        return
    if skip_invalid:
        for p in bad:
            p.report.warnings.append(
                f"--skip-invalid: {p.report.rejected} rejected row(s) left out, "
                f"{len(p.objects)} imported"
            )
        return
    text = "\n".join(p.report.to_text() for p in bad)
    n = sum(p.report.rejected for p in bad)
    for p in bad:
        p.report.imported = 0
        p.report.warnings.append(
            "import refused: nothing was written (all-or-nothing); fix the rows "
            "listed, or import the valid rows with --skip-invalid"
        )
    msg = f"import refused: {n} row(s) rejected, nothing written\n{text}"
    raise ImportRefused(msg, report=bad[0].report)


def _write(prepared: _Prepared, *, user, reason: str) -> tuple[int, int]:
    """Insert the new rows and update the old ones (caller's transaction), with history.

    The rows travel by COPY (:func:`layers.dbcopy.insert_objects`,
    :func:`~layers.dbcopy.update_objects`): ``bulk_update`` alone took over a minute
    for 20k updated rows. The history rows (:func:`~layers.dbcopy.insert_history`)
    are those of simple_history's bulk records: ``+`` for new rows, ``~`` for
    updated ones, with the user and the reason.
    """
    model = prepared.model
    new = [o for _r, o, is_new, _f in prepared.objects if is_new]
    old = [(o, f) for _r, o, is_new, f in prepared.objects if not is_new]
    has_history = hasattr(model, "history")
    if new:
        insert_objects(model, new)
        if has_history:
            insert_history(model, new, update=False, user=user, reason=reason)
    if old:
        # lock the rows being updated, then the optimistic check: a row saved since the
        # file was read (a map edit) refuses the whole import instead of being
        # overwritten; a map edit after this point waits, then conflicts on version
        stored = dict(
            model.objects.select_for_update()
            .filter(pk__in=[o.pk for o, _f in old])
            .values_list("pk", "version")
        )
        changed = sorted(o.code for o, _f in old if stored.get(o.pk) != o.version - 1)
        if changed:
            msg = (
                f"import refused: {len(changed)} row(s) were changed while the file "
                f"was being read ({', '.join(changed[:10])}); nothing written, import "
                "again to apply the file over the new versions"
            )
            raise ImportRejected(msg, code="conflict")
        fields = sorted(
            set().union(*(f for _o, f in old))
            - {
                f.name
                for f in model._meta.concrete_fields
                if getattr(f, "generated", False)
            }
        )
        objs = [o for o, _f in old]
        update_objects(model, objs, fields)
        if has_history:
            insert_history(model, objs, update=True, user=user, reason=reason)
    return len(new), len(old)
