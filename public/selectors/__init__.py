"""Reads for the public map: the only door from the database to anonymous users.

Every public read goes through this module and returns plain dicts built from
``.values()`` of an explicit allowlist per layer (SECURITY.md §E1). Fields that are
not listed here (``internal_notes``, ``fund_balance_yuan``, who changed what, votes of
households, budgets…) are never selected, so no serializer, tile, export or cache can
leak them. Every query runs under a statement timeout (§G2) via :func:`public_query`."""

from __future__ import annotations

from public.selectors.allowlists import (
    COMMUNITY_FIELDS,
    COMMUNITY_MAP_FIELDS,
    COVERAGE_FIELDS,
    DISTRICT_FIELDS,
    HISTORY_FIELDS,
    PHOTO_FIELDS,
    PUBLIC_LAYER_FIELDS,
    RENOVATED_STAGES,
    STATS_FIELDS,
    VOTE_FIELDS,
    VOTE_MIN_OWNERS,
    WORKS_FIELDS,
)
from public.selectors.communities import (
    community_card,
    community_feature_page,
    community_features,
    community_filter,
    community_search,
    coverage_before_after,
    district_extent,
    district_features,
    district_list,
    photo_get,
    photo_list,
    public_community_qs,
    published_at,
    simplify_tolerance_m,
    stage_history,
    works_and_votes,
)
from public.selectors.funding import FUNDING_MIX_KEYS, funding_mix
from public.selectors.query import (
    STATEMENT_TIMEOUT_MS,
    PublicQueryTimeout,
    data_version,
    public_query,
)
from public.selectors.stats import (
    TARGETS_FILE,
    added_amenities_q,
    programme_targets,
    progress_stats,
    targets,
)

__all__ = [
    "FUNDING_MIX_KEYS",
    "COMMUNITY_FIELDS",
    "COMMUNITY_MAP_FIELDS",
    "COVERAGE_FIELDS",
    "DISTRICT_FIELDS",
    "HISTORY_FIELDS",
    "PHOTO_FIELDS",
    "PUBLIC_LAYER_FIELDS",
    "PublicQueryTimeout",
    "RENOVATED_STAGES",
    "STATEMENT_TIMEOUT_MS",
    "STATS_FIELDS",
    "TARGETS_FILE",
    "VOTE_FIELDS",
    "VOTE_MIN_OWNERS",
    "WORKS_FIELDS",
    "added_amenities_q",
    "community_card",
    "community_feature_page",
    "community_features",
    "community_filter",
    "community_search",
    "coverage_before_after",
    "data_version",
    "district_extent",
    "district_features",
    "district_list",
    "photo_get",
    "photo_list",
    "programme_targets",
    "funding_mix",
    "progress_stats",
    "public_community_qs",
    "published_at",
    "public_query",
    "simplify_tolerance_m",
    "stage_history",
    "targets",
    "works_and_votes",
]
