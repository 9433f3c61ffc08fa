"""Django-free core of data in and out: safe reading, checking and writing of layers.

Importing this package first puts the GDAL safety configuration into the process
environment, so that a GDAL loaded afterwards (pyogrio's or rasterio's) never
registers the VRT/MRF/network drivers. See :mod:`layers.io.safety`.

Public API (all Django-free):

* ``readers.read_vector(path, *, layer, encoding, crs, from_gcj02, from_bd09,
  target_crs="EPSG:4549", lonlat_columns, wkt_column, geometry_type, extent)``
  → ``ReadResult(gdf, source_crs, source_file, report, layer, encoding, info)``;
  ``readers.read_raster(path, *, crs)`` → ``RasterResult``; ``readers.list_layers``.
* ``sandbox.run_sandboxed(op, path, *, limits, **kwargs)``: the same in a
  resource-limited child process (use this from the web service).
* ``osm.read_osm(path, *, target_crs, extent)`` → ``OsmLayers``.
* ``mapping.load_mapping`` / ``mapping.apply_mapping(gdf, mapping, layer)``.
* ``writers.export(gdf, path, fmt=None, **kw)`` and the per-format writers.
* ``geometry.ImportReport`` (``to_text()``, ``to_dict()``, ``to_json()``).
* ``safety.gdal_self_check()``: call at application start; raises
  ``UnsafeEnvironment``.
* Errors: ``ImportRejected`` (``.code``) and its subclasses ``UnsafeFile``,
  ``UnsupportedFormat``, ``TooLarge``, ``NeedsInput``, ``OutOfExtent``.
"""

from layers.io.safety import apply_gdal_env as _apply_gdal_env

_apply_gdal_env()

from layers.io.errors import (  # noqa: E402
    ImportRejected,
    NeedsInput,
    OutOfExtent,
    TooLarge,
    UnsafeEnvironment,
    UnsafeFile,
    UnsupportedFormat,
)

__all__ = [
    "ImportRejected",
    "NeedsInput",
    "OutOfExtent",
    "TooLarge",
    "UnsafeEnvironment",
    "UnsafeFile",
    "UnsupportedFormat",
]
