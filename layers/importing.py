"""Import a file into any layer, all-or-nothing, with a report (docs/IMPORT.md).

:func:`layer_import` is the one write path for uploaded or command-line files:

1. the file is parsed in a resource-limited child process
   (:func:`layers.io.sandbox.run_sandboxed`), reprojected to ``settings.SRID`` and
   its geometries checked (invalid ones repaired only when the type stays and the
   area changes < 1 %, otherwise rejected with the reason and row number);
2. the mapping file renames and converts the columns (:mod:`layers.io.mapping`);
3. foreign keys are resolved (district / street by code or name, a community's
   district spatially when not given; amenity categories by code);
4. every row is validated like a form would (``Model.full_clean``);
5. if any row is rejected the whole import is refused (:class:`ImportRefused`,
   nothing written) unless ``skip_invalid=True`` was given explicitly, in which
   case the valid rows are written and the rejected ones reported;
6. rows are upserted by their stable ``code`` in ONE transaction, with a
   simple_history entry for every row (``bulk_*_with_history``).

:func:`osm_import` does the same for an OpenStreetMap extract (walk network and
amenities; residential areas are reported as community candidates, not stored).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from layers.files import atomic_path
from layers.io import osm, sandbox
from layers.io.errors import ImportRejected
from layers.io.geometry import ImportReport, RowIssue
from layers.io.mapping import (
    FieldMapping,
    SourcePreview,
    apply_mapping,
    detect_mapping,
    load_mapping,
    source_preview,
    with_synonym_values,
)
from layers.io.schemas import LAYERS

from . import models
from .candidates import candidate_rows, candidates_store
from .dbcopy import (
    copy_columns,
    ewkb_hex,
    frame_column,
    insert_history,
    insert_objects,
    update_objects,
)

#: layer name → model (population_raster is handled separately)
LAYER_MODELS: dict[str, type] = {
    "district": models.District,
    "street": models.Street,
    "community": models.Community,
    "idle_land": models.IdleLand,
    "vacant_housing": models.VacantHousing,
    "amenity": models.Amenity,
    "walk_segment": models.WalkSegment,
}
IMPORT_LAYERS = (*LAYER_MODELS, "population_raster")
#: layers only a city administrator may import (boundaries, rasters)
ADMIN_ONLY_LAYERS = ("district", "street", "population_raster")
#: schema column → model foreign key
FOREIGN_KEYS = {"district_code": "district", "street_code": "street"}
GENERATED_CODE = "__generated_code__"


class ImportRefused(ImportRejected):
    """Some rows were rejected and ``skip_invalid`` was not given: nothing was written."""

    code = "rows_rejected"

    def __init__(self, message: str, *, report: ImportReport, result=None) -> None:
        super().__init__(message)
        self.report = report
        self.result = result


@dataclass
class ImportResult:
    report: ImportReport
    created: int = 0
    updated: int = 0
    layer: str = ""
    dry_run: bool = False
    #: per-layer reports and counts of an OSM import
    reports: dict[str, ImportReport] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    #: the file's columns, the mapping used and its first rows (layers.io.mapping)
    preview: SourcePreview | None = None

    def to_dict(self) -> dict:
        out = {
            "layer": self.layer,
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "report": self.report.to_dict(),
        }
        if self.reports:
            out["reports"] = {k: v.to_dict() for k, v in self.reports.items()}
            out["counts"] = self.counts
        return out

    def to_text(self) -> str:
        head = (
            f"{self.layer}: {'DRY RUN, nothing written; would create' if self.dry_run else 'created'} "
            f"{self.created}, {'would update' if self.dry_run else 'updated'} {self.updated}"
        )
        if self.reports:
            parts = [head]
            for name, rep in self.reports.items():
                c = self.counts.get(name, {})
                if name == "basemap":
                    line = f"[basemap] {c.get('written', 0)} feature(s)"
                elif name == "community":
                    line = (
                        f"[community candidates] created {c.get('created', 0)}, "
                        f"updated {c.get('updated', 0)}, already reviewed "
                        f"{c.get('kept', 0)}"
                    )
                else:
                    line = (
                        f"[{name}] created {c.get('created', 0)}, "
                        f"updated {c.get('updated', 0)}"
                    )
                parts.append(line)
                parts.append(rep.to_text())
            return "\n".join(parts)
        return head + "\n" + self.report.to_text()


# ---------------------------------------------------------------------------
# helpers


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
        self._districts = None

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


# ---------------------------------------------------------------------------
# building rows


@dataclass
class _Prepared:
    layer: str
    model: type
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
    geoms, keep, polys = [], [], 0
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
        if is_new:
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


# ---------------------------------------------------------------------------
# public services


def layer_import(
    *,
    layer: str,
    path,
    mapping=None,
    crs: str | None = None,
    from_gcj02: bool = False,
    from_bd09: bool = False,
    encoding: str | None = None,
    gpkg_layer: str | None = None,
    dry_run: bool = False,
    user=None,
    repair: bool = True,
    skip_invalid: bool = False,
    source_name: str | None = None,
    raster_name: str | None = None,
) -> ImportResult:
    """Import the file at ``path`` into ``layer``; see the module docstring.

    Raises :class:`ImportRejected` (whole-file problems), :class:`ImportRefused`
    (rejected rows; carries the report) or ``PermissionDenied``. ``source_name``
    is the name recorded as ``source_file`` (an upload's original name).
    """
    if layer not in IMPORT_LAYERS:
        msg = f"unknown layer {layer!r}; layers are {', '.join(IMPORT_LAYERS)}"
        raise ImportRejected(msg, code="unknown_layer")
    source_name = Path(source_name or Path(path).name).name
    if layer == "population_raster":
        return _raster_import(
            path=path,
            crs=crs,
            dry_run=dry_run,
            user=user,
            source_name=source_name,
            name=raster_name,
        )
    if isinstance(mapping, FieldMapping):
        fmap = with_synonym_values(mapping, layer)
    elif mapping is not None:
        fmap = with_synonym_values(load_mapping(mapping), layer)
    else:
        fmap = None  # detected from the file's columns (the synonyms table)
    schema = LAYERS[layer]
    rr = sandbox.run_sandboxed(
        "read_vector",
        path,
        layer=gpkg_layer,
        encoding=encoding,
        crs=crs,
        from_gcj02=from_gcj02,
        from_bd09=from_bd09,
        target_crs=f"EPSG:{settings.SRID}",
        geometry_type=None if schema["geometry"] == "Point" else schema["geometry"],
        extent=list(settings.CITY_EXTENT),
    )
    report = rr.report
    report.source_file = source_name
    if not repair:
        repaired = {i.row for i in report.issues if i.status == "repaired"}
        for i in report.issues:
            if i.row in repaired and i.status == "repaired":
                i.status = "rejected"
                i.reason = f"invalid geometry, repair disabled: {i.reason}"
        rr.gdf = rr.gdf[np.array([r not in repaired for r in rr.gdf.index], bool)]
    columns = [str(c) for c in rr.gdf.columns if c != rr.gdf.geometry.name]
    if fmap is None:
        fmap = detect_mapping(columns, layer)
    preview = source_preview(rr.gdf, fmap)
    try:
        prepared = _prepare_rows(
            layer,
            rr.gdf,
            report,
            mapping=fmap,
            source_crs=rr.source_crs,
            source_file=source_name,
            resolver=_Resolver(),
        )
        _finish_report(report, len(prepared.objects))
        _refuse_or_skip([prepared], skip_invalid)
    except ImportRejected as exc:
        # the upload page shows the columns and first rows so the mapping can be fixed
        exc.preview = preview
        raise
    _check_permission(user, layer, prepared)
    created = sum(1 for p in prepared.objects if p[2])
    updated = len(prepared.objects) - created
    result = ImportResult(
        report=report,
        created=created,
        updated=updated,
        layer=layer,
        dry_run=dry_run,
        preview=preview,
    )
    if dry_run:
        report.warnings.append("dry run: nothing was written")
        return result
    with transaction.atomic():
        _write(prepared, user=user, reason=f"import {source_name}"[:100])
    return result


def _raster_import(*, path, crs, dry_run, user, source_name, name) -> ImportResult:

    _check_permission(user, "population_raster", None)
    rr = sandbox.run_sandboxed("read_raster", path, crs=crs)
    report = ImportReport(source_file=source_name, read=1)
    report.info.update(rr.info)
    report.info["source_crs"] = rr.crs
    name = name or _stem(source_name)
    exists = models.PopulationRaster.objects.filter(name=name).exists()
    result = ImportResult(
        report=report,
        created=0 if exists else 1,
        updated=1 if exists else 0,
        layer="population_raster",
        dry_run=dry_run,
    )
    report.imported = 1
    if dry_run:
        report.warnings.append("dry run: nothing was written")
        return result
    root = Path(settings.RASTER_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    arr = np.asarray(rr.array)
    digest = hashlib.sha256(arr.tobytes()).hexdigest()[:12]
    out = root / f"{_stem(name)}-{digest}.tif"
    # re-encode the pixels (never keep the uploaded bytes) as a plain tiled GeoTIFF,
    # written beside and renamed when complete (a full disk leaves no truncated file)
    with (
        atomic_path(out) as part,
        rasterio.open(
            part,
            "w",
            driver="GTiff",
            width=arr.shape[2],
            height=arr.shape[1],
            count=arr.shape[0],
            dtype=arr.dtype,
            crs=rr.crs,
            transform=rr.transform,
            nodata=rr.nodata
            if rr.nodata is None or math.isfinite(rr.nodata)
            else rr.nodata,
            compress="deflate",
        ) as ds,
    ):
        ds.write(arr)
    old = models.PopulationRaster.objects.filter(name=name).first()
    old_path = Path(old.path) if old else None
    try:
        with transaction.atomic():
            obj = population_raster_register(path=out, name=name)
            obj.source_file = source_name[:255]
            obj.save(update_fields=["source_file"])
    except Exception:
        out.unlink(missing_ok=True)
        raise
    if old_path and old_path != out and old_path.parent == root:
        old_path.unlink(missing_ok=True)
    return result


def _skip_outside(report: ImportReport, extent) -> None:
    """An OSM export holds whole ways crossing its box: those outside are skipped."""
    outside = [i for i in report.issues if i.reason == "outside the city extent"]
    if outside:
        report.issues = [i for i in report.issues if i not in outside]
        report.warnings.append(
            f"{len(outside)} feature(s) outside the extent {extent} skipped"
        )


def osm_import(
    *,
    path,
    extent: tuple[float, float, float, float] | None = None,
    dry_run: bool = False,
    user=None,
    skip_invalid: bool = False,
    source_name: str | None = None,
) -> ImportResult:
    """Import an OSM extract: walk segments, amenities, community candidates and the
    basemap, in one transaction.

    Features outside ``extent`` (default ``settings.CITY_EXTENT``) are skipped and
    counted (an OSM export includes whole ways crossing its box). ``landuse=
    residential`` areas become community *candidates* (layers.candidates) with the
    district containing them and a household estimate from the buildings inside:
    OSM has no completion year or household count, so a planner confirms each before
    it is a community. Water, rivers, parks, main roads and buildings replace the
    basemap features of the same codes (a display layer: unusable outlines are left
    out and counted, not refused).
    """
    source_name = Path(source_name or Path(path).name).name
    extent = tuple(extent or settings.CITY_EXTENT)
    res = sandbox.run_sandboxed(
        "read_osm", path, extent=list(extent), target_crs=f"EPSG:{settings.SRID}"
    )
    resolver = _Resolver()
    prepared = []
    reports = {}
    for layer in ("walk_segment", "amenity"):
        rep = res.report[layer]
        rep.source_file = source_name
        _skip_outside(rep, extent)
        gdf = getattr(res, layer)
        p = _prepare_rows(
            layer,
            gdf,
            rep,
            mapping=FieldMapping(),
            source_crs="EPSG:4326",
            source_file=source_name,
            resolver=resolver,
        )
        _finish_report(rep, len(p.objects))
        rep.read = rep.read or len(gdf)
        prepared.append(p)
        reports[layer] = p.report
    # community candidates: stored for review (layers.candidates), not communities
    crep = res.report["community"]
    crep.source_file = source_name
    crep.issues = [i for i in crep.issues if i.reason != "outside the city extent"]
    candidates = candidate_rows(res.community, res.basemap, resolver.district_at)
    crep.info["candidates"] = [
        f"{c['name'] or '(unnamed)'} ({c['code']}): "
        + (f"district {c['district'].code}" if c["district"] else "no district")
        + (
            f", ~{c['households_estimate']} households estimated from "
            f"{c['buildings']} buildings"
            if c["households_estimate"] is not None
            else ", no buildings mapped inside"
        )
        for c in candidates
    ]
    crep.imported = 0
    crep.warnings.append(
        f"{len(candidates)} residential area(s) kept as community candidates for "
        "review (/planner/candidates/): a planner confirms each with its completion "
        "year and households before it enters the analyses"
    )
    _recount(crep)
    reports["community"] = crep
    # basemap: water, rivers, parks, main roads, buildings (display only)
    brep = res.report["basemap"]
    brep.source_file = source_name
    _skip_outside(brep, extent)
    skipped = [i for i in brep.issues if i.status == "rejected"]
    if skipped:
        # a display layer: a broken building outline is left out, never a refusal
        brep.warnings.append(
            f"{len(skipped)} basemap feature(s) with unusable geometry left out"
        )
        for i in skipped:
            i.status = "skipped"
    _recount(brep)
    brep.imported = len(res.basemap)
    reports["basemap"] = brep
    _refuse_or_skip(prepared, skip_invalid)
    for p in prepared:
        _check_permission(user, p.layer, p)
    counts = {}
    for p in prepared:
        c = sum(1 for o in p.objects if o[2])
        counts[p.layer] = {"created": c, "updated": len(p.objects) - c}
    totals = {
        "created": sum(c["created"] for c in counts.values()),
        "updated": sum(c["updated"] for c in counts.values()),
    }
    total = ImportReport(
        source_file=source_name,
        read=sum(r.read for r in reports.values()),
        imported=sum(len(p.objects) for p in prepared),
    )
    result = ImportResult(
        report=total,
        created=totals["created"],
        updated=totals["updated"],
        layer="osm",
        dry_run=dry_run,
        reports=reports,
        counts=counts,
    )
    # candidates and basemap are counted apart: they are not source-layer rows
    counts["basemap"] = {"written": len(res.basemap)}
    if dry_run:
        cc = candidates_store(candidates, source_file=source_name, dry_run=True)
        counts["community"] = cc.as_dict()
        total.warnings.append("dry run: nothing was written")
        return result
    with transaction.atomic():
        for p in prepared:
            _write(p, user=user, reason=f"import {source_name}"[:100])
        cc = candidates_store(candidates, source_file=source_name)
        basemap_replace(res.basemap, source_file=source_name, source_crs="EPSG:4326")
    counts["community"] = cc.as_dict()
    return result


def osm_tag_table_markdown() -> str:
    """The OSM tag → category table of docs/IMPORT.md, generated from layers.io.osm."""
    rules = {
        "_school": "primary_school (name 小学/primary or isced:level 1), "
        "middle_school (中学/初中/高中/middle or isced:level 2–3), else none",
        "_clinic": "health_station (name 卫生服务站/卫生室), "
        "health_center (卫生服务中心), else clinic",
    }
    lines = ["| OSM tag | category |", "| --- | --- |"]
    for (key, value), rule in osm.AMENITY_TABLE.items():
        text = rules.get(rule.__name__, rule.__name__) if callable(rule) else rule
        lines.append(f"| `{key}={value}` | {text or '(ignored)'} |")
    lines += ["", "| OSM highway | walk_segment.kind |", "| --- | --- |"]
    lines += [f"| `{k}` | {v} |" for k, v in osm.HIGHWAY_KIND.items()]
    return "\n".join(lines)


# --------------------------------------------------------------- other writes
BASEMAP_COLUMNS = ("code", "kind", "name", "road_class", "levels", "source")


def basemap_replace(frame, *, source_file: str, source_crs: str, progress=None) -> int:
    """Write basemap features (a GeoDataFrame in settings.SRID with the columns of
    :data:`BASEMAP_COLUMNS`) by COPY, replacing the rows with the same codes.

    Runs in the caller's transaction (an OSM import, a demo load). Returns the rows
    written.
    """
    if frame is None or len(frame) == 0:
        return 0
    codes = frame_column(frame, "code", cast=str)
    models.BasemapFeature.objects.filter(code__in=codes).delete()
    return copy_columns(
        models.BasemapFeature,
        [*BASEMAP_COLUMNS, "geom", "source_crs", "source_file"],
        {
            "code": codes,
            "kind": frame_column(frame, "kind", cast=str),
            "name": [str(v)[:128] for v in frame_column(frame, "name", "")],
            "road_class": [str(v)[:32] for v in frame_column(frame, "road_class", "")],
            "levels": frame_column(frame, "levels", cast=int),
            "source": frame_column(frame, "source", ""),
            "geom": ewkb_hex(frame.geometry.to_numpy()),
            "source_crs": [source_crs] * len(frame),
            "source_file": [source_file[:255]] * len(frame),
        },
        progress,
    )


def population_raster_register(*, path: Path, name: str, units: str = "人/格"):
    """Register a GeoTIFF (read with rasterio) as a PopulationRaster, replacing one of that name."""
    with rasterio.open(path) as ds:
        if ds.crs is None or ds.crs.to_epsg() is None:
            raise ValueError(
                f"{path}: the raster has no EPSG coordinate reference system"
            )
        epsg = ds.crs.to_epsg()
        band = ds.read(1, masked=True)
        total = float(band.sum())
        left, bottom, right, top = ds.bounds
        extent = Polygon.from_bbox((left, bottom, right, top))
        extent.srid = epsg
        if epsg != settings.SRID:
            extent.transform(settings.SRID)
        res = float(abs(ds.transform.a))
        obj, _ = models.PopulationRaster.objects.update_or_create(
            name=name,
            defaults={
                "path": str(path),
                "srid": epsg,
                "resolution_m": res,
                "width": ds.width,
                "height": ds.height,
                "units": units,
                "total": total,
                "extent": extent,
                "source_file": Path(path).name,
            },
        )
    return obj
