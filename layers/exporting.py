"""Export any vector layer (GeoJSON, GPKG, zipped Shapefile, CSV, XLSX) via layers.io.writers.

Columns are the layer's import schema (:data:`layers.io.schemas.LAYERS`), so an
exported file imports back unchanged (foreign keys as ``district_code``,
``street_code``, amenity ``category`` codes). Everything is EPSG:4326 unless
``crs`` says otherwise (GeoJSON is always EPSG:4326).

``public=True`` gives the public field set: layers not shown to the public are
refused, and non-public fields (a community's ``fund_*`` and ``internal_notes``)
are never selected. Staff exports (``public=False``) add ``public_notes`` and
``internal_notes`` for communities.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import Polygon

from layers.io import writers
from layers.io.schemas import LAYERS

from . import registry
from .crs import transformed
from .importing import LAYER_MODELS

FORMATS = writers.FORMATS  # geojson, gpkg, shp, csv, xlsx
#: file suffix per format (the shapefile is zipped)
SUFFIX = {
    "geojson": "geojson",
    "gpkg": "gpkg",
    "shp": "zip",
    "csv": "csv",
    "xlsx": "xlsx",
}
CONTENT_TYPE = {
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "shp": "application/zip",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: layers a viewer may download (without the model's ``private_fields``)
PUBLIC_LAYERS = tuple(s.key for s in registry.LAYERS if s.public_export)
STAFF_EXTRA = {"community": ("public_notes", "internal_notes")}
PUBLIC_EXTRA = {"community": ("public_notes",)}
MAX_FEATURES = 200_000


class ExportError(ValueError):
    pass


def _lookup(layer: str, column: str) -> str:
    if column == "district_code":
        return "district__code"
    if column == "street_code":
        return "street__code"
    if layer == "amenity" and column == "category":
        return "category__code"
    return column


def export_columns(layer: str, *, public: bool) -> list[str]:
    cols = list(LAYERS[layer]["columns"])
    cols += (PUBLIC_EXTRA if public else STAFF_EXTRA).get(layer, ())
    if public:
        private = set(LAYER_MODELS[layer].private_fields)
        cols = [c for c in cols if c not in private]
    return cols


def layer_frame(layer: str, *, bbox=None, public: bool = False):
    """The layer's rows as a GeoDataFrame in ``settings.SRID``."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    if layer not in LAYER_MODELS:
        msg = f"unknown or non-vector layer {layer!r}; layers are {', '.join(LAYER_MODELS)}"
        raise ExportError(msg)
    if public and layer not in PUBLIC_LAYERS:
        msg = f"layer {layer!r} is not public"
        raise ExportError(msg)
    model = LAYER_MODELS[layer]
    cols = export_columns(layer, public=public)
    qs = model.objects.order_by("code")
    if bbox is not None:
        minx, miny, maxx, maxy = (float(v) for v in bbox)
        if not (minx < maxx and miny < maxy):
            msg = "bbox must be minlon,minlat,maxlon,maxlat"
            raise ExportError(msg)
        box = Polygon.from_bbox((minx, miny, maxx, maxy))
        box.srid = 4326
        qs = qs.filter(geom__intersects=transformed(box, settings.SRID))
    lookups = [_lookup(layer, c) for c in cols]
    rows = list(qs.values_list(*lookups, "geom")[: MAX_FEATURES + 1])
    if len(rows) > MAX_FEATURES:
        msg = f"more than {MAX_FEATURES} features: narrow the export with a bbox"
        raise ExportError(msg)
    data = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
    df = pd.DataFrame(data, columns=cols)
    spec = LAYERS[layer]["columns"]
    for c in cols:
        t = spec[c].type if c in spec else "str"
        if t == "int":
            df[c] = df[c].astype("Int64")
        elif t == "float":
            df[c] = pd.to_numeric(df[c].map(lambda v: None if v is None else float(v)))
        elif t == "bool":
            df[c] = df[c].astype("boolean")
        else:
            df[c] = df[c].astype(object)
    geoms = [shapely.from_wkb(bytes(r[-1].wkb)) for r in rows]
    return gpd.GeoDataFrame(
        df, geometry=gpd.GeoSeries(geoms, crs=f"EPSG:{settings.SRID}")
    )


def layer_export(
    *,
    layer: str,
    fmt: str,
    path,
    bbox=None,
    public: bool = False,
    crs: str = "EPSG:4326",
) -> Path:
    """Write ``layer`` to ``path`` in ``fmt`` (geojson, gpkg, shp, csv, xlsx)."""
    fmt = {"json": "geojson", "zip": "shp"}.get(fmt.lower(), fmt.lower())
    if fmt not in FORMATS:
        msg = f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}"
        raise ExportError(msg)
    gdf = layer_frame(layer, bbox=bbox, public=public)
    kw = {}
    if fmt in ("gpkg", "csv", "xlsx", "shp"):
        kw["crs"] = crs
    if fmt == "gpkg":
        kw["layer"] = layer
    elif fmt == "shp":
        kw["name"] = layer
    elif fmt == "xlsx":
        kw["sheet"] = layer
    return writers.export(gdf, Path(path), fmt, **kw)
