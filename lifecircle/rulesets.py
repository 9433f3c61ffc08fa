"""Rule sets: between the editable database records and the analysis' frozen RuleSet."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from analysis.rules import RuleSet as AnalysisRuleSet
from analysis.rules import load_ruleset
from layers.models import AmenityCategory
from lifecircle.models import FacilityRule, RuleSet


def ruleset_get(name: str | None = None) -> RuleSet:
    """The named rule set, or the default one."""
    qs = RuleSet.objects.all()
    try:
        return qs.get(name=name) if name else qs.get(is_default=True)
    except RuleSet.DoesNotExist as exc:
        names = ", ".join(qs.values_list("name", flat=True)) or "none"
        msg = f"unknown rule set {name!r} (available: {names})"
        raise ValueError(msg) from exc


def ruleset_to_dict(rs: RuleSet) -> dict[str, Any]:
    """The rule set in the fixture format read by :func:`analysis.rules.load_ruleset`."""
    rules = rs.rules.select_related("category").order_by(
        "tier_minutes", "category__code"
    )
    return {
        "name": rs.name,
        "version": rs.version,
        "tiers": [
            {
                "minutes": 3,
                "distance_m": rs.distance_block_m,
                "name": "居住街坊",
                "verified": False,
            },
            {"minutes": 5, "distance_m": rs.distance_5_m, "name": "五分钟生活圈"},
            {"minutes": 10, "distance_m": rs.distance_10_m, "name": "十分钟生活圈"},
            {
                "minutes": 15,
                "distance_m": rs.distance_15_m,
                "strict_distance_m": rs.strict_distance_15_m,
                "name": "十五分钟生活圈",
            },
        ],
        "walking_profiles": [
            {
                "code": "adult",
                "name": "成人步行",
                "speed_m_per_min": rs.adult_speed_m_per_min,
            },
            {
                "code": "elderly",
                "name": "老年人步行",
                "speed_m_per_min": rs.elderly_speed_m_per_min,
            },
        ],
        "categories": [
            {
                "code": r.category.code,
                "name": r.category.name,
                "tier_minutes": r.tier_minutes,
                "required": r.required,
                "service_radius_m": r.service_radius_m,
                "min_floor_area_m2": r.min_floor_area_m2,
                "min_site_area_m2": r.min_site_area_m2,
                "source_clause": r.source_clause,
                "verified": r.verified,
            }
            for r in rules
        ],
        "distance_decay": rs.distance_decay or None,
        "capacity_standards": {
            r.category.code: r.capacity for r in rules if r.capacity is not None
        },
        "complete_community_items": (rs.checklist or {}).get(
            "complete_community_items", []
        ),
        "old_area_rules": (rs.checklist or {}).get("old_area_rules", []),
    }


def ruleset_load(rs: RuleSet) -> AnalysisRuleSet:
    """The validated analysis rule set of a record."""
    return load_ruleset(ruleset_to_dict(rs))


@transaction.atomic
def ruleset_import(data: dict[str, Any]) -> RuleSet:
    """Create or replace a rule set from the fixture format (validated first); bumps its version."""
    parsed = load_ruleset(data)  # raises ValueError naming the bad entry
    tiers = {t.minutes: t for t in parsed.tiers}
    missing = {5, 10, 15} - set(tiers)
    if missing:
        msg = f"rule set must define the 5, 10 and 15 minute tiers (missing {sorted(missing)})"
        raise ValueError(msg)
    extra = set(tiers) - {3, 5, 10, 15}
    if extra:
        msg = (
            "rule set tiers are the 居住街坊 (3) and the 5, 10, 15 minute circles; "
            f"unknown {sorted(extra)}"
        )
        raise ValueError(msg)
    speeds = {p.code: p.speed_m_per_min for p in parsed.walking_profiles}
    rs = RuleSet.objects.filter(name=parsed.name).first()
    version = (rs.version + 1) if rs else int(data.get("version", 1))
    fields = {
        "version": version,
        "description": data.get("description", ""),
        "distance_block_m": tiers[3].distance_m if 3 in tiers else 150,
        "distance_5_m": tiers[5].distance_m,
        "distance_10_m": tiers[10].distance_m,
        "distance_15_m": tiers[15].distance_m,
        "strict_distance_15_m": tiers[15].strict_distance_m or tiers[15].distance_m,
        "adult_speed_m_per_min": speeds.get("adult", 66.7),
        "elderly_speed_m_per_min": speeds.get("elderly", 55.0),
        "distance_decay": data.get("distance_decay") or {},
        "checklist": {
            "complete_community_items": [
                dict(i) for i in parsed.complete_community_items
            ],
            "old_area_rules": [dict(i) for i in parsed.old_area_rules],
        },
    }
    rs, _ = RuleSet.objects.update_or_create(name=parsed.name, defaults=fields)
    rs.rules.all().delete()
    standards = data.get("capacity_standards") or {}
    for rule in parsed.rules:
        category, _ = AmenityCategory.objects.get_or_create(
            code=rule.code,
            defaults={
                "name": rule.name,
                "tier_minutes": rule.tier_minutes,
                "service_radius_m": int(rule.service_radius_m or 0),
            },
        )
        FacilityRule.objects.create(
            ruleset=rs,
            category=category,
            tier_minutes=rule.tier_minutes,
            required=rule.required,
            service_radius_m=int(rule.service_radius_m or 0),
            min_floor_area_m2=rule.min_floor_area_m2,
            min_site_area_m2=rule.min_site_area_m2,
            source_clause=rule.source_clause,
            verified=rule.verified,
            capacity=standards.get(rule.code),
        )
    return rs
