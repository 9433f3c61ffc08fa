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
  tiers 5 and 10."""

from __future__ import annotations

from analysis.rules.load import load_ruleset
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

__all__ = [
    "CAPACITY_UNITS",
    "CapacityStandard",
    "DECAY_KINDS",
    "DistanceDecay",
    "FacilityRule",
    "RuleSet",
    "Tier",
    "WalkingProfile",
    "load_ruleset",
]
