"""Rank idle plots and vacant public housing for a missing amenity and choose the best k.

The package follows the array-core / GeoDataFrame-adapter split of STYLE.md §4.2
rule 3 and §4.3 #5 (spopt's ``from_cost_matrix`` / ``from_geodataframe``):

Array core (no geometry, no pandas)
    :func:`coverage_matrix` (candidate x community walk coverage from a scipy
    csr walk graph), :func:`demand_weights`, :func:`coverage_gain`,
    :func:`rank_order`, :func:`greedy_mclp`, :func:`exact_mclp`,
    :func:`multi_category_siting`, :func:`hosting_capacity`.

GeoDataFrame adapters
    :func:`siting_candidates` (idle_land + vacant_housing -> candidate sites),
    :func:`community_residents` and :func:`explain` (which community each chosen
    site serves).

Network interface
-----------------
The walk network and the nearest-facility distances are computed elsewhere
(``network.py`` / ``walkshed.py``).  This module depends only on this minimal
interface, passed as plain keyword arguments:

``graph``
    ``scipy.sparse.csr_matrix`` (n_nodes x n_nodes) of the walk graph, edge
    weights in metres.  Two-way unless ``directed=True``.
``candidate_nodes``
    int array, the graph node each candidate site is snapped to;
    ``candidate_offsets_m`` (optional) is the snap distance in metres, added to
    every walk from that candidate.
``community_nodes``
    the access node(s) of each community: either a 1-D int array with one
    node per community, or a ragged sequence (one sequence of nodes per
    community, e.g. its entrances), or a 1-D array of access-point nodes with
    ``access_community`` giving the community index of each access point.
    A community is covered when *any* of its access points is within reach.
``current_distance_m``
    float array, per community, the walk distance to the nearest *existing*
    facility of the category (``inf`` or ``NaN`` when there is none).

Policy
------
四(四)3: idle land (空地、荒地、闲置地、边角地、拆违腾退) and public green, *with owners'
consent*, go first to service facilities, and idle public housing is reused for
elderly care, childcare, meals and neighbourhood centres; 三(二): social capital
operates these services on idle land and idle public housing.  A plot whose
consent is ``refused`` is therefore never a candidate.  Distances follow the
GB 50180-2018 tiers (5-min = 300 m, 10-min = 500 m, 15-min = 1000 m), see
LIFECIRCLE.md.  Existing facilities stay fixed ("expansion planning",
LIFECIRCLE.md, location-allocation lessons): only communities that currently
*lack* the category within the tier distance count as demand.
"""

from __future__ import annotations

from analysis.siting.candidates import CONSENT_SCOPES, siting_candidates
from analysis.siting.coverage import (
    coverage_gain,
    coverage_matrix,
    demand_weights,
    pairs_to_coverage,
    rank_order,
)
from analysis.siting.explain import (
    community_residents,
    explain,
)
from analysis.siting.mclp import exact_mclp, greedy_mclp
from analysis.siting.multi import (
    EMBEDDED_CORE_FUNCTIONS,
    EMBEDDED_MIN_CORE_FUNCTIONS,
    EMBEDDED_MIN_FLOOR_AREA_M2,
    EMBEDDED_MIN_FUNCTIONS,
    hosting_capacity,
    multi_category_siting,
)
from analysis.siting.results import Coverage, MultiSolution, Solution

__all__ = [
    "CONSENT_SCOPES",
    "EMBEDDED_CORE_FUNCTIONS",
    "EMBEDDED_MIN_FLOOR_AREA_M2",
    "EMBEDDED_MIN_FUNCTIONS",
    "EMBEDDED_MIN_CORE_FUNCTIONS",
    "Coverage",
    "MultiSolution",
    "Solution",
    "community_residents",
    "coverage_gain",
    "coverage_matrix",
    "demand_weights",
    "exact_mclp",
    "explain",
    "greedy_mclp",
    "hosting_capacity",
    "multi_category_siting",
    "pairs_to_coverage",
    "rank_order",
    "siting_candidates",
]
