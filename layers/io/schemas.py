"""Target layer schemas (from docs/DATA_MODEL.md) used by :mod:`layers.io.mapping`.

Each column has a type (``str``, ``int``, ``float``, ``bool``, ``choice``, ``date``), optional
choices and whether it is required. Derived columns (``area_m2``, ``length_m``) are
not importable. Geometry types are the stored types (EPSG:4549).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    type: str
    choices: tuple[str, ...] = ()
    required: bool = False
    max_length: int = 255


def _c(*choices: str, required: bool = False) -> Column:
    return Column("choice", tuple(choices), required)


S = Column("str")
CODE = Column("str", required=True, max_length=64)
NAME = Column("str")
I = Column("int")  # noqa: E741
F = Column("float")
B = Column("bool")
D = Column("date")

TENURE = _c("state", "collective")
STATUS = _c("available", "reserved", "used")

#: GB 50180-2018 category codes (fixtures/rulesets/gb50180_2018.json "categories")
AMENITY_CATEGORIES = (
    "kindergarten",
    "nursery",
    "elderly_daycare",
    "community_service_station",
    "community_canteen",
    "culture_station",
    "small_sports_ground",
    "outdoor_fitness",
    "health_station",
    "community_shop",
    "convenience_store",
    "parcel_locker",
    "public_toilet",
    "recycling_point",
    "primary_school",
    "medium_sports_ground",
    "market",
    "bus_stop",
    "restaurant",
    "middle_school",
    "large_sports_ground",
    "health_center",
    "clinic",
    "nursing_home",
    "culture_center",
    "street_service_center",
    "shopping_mall",
    "bank",
    "post_office",
    "garbage_point",
    "garbage_station",
    "nursing_care_home",
    "street_office",
    "judicial_office",
)

STAGES = (
    "not_started",
    "applied",
    "planned",
    "in_reserve",
    "in_annual_plan",
    "under_construction",
    "accepted",
    "handed_over",
    "post_evaluated",
)

LAYERS: dict[str, dict] = {
    "district": {
        "geometry": "MultiPolygon",
        "columns": {"code": CODE, "name": NAME, "is_central": B},
    },
    "street": {
        "geometry": "MultiPolygon",
        "columns": {"code": CODE, "name": NAME, "district_code": S},
    },
    "community": {
        "geometry": "MultiPolygon",
        "columns": {
            "code": CODE,
            "name": NAME,
            "district_code": S,
            "street_code": S,
            "committee": S,
            "address": S,
            "completion_year": I,
            "land_tenure": TENURE,
            "housing_type": _c(
                "commodity", "work_unit", "resettlement", "affordable", "villa", "mixed"
            ),
            "buildings": I,
            "max_floors": I,
            "households": I,
            "households_estimated": B,
            "residents": I,
            "floor_area_m2": F,
            "lifts": I,
            "parking_spaces": I,
            "in_shanty_plan": B,
            "in_expropriation_plan": B,
            "repairable": B,
            "dangerous_c": I,
            "dangerous_d": I,
            "property_management": _c("none", "professional", "self", "work_unit"),
            "owners_committee": B,
            "owners_committee_formed_on": D,
            "property_since": D,
            "property_company": Column("str", max_length=128),
            "service_level": _c("1", "2", "3", "4", "5"),
            "property_fee": F,
            "fund_balance_yuan": F,
            "fund_standard_yuan": F,
            "stage": _c(*STAGES),
        },
    },
    "idle_land": {
        "geometry": "Polygon",
        "columns": {
            "code": CODE,
            "name": NAME,
            "kind": _c("vacant", "wasteland", "idle", "corner", "demolition", "green"),
            "owner": S,
            "tenure": TENURE,
            "consent": _c("unknown", "asked", "granted", "refused"),
            "status": STATUS,
        },
    },
    "vacant_housing": {
        "geometry": "Point",
        "columns": {
            "code": CODE,
            "name": NAME,
            "address": S,
            "floor_area_m2": F,
            "floors": I,
            "owner_kind": _c("public", "commercial", "work_unit"),
            "status": STATUS,
        },
    },
    "amenity": {
        "geometry": "Point",
        "columns": {
            "code": CODE,
            "name": NAME,
            "category": Column("choice", AMENITY_CATEGORIES, required=True),
            "capacity": I,
            "floor_area_m2": F,
            "source": S,
        },
    },
    "special_work": {
        # an area (Polygon, MultiPolygon) or a line (LineString, MultiLineString)
        "geometry": "Geometry",
        "columns": {
            "code": CODE,
            "name": NAME,
            "department": Column("str", required=True, max_length=128),
            "kind": _c(
                "sewer_separation",
                "sponge_city",
                "waste_sorting",
                "arterial_road",
                "service_centre",
                "smart_security",
                "power",
                "telecom",
                "cable_tv",
                "gas",
                "water",
                required=True,
            ),
            "start_year": Column("int", required=True),
            "end_year": Column("int", required=True),
            "status": _c("planned", "under_way", "done"),
            "notes": S,
        },
    },
    "walk_segment": {
        "geometry": "LineString",
        "columns": {
            "code": CODE,
            "kind": _c("arterial", "secondary", "local", "alley", "footway", "bridge"),
            "name": NAME,
            "is_barrier": B,
            "is_crossing": B,
        },
    },
}


def layer_schema(layer: str) -> dict:
    try:
        return LAYERS[layer]
    except KeyError:
        msg = f"unknown layer {layer!r}; layers are {', '.join(LAYERS)}"
        raise ValueError(msg) from None
