"""The public allowlists: public name -> ORM lookup, per layer and card. Nothing else is ever selected."""

from __future__ import annotations

from layers.models import (
    Stage,
)

#: Stages counted as "renovated" (竣工验收 and later).
RENOVATED_STAGES = (Stage.ACCEPTED, Stage.HANDED_OVER, Stage.POST_EVALUATED)


#: Vote results are shown only for votes with at least this many owners (SECURITY.md E6).
VOTE_MIN_OWNERS = 10


# ---------------------------------------------------------------------------
# Allowlists: public name -> ORM lookup. Nothing else is ever selected.
# Lookups are on the published snapshot (public.models), never on the live layers.
# ---------------------------------------------------------------------------
COMMUNITY_FIELDS: dict[str, str] = {
    "code": "code",
    "name": "name",
    "district": "district_code",
    "district_name": "district_name",
    "street_name": "street_name",
    "completion_year": "completion_year",
    "households": "households",
    "buildings": "buildings",
    "lifts": "lifts",
    "stage": "stage",
    "public_notes": "public_notes",
}


#: The lighter property set sent with every map feature and tile.
COMMUNITY_MAP_FIELDS: tuple[str, ...] = (
    "code",
    "name",
    "district",
    "completion_year",
    "households",
    "stage",
)


DISTRICT_FIELDS: dict[str, str] = {"code": "code", "name": "name"}


PHOTO_FIELDS: dict[str, str] = {
    "id": "id",
    "kind": "kind",
    "caption": "caption",
    "taken_on": "taken_on",
}


HISTORY_FIELDS: tuple[str, ...] = (
    "date",
    "stage",
)  # never history_user / change reason


COVERAGE_FIELDS: tuple[str, ...] = ("score", "missing", "tiers_met")


WORKS_FIELDS: tuple[str, ...] = ("category", "name")


VOTE_FIELDS: tuple[str, ...] = (
    "kind",
    "held_on",
    "passed",
    "participation_ratio",
    "consent_ratio",
)


#: The figures of the public statistics, per district and for the city.
STATS_FIELDS: tuple[str, ...] = (
    "communities",
    "households",
    "renovated",
    "renovated_households",
    "target",
    "target_households",
    "dangerous_buildings",
    "dangerous_cleared",
    "lifts_installed",
    "facilities_added",
    # 五(二): renovated communities with professional property management
    "renovated_professional",
)


#: Per layer (collection / tile layer) the public property keys, for tests and docs.
PUBLIC_LAYER_FIELDS: dict[str, tuple[str, ...]] = {
    "communities": tuple(COMMUNITY_FIELDS),
    "communities_map": COMMUNITY_MAP_FIELDS,
    "districts": tuple(DISTRICT_FIELDS),
}
