"""A layer's rows from a file: convert, resolve keys, check rights, validate, upsert."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models as djmodels
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from layers import models
from layers.importing import columns
from layers.importing.results import (
    ADMIN_ONLY_LAYERS,
    FOREIGN_KEYS,
    GENERATED_CODE,
    LAYER_MODELS,
    ImportRefused,
)
from layers.io.geometry import ImportReport, RowIssue
from layers.io.mapping import FieldMapping, apply_mapping
from layers.io.schemas import LAYERS

_blank = columns.blank
_py = columns.py
#: shapely type id of each stored geometry type
#: the shapely type ids each stored type keeps as they are ("Geometry": areas or lines)
_TYPE_IDS = {
    "Point": (0,),
    "LineString": (1,),
    "Polygon": (3,),
    "MultiPolygon": (6,),
    "Geometry": (1, 3, 5, 6),
}


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
    #: (row, RowView, is_new, fields) of every accepted row, in file order
    objects: list = field(default_factory=list)
    report: ImportReport = field(default_factory=ImportReport)
    #: row → (geometry, district id) of the row as stored, for updates (permission)
    stored: Any = field(default_factory=dict)
    #: the rows column by column (layers.importing.columns)
    batch: columns.Batch | None = None


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
    schema_columns = schema["columns"]
    model = LAYER_MODELS[layer]
    stem = _stem(source_file)

    # geometry to the stored type: one type test for all, the others one by one
    arr = np.asarray(gdf.geometry.to_numpy(), dtype=object)
    geoms = arr.copy()
    keep = np.isin(shapely.get_type_id(arr), _TYPE_IDS[schema["geometry"]])
    polys = 0
    for i in np.flatnonzero(~keep):
        g = arr[i]
        if g is None:
            continue
        fixed, note, err = _adapt_geometry(g, schema["geometry"])
        if err:
            report.issues.append(
                RowIssue(int(gdf.index[i]), "rejected", err, "geometry")
            )
        polys += note == "polygon"
        keep[i] = err is None
        geoms[i] = fixed
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
            str(c)
            if str(c) in schema_columns and str(c) not in mapping.ignore
            else None,
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

    present = [c for c in mapped.columns if c != mapped.geometry.name]
    now = timezone.now()
    batch = columns.build(
        model,
        layer,
        mapped,
        present,
        resolver,
        foreign_keys=FOREIGN_KEYS,
        source_crs=source_crs,
        source_file=source_file,
        now=now,
    )
    prepared = _Prepared(layer=layer, model=model, report=report, batch=batch)
    # the rows the column checks could not accept: built and full_clean()ed one by
    # one, as before, for their report lines (or accepted after all)
    slow = np.flatnonzero(~batch.ok)
    if slow.size:
        codes = [batch.codes[i] for i in slow]
        existing = {o.code: o for o in model.objects.filter(code__in=codes)}
        recs = mapped.iloc[slow].to_dict("records")
        geom_name = mapped.geometry.name
        for i, rec in zip(slow, recs, strict=True):
            code = rec["code"]
            obj, assigned, problems = _row_instance(
                model,
                layer,
                rec,
                rec[geom_name],
                present,
                existing.get(code),
                resolver,
                code=code,
                source_crs=source_crs,
                source_file=source_file,
                now=now,
            )
            for col, reason in problems:
                report.issues.append(RowIssue(batch.rows[i], "rejected", reason, col))
            if not problems:
                columns.take_instance(batch, int(i), obj, assigned)
    district = batch.values.get("district")
    geom_values = batch.values["geom"]
    stored = {}
    for i in np.flatnonzero(batch.ok):
        row = batch.rows[i]
        view = columns.RowView(
            batch.codes[i], geom_values[i], district[i] if district else None
        )
        prepared.objects.append((row, view, bool(batch.is_new[i]), batch.assigned))
        if not batch.is_new[i]:
            stored[row] = batch.pks[i]
    prepared.stored = columns.StoredStates(model, stored)
    return prepared


def _row_instance(
    model,
    layer: str,
    rec: dict,
    geom,
    present: list[str],
    obj,
    resolver,
    *,
    code,
    source_crs: str,
    source_file: str,
    now,
):
    """One row as a model instance, checked by ``full_clean`` (the per-row path).

    ``obj`` is the stored instance (an update) or None (a new row). Returns
    ``(instance, fields set, problems)``; the problems are (column, reason) pairs.
    """
    is_new = obj is None
    if obj is None:
        obj = model(code=code)
    assigned = {"geom", "source_crs", "source_file"}
    obj.geom = _geos(geom)
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
                value = Decimal(str(round(float(value), 2)))
            setattr(obj, col, value)
        assigned.add(col)
    if layer == "community":
        if getattr(obj, "street_id", None) and not getattr(obj, "district_id", None):
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
    return obj, assigned, problems


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

    The rows travel by COPY, column by column (:func:`layers.importing.columns.write`):
    ``bulk_update`` alone took over a minute for 20k updated rows. The history rows
    are those of simple_history's bulk records: ``+`` for new rows, ``~`` for
    updated ones, with the user and the reason.
    """
    batch = prepared.batch
    assert batch is not None, "the rows were prepared (_prepare_rows)"
    return columns.write(batch, batch.ok, user=user, reason=reason)
