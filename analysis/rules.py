"""Life-circle rule sets: tiers, facility rules and walking profiles as data.

A rule set (e.g. ``fixtures/rulesets/gb50180_2018.json``) is parsed once with
:func:`load_ruleset` into frozen dataclasses, validated up front, and then
queried for distance thresholds by the walkshed engine.

Tier semantics (GB 50180-2018 条文 2.0.2-2.0.5 and the "facility sets are
cumulative" rule, see LIFECIRCLE.md §1.1):

* tiers are keyed by walking minutes: the 5/10/15-minute circles and the
  居住街坊 (residential block), which has no walking time in the standard and is
  keyed as a 3-minute tier (150 m in the default rule set, flagged unverified);
* every facility category belongs to exactly one tier, the lowest at which the
  standard requires it (商场 ▲ at 10 and 15 minutes belongs to 10), and
  has its own *threshold*: its ``service_radius_m`` (or, if absent, its tier's
  distance), see :meth:`RuleSet.threshold_m`;
* a community **meets tier T** when every *required* category whose tier is
  ``<= T`` lies within that category's own threshold.  The higher tiers do not
  relax the lower ones: at the 15-min tier a kindergarten (5-min) must still be
  within 300 m, not within 1000 m.  Meeting tier 15 therefore implies meeting
  tiers 5 and 10.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "CAPACITY_UNITS",
    "DECAY_KINDS",
    "CapacityStandard",
    "DistanceDecay",
    "FacilityRule",
    "RuleSet",
    "Tier",
    "WalkingProfile",
    "load_ruleset",
]


@dataclass(frozen=True)
class Tier:
    """One life-circle tier (五/十/十五分钟生活圈).

    Attributes
    ----------
    minutes
        Walking time of the tier, the tier's key (5, 10, 15).
    distance_m
        Standard walking distance of the tier in network metres.
    name
        Display name.
    strict_distance_m
        Optional stricter distance (e.g. 800 m for the 15-min tier, whose
        standard range is 800-1000 m).
    source_clause
        Clause of the standard the tier's distance cites.
    verified
        ``False`` when the distance has not been checked against the official
        text (the 居住街坊 distance is derived, not given).
    """

    minutes: int
    distance_m: float
    name: str = ""
    strict_distance_m: float | None = None
    source_clause: str = ""
    verified: bool = True

    def distance(self, *, strict: bool = False) -> float:
        """Return the tier distance in metres, the strict variant if asked and set."""
        if strict and self.strict_distance_m is not None:
            return self.strict_distance_m
        return self.distance_m


@dataclass(frozen=True)
class WalkingProfile:
    """A walking speed profile (adult, elderly, ...)."""

    code: str
    name: str
    speed_m_per_min: float


#: Units a facility's supply is counted in: 学位/托位 (places), 床位 (beds), floor area.
CAPACITY_UNITS: tuple[str, ...] = ("places", "beds", "m2")
#: Distance-decay shapes of the E2SFCA weight (:mod:`analysis.capacity`).
DECAY_KINDS: tuple[str, ...] = ("none", "step", "gaussian")


@dataclass(frozen=True)
class DistanceDecay:
    """Distance decay of the capacity-aware life circle (E2SFCA weight ``W(d)``).

    Distances are given as *fractions of the catchment* (the category's
    threshold), so one decay serves the 300 m and the 1000 m tiers alike.

    Attributes
    ----------
    kind
        ``"none"`` (``W = 1`` inside the catchment: plain 2SFCA), ``"step"``
        (``W = w_k`` for ``d <= f_k * d0``, the first zone that contains ``d``)
        or ``"gaussian"`` (``W = exp(-d^2 / (2 (s d0)^2))``, ``W(0) = 1``).
    steps
        ``((f_1, w_1), (f_2, w_2), ...)`` with increasing ``f_k`` in ``(0, 1]``
        (``kind="step"``; the last ``f_k`` should be 1).
    sigma
        ``s``, the Gaussian width as a fraction of the catchment.
    source
        Where the shape and numbers come from.
    """

    kind: str = "step"
    steps: tuple[tuple[float, float], ...] = ((1.0, 1.0),)
    sigma: float | None = None
    source: str = ""

    def breakpoints_m(self, catchment_m: float) -> tuple[tuple[float, float], ...]:
        """The step zones in metres for a catchment: ``((f_k * d0, w_k), ...)``."""
        return tuple((f * float(catchment_m), w) for f, w in self.steps)


@dataclass(frozen=True)
class CapacityStandard:
    """How much of a facility the residents need (千人指标) and how to size one.

    Attributes
    ----------
    unit
        What supply is counted in, one of :data:`CAPACITY_UNITS`.
    per_1000
        Units required per 1 000 persons of the demand group (the target group
        if set, else all residents).
    target_group
        Code of the target group (e.g. ``children_3_5``, ``age_60_plus``) whose
        share of the residents, per district, is dated data; ``None`` = all
        residents.
    m2_per_unit
        Floor area per place or bed, to turn a facility's floor area into
        places when it has no capacity attribute (``unit`` places/beds only).
    service_population
        Persons of the demand group one facility of the standard serves: a
        facility with neither capacity nor floor area is taken to supply
        ``service_population * per_1000 / 1000`` units.
    source_clause, verified
        Citation and whether the numbers were checked against the official text.
    """

    unit: str
    per_1000: float
    target_group: str | None = None
    m2_per_unit: float | None = None
    service_population: float | None = None
    source_clause: str = ""
    verified: bool = False

    @property
    def per_person(self) -> float:
        """Units required per person of the demand group (``per_1000 / 1000``)."""
        return self.per_1000 / 1000.0


@dataclass(frozen=True)
class FacilityRule:
    """One facility category rule (a row of GB 50180-2018 表5.0.2 / 附录 B).

    Attributes
    ----------
    code
        Stable category key, matched against the amenity ``category`` column.
    name
        Display name (Chinese policy term).
    tier_minutes
        The tier the category belongs to.
    required
        ``True`` for ▲ (must be provided), ``False`` for △ (as needed).
    service_radius_m
        Service radius in metres, or ``None`` to use the tier distance.
    min_floor_area_m2, min_site_area_m2, per_pop
        Planning figures carried along for other analyses (may be ``None``).
    source_clause
        Clause of the standard the rule cites.
    verified
        ``False`` when the number has not been checked against the official text.
    capacity
        The category's capacity standard (``None``: the standard sizes it by
        distance only, and the capacity-aware life circle skips it).
    """

    code: str
    name: str
    tier_minutes: int
    required: bool
    service_radius_m: float | None = None
    min_floor_area_m2: float | None = None
    min_site_area_m2: float | None = None
    per_pop: float | None = None
    source_clause: str = ""
    verified: bool = False
    capacity: CapacityStandard | None = None


@dataclass(frozen=True)
class RuleSet:
    """A validated, immutable life-circle rule set.

    Build it with :func:`load_ruleset`; the constructor does not validate.
    """

    name: str
    version: int | str
    tiers: tuple[Tier, ...]
    rules: tuple[FacilityRule, ...]
    walking_profiles: tuple[WalkingProfile, ...] = ()
    description: str = ""
    distance_decay: DistanceDecay = field(default_factory=DistanceDecay)

    @property
    def capacity_codes(self) -> tuple[str, ...]:
        """Codes of the categories with a capacity standard, in rule-set order."""
        return tuple(r.code for r in self.rules if r.capacity is not None)

    #: 完整居住社区 items that are not walking distances (infrastructure, governance):
    #: carried with their clause and verified flag, checked by survey or attribute
    complete_community_items: tuple[Mapping[str, Any], ...] = ()
    #: 旧区改建 rules (old estates): e.g. 2-3 convenience stores instead of a
    #: supermarket, public green per head >= 70 % of the control value (GB 4.0.5)
    old_area_rules: tuple[Mapping[str, Any], ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        """Category codes in rule-set order."""
        return tuple(r.code for r in self.rules)

    @property
    def tier_minutes(self) -> tuple[int, ...]:
        """Tier minutes in ascending order."""
        return tuple(t.minutes for t in self.tiers)

    def tier(self, minutes: int) -> Tier:
        """Return the tier with the given minutes.

        Raises
        ------
        ValueError
            If the rule set has no such tier.
        """
        for t in self.tiers:
            if t.minutes == minutes:
                return t
        msg = f"Unknown tier {minutes!r} min; the rule set has {self.tier_minutes}."
        raise ValueError(msg)

    def rule(self, code: str) -> FacilityRule:
        """Return the rule of a category code.

        Raises
        ------
        ValueError
            If the code is unknown.
        """
        for r in self.rules:
            if r.code == code:
                return r
        msg = f"Unknown facility category {code!r}."
        raise ValueError(msg)

    def profile(self, code: str) -> WalkingProfile:
        """Return a walking profile by code.

        Raises
        ------
        ValueError
            If the profile is unknown.
        """
        for p in self.walking_profiles:
            if p.code == code:
                return p
        msg = f"Unknown walking profile {code!r}."
        raise ValueError(msg)

    def required_codes(self, max_tier_minutes: int | None = None) -> tuple[str, ...]:
        """Required category codes of tiers ``<= max_tier_minutes`` (all if ``None``)."""
        return tuple(
            r.code
            for r in self.rules
            if r.required
            and (max_tier_minutes is None or r.tier_minutes <= max_tier_minutes)
        )

    def distance_for(
        self,
        tier_minutes: int,
        *,
        strict: bool = False,
        speed_m_per_min: float | None = None,
    ) -> float:
        """Return the walking distance in metres of a tier.

        Parameters
        ----------
        tier_minutes
            The tier (5, 10, 15).
        strict
            Use the tier's strict distance where it has one (800 m at 15 min).
        speed_m_per_min
            If given, the distance is ``tier_minutes * speed_m_per_min`` (a
            time-based profile) instead of the standard distance.

        Returns
        -------
        float
            Distance in metres.

        Raises
        ------
        ValueError
            On an unknown tier, a non-positive speed, or ``strict`` together with
            a speed (the strict variant is a distance, not a time).
        """
        tier = self.tier(tier_minutes)
        if speed_m_per_min is not None:
            _check_speed(speed_m_per_min, strict=strict)
            return float(tier.minutes) * float(speed_m_per_min)
        return float(tier.distance(strict=strict))

    def threshold_m(
        self,
        code: str,
        *,
        strict: bool = False,
        speed_m_per_min: float | None = None,
    ) -> float:
        """Return the distance within which a category counts as provided.

        Parameters
        ----------
        code
            Category code.
        strict
            Cap the threshold at the tier's strict distance.
        speed_m_per_min
            Time-based mode: every distance of the tier is rescaled by
            ``tier_minutes * speed / tier.distance_m``, so a rule whose radius
            equals its tier distance gets exactly ``minutes * speed``.

        Returns
        -------
        float
            Threshold in metres.

        Notes
        -----
        Distance mode: ``service_radius_m`` if set, else the tier distance; with
        ``strict`` the result is ``min(that, strict tier distance)``.
        """
        rule = self.rule(code)
        tier = self.tier(rule.tier_minutes)
        base = (
            float(rule.service_radius_m)
            if rule.service_radius_m is not None
            else float(tier.distance_m)
        )
        if speed_m_per_min is not None:
            _check_speed(speed_m_per_min, strict=strict)
            return base * tier.minutes * float(speed_m_per_min) / float(tier.distance_m)
        if strict:
            return min(base, float(tier.distance(strict=True)))
        return base

    def max_distance_m(
        self, *, strict: bool = False, speed_m_per_min: float | None = None
    ) -> float:
        """Largest tier distance or category threshold, the routing limit."""
        tiers = [
            self.distance_for(t, strict=strict, speed_m_per_min=speed_m_per_min)
            for t in self.tier_minutes
        ]
        rules = [
            self.threshold_m(c, strict=strict, speed_m_per_min=speed_m_per_min)
            for c in self.codes
        ]
        return max(tiers + rules)


def _check_speed(speed_m_per_min: float, *, strict: bool) -> None:
    if strict:
        msg = "strict=True and speed_m_per_min are mutually exclusive."
        raise ValueError(msg)
    if not (math.isfinite(speed_m_per_min) and speed_m_per_min > 0):
        msg = f"speed_m_per_min must be a positive number, got {speed_m_per_min!r}."
        raise ValueError(msg)


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
