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

from layers.importing.direct_writes import (
    BASEMAP_COLUMNS,
    basemap_replace,
    population_raster_register,
)
from layers.importing.files import layer_import
from layers.importing.openstreetmap import osm_import, osm_tag_table_markdown
from layers.importing.results import (
    ADMIN_ONLY_LAYERS,
    FOREIGN_KEYS,
    GENERATED_CODE,
    IMPORT_LAYERS,
    LAYER_MODELS,
    ImportRefused,
    ImportResult,
)

__all__ = [
    "ADMIN_ONLY_LAYERS",
    "BASEMAP_COLUMNS",
    "FOREIGN_KEYS",
    "GENERATED_CODE",
    "IMPORT_LAYERS",
    "ImportRefused",
    "ImportResult",
    "LAYER_MODELS",
    "basemap_replace",
    "layer_import",
    "osm_import",
    "osm_tag_table_markdown",
    "population_raster_register",
]
