"""Enough service, not only a service nearby: the capacity-aware life circle (E2SFCA).

The distance-only life circle (:mod:`analysis.walkshed`) asks 有没有: is
a facility of the category within the tier distance? This module asks 够不够:
is there enough of it for the residents who share it?

Method: the enhanced two-step floating catchment area (E2SFCA; Luo & Qi 2009),
per category, over the walk network. With ``d_ij`` the walking distance from
community ``i`` to facility ``j`` (the same distance as the life circle's,
:func:`~analysis.walkshed.cost_pairs`), ``d0`` the catchment (the
category's threshold, i.e. its tier distance or service radius), ``W`` the
distance decay of the rule set (:class:`~analysis.rules.DistanceDecay`),
``S_j`` the facility's supply (places, beds or m², :func:`facility_supply`) and
``P_i`` the community's demand (residents, or its target group,
:func:`community_demand`)::

    step 1   R_j = S_j / sum_{i : d_ij <= d0} W(d_ij) P_i
    step 2   A_i = sum_{j : d_ij <= d0} W(d_ij) R_j

``A_i`` is the supply per person of demand that community ``i`` can count on.
Against the standard's ``s* = per_1000 / 1000`` units per person::

    ratio_i     = A_i / s*                      (>= 1: enough for the residents)
    shortfall_i = max(0, s* P_i - A_i P_i)      (places, beds or m²)

Every unit of supply is shared out: ``sum_i W(d_ij) P_i R_j = S_j`` for each
facility with demand in its catchment, so a new facility of ``S`` places
raises the communities it reaches by ``P_i W(d_ik) S / sum_i W(d_ik) P_i`` and
leaves every other ``R_j`` unchanged (demand does not move). A facility with no
demand in reach keeps its supply idle (``R_j = 0``, reported). A community with
no facility in reach has ``A_i = 0``.

Array core
    :func:`decay_weights`, :func:`e2sfca` (a sparse facility × community
    distance matrix, supply and demand in; ratios out).

Adapters
    :func:`facility_supply`, :func:`target_shares`, :func:`community_demand`,
    :func:`capacity_circle` (the life circle's network, communities and
    amenities in, :class:`CapacityResult` out) and :func:`capacity_what_if`.

Assumptions (README, "Capacity-aware life circle"): residents choose among
the facilities in reach in proportion to the decay, not by price, quality or
catchment rules (school districts); a facility's supply is used only by the
analysed communities; the target-group share of a community is its district's."""

from __future__ import annotations

from analysis.capacity.circle import capacity_circle, capacity_what_if
from analysis.capacity.e2sfca import E2SFCA, decay_weights, e2sfca
from analysis.capacity.result import CapacityResult
from analysis.capacity.supply import (
    BASIS_ATTRIBUTE,
    BASIS_FLOOR_AREA,
    BASIS_STANDARD,
    UNIT_NAMES,
    community_demand,
    facility_supply,
    target_shares,
)

__all__ = [
    "BASIS_ATTRIBUTE",
    "BASIS_FLOOR_AREA",
    "BASIS_STANDARD",
    "CapacityResult",
    "E2SFCA",
    "UNIT_NAMES",
    "capacity_circle",
    "capacity_what_if",
    "community_demand",
    "decay_weights",
    "e2sfca",
    "facility_supply",
    "target_shares",
]
