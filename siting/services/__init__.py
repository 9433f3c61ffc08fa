"""Siting runs: rank idle plots and vacant public housing for a missing amenity, choose the best set.

The optimisation lives in :mod:`analysis.siting` (pure array core); this module only
moves data between PostGIS, the finished life-circle run it builds on and that core.

Distances are the life-circle engine's (:mod:`analysis.walkshed`): a candidate is
snapped to the walk network like a facility (point on surface of a plot, the point of a
vacant house), enters the graph through both end nodes of its edge with the snap offset
plus the partial edge length, and reaches each community access point stored in the
life-circle result; a candidate on the same edge as an access point also walks straight
along the edge. So a site proposed here covers exactly the communities that
:func:`lifecircle.services.lifecircle_what_if` later reports as newly covered.

Demand: residents (and communities) whose current walk distance to the category, from the
life-circle run, exceeds the tier distance; or, with ``gaps="capacity"``, residents of the
communities whose capacity-aware shortfall (:mod:`analysis.capacity`) a new site
within the catchment would reduce (any site with a positive capacity does). Existing facilities stay fixed and a community
they already serve is never counted as a gain (LIFECIRCLE.md, expansion planning).
Candidates: status ``available`` only, consent ``refused`` never (POLICY.md 四(四)3);
by default only plots whose owners agreed (and vacant public housing), the plots still
to be asked ranked apart (``consent_scope="pending"``), both together marked (``"all"``)."""

from __future__ import annotations

from siting.services.exporting import EXPORT_FORMATS, siting_export
from siting.services.inputs import (
    DEFAULT_EMBEDDED_BONUS,
    DEFAULT_TIME_LIMIT_S,
    ENGINE,
    KINDS,
    MAX_K,
    METHODS,
)
from siting.services.reads import (
    PRIVATE_FIELDS,
    PROPERTY_FIELDS,
    siting_candidates_geojson,
    siting_results,
    siting_run_get,
    siting_run_list,
)
from siting.services.runs import (
    siting_execute,
    siting_multi_run,
    siting_run,
    siting_validate,
)
from siting.services.scenarios import (
    candidate_kind_label,
    scenario_create,
    scenario_what_if,
)
from siting.services.whatif_scenarios import (
    MAX_SITES,
    whatif_scenario_create,
    whatif_scenario_delete,
    whatif_scenario_get,
    whatif_scenario_list,
)

__all__ = [
    "DEFAULT_EMBEDDED_BONUS",
    "DEFAULT_TIME_LIMIT_S",
    "ENGINE",
    "EXPORT_FORMATS",
    "KINDS",
    "MAX_K",
    "MAX_SITES",
    "METHODS",
    "PRIVATE_FIELDS",
    "PROPERTY_FIELDS",
    "candidate_kind_label",
    "scenario_create",
    "scenario_what_if",
    "siting_candidates_geojson",
    "siting_execute",
    "siting_export",
    "siting_multi_run",
    "siting_results",
    "siting_run",
    "siting_run_get",
    "siting_run_list",
    "siting_validate",
    "whatif_scenario_create",
    "whatif_scenario_delete",
    "whatif_scenario_get",
    "whatif_scenario_list",
]
