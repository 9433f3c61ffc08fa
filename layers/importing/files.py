"""layer_import: one uploaded or command-line file into one layer, all-or-nothing."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import rasterio
from django.conf import settings
from django.db import transaction

from layers import models
from layers.files import atomic_path
from layers.importing.direct_writes import population_raster_register
from layers.importing.fit import layer_check_fit, layer_choose
from layers.importing.results import IMPORT_LAYERS, ImportResult
from layers.importing.rows import (
    _check_permission,
    _finish_report,
    _prepare_rows,
    _refuse_or_skip,
    _Resolver,
    _stem,
    _write,
)
from layers.io import sandbox
from layers.io.errors import ImportRejected
from layers.io.geometry import ImportReport
from layers.io.mapping import (
    FieldMapping,
    detect_mapping,
    load_mapping,
    source_preview,
    with_synonym_values,
)
from layers.io.schemas import LAYERS


def layer_import(
    *,
    layer: str | None,
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
    ``layer=None``: the layer that fits the file's geometries (``fit.layer_choose``;
    points → amenities, polygons → communities, lines → the walking network); the
    result names it. A file none of whose geometries fit ``layer`` is refused with a
    sentence before any row is converted (``fit.layer_check_fit``).
    """
    if layer is not None and layer not in IMPORT_LAYERS:
        msg = f"unknown layer {layer!r}; layers are {', '.join(IMPORT_LAYERS)}"
        raise ImportRejected(msg, code="unknown_layer")
    source_name = Path(source_name or Path(path).name).name
    chosen = layer is None
    if layer == "population_raster":
        return _raster_import(
            path=path,
            crs=crs,
            dry_run=dry_run,
            user=user,
            source_name=source_name,
            name=raster_name,
        )
    # a bad mapping file is refused before the file is read
    fmap = _mapping_for(mapping, layer) if layer is not None else None
    # the file's geometry types decide the layer (read without a type check), or
    # are checked against the chosen layer's
    geometry = None if layer is None else LAYERS[layer]["geometry"]
    rr = sandbox.run_sandboxed(
        "read_vector",
        path,
        layer=gpkg_layer,
        encoding=encoding,
        crs=crs,
        from_gcj02=from_gcj02,
        from_bd09=from_bd09,
        target_crs=f"EPSG:{settings.SRID}",
        geometry_type=None if geometry in (None, "Point") else geometry,
        extent=list(settings.CITY_EXTENT),
    )
    report = rr.report
    types = report.info.get("geometry_types", {})
    if layer is None:
        layer = layer_choose(types)
        fmap = _mapping_for(mapping, layer)
    else:
        layer_check_fit(layer, types)
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
        exc.layer = layer
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
        layer_chosen=chosen,
    )
    if dry_run:
        report.warnings.append("dry run: nothing was written")
        return result
    with transaction.atomic():
        _write(prepared, user=user, reason=f"import {source_name}"[:100])
    return result


def _mapping_for(mapping, layer: str) -> FieldMapping | None:
    """The mapping given (a FieldMapping, or a YAML/JSON file or text) with the
    synonyms' value maps of ``layer``; None: detected from the file's columns."""
    if isinstance(mapping, FieldMapping):
        return with_synonym_values(mapping, layer)
    if mapping is not None:
        return with_synonym_values(load_mapping(mapping), layer)
    return None


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
