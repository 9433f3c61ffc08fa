"""The rule set as frozen dataclasses: tiers, walking profiles, facility rules, capacity standards, distance decay."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


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
