"""Reading a rule set from its JSON form (the fixture, an upload, the database), validated up front."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from analysis.rules.model import (
    CAPACITY_UNITS,
    DECAY_KINDS,
    CapacityStandard,
    DistanceDecay,
    FacilityRule,
    RuleSet,
    Tier,
    WalkingProfile,
)


def _num(value: Any, field: str, where: str, *, optional: bool = True) -> float | None:
    if value is None:
        if optional:
            return None
        msg = f"{where}: {field!r} is required."
        raise ValueError(msg)
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"{where}: {field!r} must be a number, got {value!r}."
        raise ValueError(msg)
    if not math.isfinite(value) or value < 0:
        msg = f"{where}: {field!r} must be a finite non-negative number, got {value!r}."
        raise ValueError(msg)
    return float(value)


def _pos(value: Any, field: str, where: str) -> float:
    out = _num(value, field, where, optional=False)
    if out is None or out <= 0:
        msg = f"{where}: {field!r} must be positive, got {value!r}."
        raise ValueError(msg)
    return out


def _str(value: Any, field: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"{where}: {field!r} must be a non-empty string, got {value!r}."
        raise ValueError(msg)
    return value


def load_ruleset(data: Mapping[str, Any]) -> RuleSet:
    """Parse and validate a rule-set mapping (the JSON fixture format).

    Parameters
    ----------
    data
        Mapping with ``name``, ``version``, ``tiers`` (``minutes``,
        ``distance_m``, optional ``strict_distance_m`` and ``name``),
        ``categories`` (``code``, ``name``, ``tier_minutes``, ``required``,
        optional ``service_radius_m``, ``min_floor_area_m2``,
        ``min_site_area_m2``, ``per_pop``, ``source_clause``, ``verified``),
        optional ``walking_profiles`` (``code``, ``name``, ``speed_m_per_min``)
        and optional ``complete_community_items`` / ``old_area_rules`` (each
        with ``source_clause`` and ``verified``; named ``categories`` /
        ``category`` must exist).

    Returns
    -------
    RuleSet
        Tiers sorted by minutes; rules in input order.

    Raises
    ------
    ValueError
        With a message naming the offending entry: missing keys, duplicate tier
        or category codes, a category in an unknown tier, negative or
        non-numeric distances, tier distances not increasing with minutes, a
        strict distance larger than the standard one.
    """
    if not isinstance(data, Mapping):
        msg = f"A rule set must be a mapping, got {type(data).__name__}."
        raise ValueError(msg)
    name = _str(data.get("name"), "name", "rule set")
    version = data.get("version", 1)
    if not isinstance(version, int | str) or isinstance(version, bool):
        msg = f"rule set: 'version' must be an int or a string, got {version!r}."
        raise ValueError(msg)

    raw_tiers = data.get("tiers")
    if not isinstance(raw_tiers, list | tuple) or not raw_tiers:
        msg = "rule set: 'tiers' must be a non-empty list."
        raise ValueError(msg)
    tiers: list[Tier] = []
    for i, t in enumerate(raw_tiers):
        where = f"tier #{i}"
        if not isinstance(t, Mapping):
            msg = f"{where}: must be a mapping."
            raise ValueError(msg)
        minutes = t.get("minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
            msg = f"{where}: 'minutes' must be a positive integer, got {minutes!r}."
            raise ValueError(msg)
        dist = _pos(t.get("distance_m"), "distance_m", f"tier {minutes} min")
        strict = _num(t.get("strict_distance_m"), "strict_distance_m", where)
        if strict is not None and not 0 < strict <= dist:
            msg = (
                f"tier {minutes} min: 'strict_distance_m' ({strict}) must be positive "
                f"and not larger than 'distance_m' ({dist})."
            )
            raise ValueError(msg)
        verified = t.get("verified", True)
        if not isinstance(verified, bool):
            msg = f"tier {minutes} min: 'verified' must be true or false."
            raise ValueError(msg)
        tiers.append(
            Tier(
                minutes,
                dist,
                str(t.get("name", "")),
                strict,
                str(t.get("source_clause") or ""),
                verified,
            )
        )
    tiers.sort(key=lambda t: t.minutes)
    minutes_list = [t.minutes for t in tiers]
    if len(set(minutes_list)) != len(minutes_list):
        msg = f"rule set: duplicate tier minutes in {minutes_list}."
        raise ValueError(msg)
    for lo, hi in zip(tiers, tiers[1:]):
        if hi.distance_m <= lo.distance_m:
            msg = (
                f"tier {hi.minutes} min: distance_m ({hi.distance_m}) must exceed "
                f"the {lo.minutes}-min distance ({lo.distance_m})."
            )
            raise ValueError(msg)

    raw_rules = data.get("categories", data.get("rules"))
    if not isinstance(raw_rules, list | tuple) or not raw_rules:
        msg = "rule set: 'categories' must be a non-empty list."
        raise ValueError(msg)
    rules: list[FacilityRule] = []
    seen: set[str] = set()
    for i, c in enumerate(raw_rules):
        if not isinstance(c, Mapping):
            msg = f"category #{i}: must be a mapping."
            raise ValueError(msg)
        code = _str(c.get("code"), "code", f"category #{i}")
        where = f"category {code!r}"
        if code in seen:
            msg = f"{where}: duplicate category code."
            raise ValueError(msg)
        seen.add(code)
        tier_minutes = c.get("tier_minutes")
        if tier_minutes not in minutes_list or isinstance(tier_minutes, bool):
            msg = (
                f"{where}: unknown tier {tier_minutes!r}; "
                f"the rule set defines {minutes_list}."
            )
            raise ValueError(msg)
        required = c.get("required", False)
        if not isinstance(required, bool):
            msg = f"{where}: 'required' must be true or false, got {required!r}."
            raise ValueError(msg)
        radius = _num(c.get("service_radius_m"), "service_radius_m", where)
        if radius is not None and radius <= 0:
            msg = f"{where}: 'service_radius_m' must be positive, got {radius!r}."
            raise ValueError(msg)
        verified = c.get("verified", False)
        if not isinstance(verified, bool):
            msg = f"{where}: 'verified' must be true or false, got {verified!r}."
            raise ValueError(msg)
        rules.append(
            FacilityRule(
                code=code,
                name=str(c.get("name", code)),
                tier_minutes=int(tier_minutes),
                required=required,
                service_radius_m=radius,
                min_floor_area_m2=_num(
                    c.get("min_floor_area_m2"), "min_floor_area_m2", where
                ),
                min_site_area_m2=_num(
                    c.get("min_site_area_m2"), "min_site_area_m2", where
                ),
                per_pop=_num(c.get("per_pop"), "per_pop", where),
                source_clause=str(c.get("source_clause") or ""),
                verified=verified,
            )
        )

    standards = data.get("capacity_standards") or {}
    if not isinstance(standards, Mapping):
        msg = "rule set: 'capacity_standards' must map category codes to standards."
        raise ValueError(msg)
    unknown = sorted(set(standards) - seen)
    if unknown:
        msg = f"capacity_standards: unknown categories {unknown}."
        raise ValueError(msg)
    rules = [
        replace(r, capacity=_capacity(standards[r.code], r.code))
        if r.code in standards
        else r
        for r in rules
    ]

    profiles: list[WalkingProfile] = []
    pcodes: set[str] = set()
    for i, p in enumerate(data.get("walking_profiles") or ()):
        if not isinstance(p, Mapping):
            msg = f"walking profile #{i}: must be a mapping."
            raise ValueError(msg)
        code = _str(p.get("code"), "code", f"walking profile #{i}")
        if code in pcodes:
            msg = f"walking profile {code!r}: duplicate code."
            raise ValueError(msg)
        pcodes.add(code)
        speed = _pos(p.get("speed_m_per_min"), "speed_m_per_min", f"profile {code!r}")
        profiles.append(WalkingProfile(code, str(p.get("name", code)), speed))

    return RuleSet(
        name=name,
        version=version,
        tiers=tuple(tiers),
        rules=tuple(rules),
        walking_profiles=tuple(profiles),
        description=str(data.get("description", "")),
        distance_decay=_decay(data.get("distance_decay")),
        complete_community_items=_cited(data, "complete_community_items", seen),
        old_area_rules=_cited(data, "old_area_rules", seen),
    )


def _capacity(raw: Any, code: str) -> CapacityStandard:
    where = f"capacity standard {code!r}"
    if not isinstance(raw, Mapping):
        msg = f"{where}: must be a mapping."
        raise ValueError(msg)
    unit = raw.get("unit")
    if unit not in CAPACITY_UNITS:
        msg = f"{where}: 'unit' must be one of {list(CAPACITY_UNITS)}, got {unit!r}."
        raise ValueError(msg)
    group = raw.get("target_group")
    if group is not None:
        group = _str(group, "target_group", where)
    m2 = raw.get("m2_per_unit")
    if m2 is not None:
        m2 = _pos(m2, "m2_per_unit", where)
        if unit == "m2":
            msg = f"{where}: 'm2_per_unit' makes no sense when the unit is m2."
            raise ValueError(msg)
    pop = raw.get("service_population")
    if pop is not None:
        pop = _pos(pop, "service_population", where)
    verified = raw.get("verified", False)
    if not isinstance(verified, bool):
        msg = f"{where}: 'verified' must be true or false, got {verified!r}."
        raise ValueError(msg)
    return CapacityStandard(
        unit=unit,
        per_1000=_pos(raw.get("per_1000"), "per_1000", where),
        target_group=group,
        m2_per_unit=m2,
        service_population=pop,
        source_clause=str(raw.get("source_clause") or ""),
        verified=verified,
    )


def _decay(raw: Any) -> DistanceDecay:
    if raw is None:
        return DistanceDecay()
    where = "distance_decay"
    if not isinstance(raw, Mapping):
        msg = f"{where}: must be a mapping."
        raise ValueError(msg)
    kind = raw.get("kind", "step")
    if kind not in DECAY_KINDS:
        msg = f"{where}: 'kind' must be one of {list(DECAY_KINDS)}, got {kind!r}."
        raise ValueError(msg)
    source = str(raw.get("source") or "")
    if kind == "none":
        return DistanceDecay("none", ((1.0, 1.0),), None, source)
    if kind == "gaussian":
        sigma = _pos(raw.get("sigma"), "sigma", where)
        return DistanceDecay("gaussian", ((1.0, 1.0),), sigma, source)
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list | tuple) or not steps_raw:
        msg = f"{where}: 'steps' must be a non-empty list of [fraction, weight]."
        raise ValueError(msg)
    steps: list[tuple[float, float]] = []
    for i, st in enumerate(steps_raw):
        if not isinstance(st, list | tuple) or len(st) != 2:
            msg = f"{where}: step #{i} must be [fraction, weight], got {st!r}."
            raise ValueError(msg)
        f = _pos(st[0], "fraction", f"{where} step #{i}")
        w = _num(st[1], "weight", f"{where} step #{i}", optional=False)
        if f > 1 or (steps and f <= steps[-1][0]):
            msg = f"{where}: step fractions must increase within (0, 1], got {f!r}."
            raise ValueError(msg)
        steps.append((f, float(w)))  # type: ignore[arg-type]
    return DistanceDecay("step", tuple(steps), None, source)


def _cited(
    data: Mapping[str, Any], key: str, codes: set[str]
) -> tuple[Mapping[str, Any], ...]:
    """Rules that are not walking distances: each needs a clause and a verified flag;
    the categories they name must be in the rule set."""
    raw = data.get(key) or ()
    if not isinstance(raw, list | tuple):
        msg = f"rule set: {key!r} must be a list."
        raise ValueError(msg)
    out = []
    for i, item in enumerate(raw):
        where = f"{key} #{i}"
        if not isinstance(item, Mapping):
            msg = f"{where}: must be a mapping."
            raise ValueError(msg)
        _str(item.get("source_clause"), "source_clause", where)
        if not isinstance(item.get("verified"), bool):
            msg = f"{where}: 'verified' must be true or false."
            raise ValueError(msg)
        named = list(item.get("categories") or ())
        if item.get("category"):
            named.append(item["category"])
        unknown = sorted(set(named) - codes)
        if unknown:
            msg = f"{where}: unknown categories {unknown}."
            raise ValueError(msg)
        out.append(dict(item))
    return tuple(out)
