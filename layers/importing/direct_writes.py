"""Writes beside the row import: the basemap and a population raster's registration."""

from __future__ import annotations

from pathlib import Path

import rasterio
from django.conf import settings
from django.contrib.gis.geos import Polygon

from layers import models
from layers.dbcopy import copy_columns, ewkb_hex, frame_column

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
