"""15-minute life circle runs: load the layers, run the engine, store results; what-if scenarios.

The engine is :mod:`analysis.walkshed`; this module only moves data between PostGIS and
it. A finished run keeps its network and result in memory (``_CONTEXTS``) so that what-if
questions are answered without re-reading the city; after a restart the first what-if
rebuilds them (same data → same result)."""

from __future__ import annotations

from lifecircle.services.context import (
    ENGINE,
    ENGINE_STRAIGHT,
    MAX_CACHED,
    MAX_CONTEXTS,
    RunContext,
    cache_clear,
    population_shares,
    residents_fill,
    routing_workers,
    run_context,
)
from lifecircle.services.outputs import (
    RESULT_FORMATS,
    lifecircle_distance_tiff,
    lifecircle_result_rows,
    lifecircle_result_write,
)
from lifecircle.services.parking import (
    community_parking_figures,
    community_parking_record,
    parking_ratios,
)
from lifecircle.services.runs import (
    lifecircle_latest,
    lifecircle_run,
    lifecircle_validate,
)
from lifecircle.services.whatif import lifecircle_what_if

__all__ = [
    "ENGINE",
    "ENGINE_STRAIGHT",
    "MAX_CACHED",
    "MAX_CONTEXTS",
    "RESULT_FORMATS",
    "RunContext",
    "cache_clear",
    "community_parking_figures",
    "community_parking_record",
    "lifecircle_distance_tiff",
    "lifecircle_latest",
    "lifecircle_result_rows",
    "lifecircle_result_write",
    "lifecircle_run",
    "lifecircle_validate",
    "lifecircle_what_if",
    "parking_ratios",
    "population_shares",
    "residents_fill",
    "routing_workers",
    "run_context",
]
