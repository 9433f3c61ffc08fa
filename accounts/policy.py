"""The access policy: every URL name → which roles may use it with which method.

One table, read by :class:`accounts.middleware.PolicyMiddleware` (every request, every
view, fail closed: a URL missing from the table answers 403) and by the DRF default
permission :class:`accounts.drf.PolicyPermission`. Object rules (own district, own
street, public stage only) are applied by the services themselves
(``accounts/permissions.py``); the ``rule`` column names the one that applies.

Anonymous visitors reach the public surface only: the public map and its API, tiles and
OGC API, the project cards and funding from the annual plan on, the login page and the
language switch. ``tests/accounts/test_policy.py`` walks every pattern of the URL
resolver and fails on one missing here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .permissions import ADMINS, EDITORS, EVERYONE, MONITORING, PLANNERS, SIGNED_IN

NOBODY: frozenset[str] = frozenset()
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OWN_DISTRICT = "own district (planners); stored and new geometry both inside it"
OWN_STREET = "own district (planners) or own street (street staff)"
PUBLIC_STAGE = "anonymous: from the annual plan on, drafts answer 404"
NO_PRIVATE = "viewers: without private columns"
CITY_PUBLISHES = "city administrators only: the public map is one city-wide publication"
SCOPED_RUN = "district planners: their own district; at most 5 pending runs per user"


@dataclass(frozen=True)
class Access:
    """Roles allowed per HTTP method (HEAD and OPTIONS follow GET) and the object rule."""

    get: frozenset[str] = NOBODY
    post: frozenset[str] = NOBODY
    patch: frozenset[str] = NOBODY
    put: frozenset[str] = NOBODY
    delete: frozenset[str] = NOBODY
    rule: str = ""
    #: django-ratelimit rate for anonymous visitors (per address) and viewers (per user)
    rate: str = ""

    def roles(self, method: str) -> frozenset[str] | None:
        """The roles allowed to use ``method``; None if the method is not offered."""
        name = "get" if method.upper() in READ_METHODS else method.lower()
        roles = getattr(self, name, None) if name in _METHODS else None
        return roles or None

    @property
    def public(self) -> bool:
        return "anonymous" in self.get

    def methods(self) -> dict[str, frozenset[str]]:
        return {m.upper(): getattr(self, m) for m in _METHODS if getattr(self, m)}


_METHODS = ("get", "post", "patch", "put", "delete")

#: roles whose requests count against ``Access.rate``
RATE_LIMITED = frozenset({"anonymous", "viewer"})
PUBLIC_READ = Access(get=EVERYONE, rate="600/m")
INTERNAL_READ = Access(get=SIGNED_IN, rule=NO_PRIVATE)
#: downloads that build a file: a few a minute is what a person needs
EXPORT = Access(get=SIGNED_IN, rule=NO_PRIVATE, rate="20/m")

POLICY: dict[str, Access] = {
    # ------------------------------------------------------------------ pages
    "home": Access(get=EVERYONE, rule="anonymous visitors are sent to the public map"),
    "planner": Access(get=SIGNED_IN),
    "public-map": PUBLIC_READ,
    "public-stats-page": PUBLIC_READ,
    "public-photo": Access(
        get=EVERYONE, rule="photos of public communities only", rate="600/m"
    ),
    "programme-community-card": Access(get=SIGNED_IN),
    # the programme from the planner page: reads for signed-in users, writes checked
    # again by the services (own street / own district; exceptions: city admins)
    "programme-home": Access(get=SIGNED_IN, post=EDITORS, rule=OWN_STREET),
    "programme-project-page": Access(get=SIGNED_IN, post=EDITORS, rule=OWN_STREET),
    "programme-scope-decision": Access(
        post=PLANNERS,
        rule="exceptions: city administrators; 安置房/保障房: the district's planners",
    ),
    "programme-reserve-pool": Access(get=SIGNED_IN, post=PLANNERS, rule=OWN_DISTRICT),
    "programme-annual-plan": Access(get=SIGNED_IN, post=PLANNERS, rule=OWN_DISTRICT),
    "programme-community-fund": Access(
        get=EDITORS,
        post=EDITORS,
        rule="fund balances are private: editors; moving revenue to the fund: planners",
    ),
    "programme-project-card": Access(get=EVERYONE, rule=PUBLIC_STAGE, rate="120/m"),
    # ------------------------------------------------------------------ accounts
    "login": Access(
        get=EVERYONE, post=EVERYONE, rule="lock-out per username + IP", rate="30/m"
    ),
    "logout": Access(post=EVERYONE),
    "password_change": Access(get=SIGNED_IN, post=SIGNED_IN),
    "password_change_done": Access(get=SIGNED_IN),
    "set_language": Access(get=EVERYONE, post=EVERYONE),
    "javascript-catalog": PUBLIC_READ,
    "schema": Access(get=SIGNED_IN),
    "admin:*": Access(
        get=EVERYONE,
        post=EVERYONE,
        rule="Django admin: staff accounts only (is_staff); layer and programme "
        "rows are written there by city administrators only",
    ),
    # ------------------------------------------------------------------ operations
    # a load balancer polls it anonymously: statuses only (ok / degraded / fail);
    # the figures (queue depth, ages, free disk) only for MONITORING
    "health": Access(
        get=EVERYONE,
        rule="figures for city administrators and the monitoring (token or address)",
        rate="600/m",
    ),
    # request and run metrics reveal activity: never public
    "metrics": Access(
        get=MONITORING,
        rule="Prometheus: GEOAPP_MONITORING_TOKEN (Bearer) or an address in "
        "GEOAPP_MONITORING_ADDRESSES; city administrators",
    ),
    # ------------------------------------------------------------------ public API
    "public-communities": PUBLIC_READ,
    "public-community": PUBLIC_READ,
    "public-districts": PUBLIC_READ,
    "public-district-list": PUBLIC_READ,
    "public-search": Access(get=EVERYONE, rate="120/m"),
    "public-stats": PUBLIC_READ,
    # issue 19 part 6: money by source per district and year (aggregates only)
    "public-funding-mix": PUBLIC_READ,
    "public-tile": PUBLIC_READ,
    # the city's own basemap: water, parks, main roads, buildings (OSM or demo data)
    "public-basemap-tile": PUBLIC_READ,
    "ogc-landing": PUBLIC_READ,
    "ogc-conformance": PUBLIC_READ,
    "ogc-collections": PUBLIC_READ,
    "ogc-collection": PUBLIC_READ,
    "ogc-items": PUBLIC_READ,
    "ogc-item": PUBLIC_READ,
    "programme-funding": Access(get=EVERYONE, rule=PUBLIC_STAGE, rate="120/m"),
    # ------------------------------------------------------------------ layers
    "layer-districts": INTERNAL_READ,
    "layer-streets": INTERNAL_READ,
    "layer-communities": INTERNAL_READ,
    "layer-idle-land": INTERNAL_READ,
    "layer-vacant-housing": INTERNAL_READ,
    "layer-amenities": INTERNAL_READ,
    "layer-walk-network": INTERNAL_READ,
    "layer-categories": Access(get=EVERYONE, rule="the national standard's list"),
    "layers:import": Access(get=PLANNERS, post=PLANNERS, rule=OWN_DISTRICT),
    "layers:export": EXPORT,
    # ------------------------------------------------------------------ planner
    "planner-me": Access(get=SIGNED_IN),
    "planner-search": Access(get=SIGNED_IN),
    "planner-features": Access(get=SIGNED_IN, post=PLANNERS, rule=OWN_DISTRICT),
    "planner-feature": Access(
        get=SIGNED_IN, patch=EDITORS, delete=PLANNERS, rule=OWN_STREET
    ),
    "planner-feature-undo": Access(post=PLANNERS, rule=OWN_DISTRICT),
    "planner-feature-history": Access(get=SIGNED_IN),
    # the home and planner maps' vector tiles: no private column of any layer in them
    # (planner/tiles.py asserts it); a clicked feature is read from planner-feature
    "planner-tile": Access(get=SIGNED_IN, rule=NO_PRIVATE),
    "planner-run-tile": Access(get=SIGNED_IN, rule=NO_PRIVATE),
    "planner-analysis": Access(post=PLANNERS, rule=SCOPED_RUN),
    "planner-candidates": Access(get=PLANNERS),
    # publishing to the public map: everyone signed in sees what waits; city
    # administrators publish (checked again by public.publishing.publish)
    "planner-publish": Access(get=SIGNED_IN),
    "planner-publish-run": Access(post=ADMINS, rule=CITY_PUBLISHES),
    "planner-candidate-confirm": Access(post=PLANNERS, rule=OWN_DISTRICT),
    "planner-candidate-dismiss": Access(post=PLANNERS, rule=OWN_DISTRICT),
    # ------------------------------------------------------------------ life circle
    "analysis-run": Access(get=SIGNED_IN),
    "analysis-run-requeue": Access(post=PLANNERS, rule=SCOPED_RUN),
    "analysis-run-cancel": Access(
        post=PLANNERS,
        rule="district planners: runs of their own district (the service checks)",
    ),
    "lifecircle-runs": Access(get=SIGNED_IN, post=PLANNERS, rule=SCOPED_RUN),
    "lifecircle-latest": INTERNAL_READ,
    "lifecircle-run": INTERNAL_READ,
    "lifecircle-communities": INTERNAL_READ,
    "lifecircle-export": EXPORT,
    "lifecircle-distance-tiff": EXPORT,
    "lifecircle-unreachable": INTERNAL_READ,
    "lifecircle-islands": INTERNAL_READ,
    "lifecircle-supply": INTERNAL_READ,
    "lifecircle-what-if": Access(post=PLANNERS),
    # ------------------------------------------------------------------ blocks
    "blocks-runs": Access(get=SIGNED_IN, post=PLANNERS, rule=SCOPED_RUN),
    "blocks-run-latest": INTERNAL_READ,
    "blocks-run": INTERNAL_READ,
    "blocks-run-geojson": INTERNAL_READ,
    "blocks-run-export": EXPORT,
    "blocks-block": INTERNAL_READ,
    "blocks-block-action": Access(post=PLANNERS, rule=OWN_DISTRICT),
    # ------------------------------------------------------------------ siting
    "siting-runs": Access(get=SIGNED_IN, post=PLANNERS, rule=SCOPED_RUN),
    "siting-run": INTERNAL_READ,
    "siting-candidates": INTERNAL_READ,
    "siting-export": EXPORT,
    "siting-scenarios": Access(get=SIGNED_IN, post=PLANNERS, rule=OWN_DISTRICT),
    "siting-scenario": INTERNAL_READ,
    "siting-scenario-what-if": Access(get=PLANNERS),
    # the what-if scenarios saved from the planner's map (sites, run, author, time)
    "siting-whatif-scenarios": Access(get=SIGNED_IN, post=PLANNERS, rule=OWN_DISTRICT),
    "siting-whatif-scenario": Access(get=SIGNED_IN, delete=PLANNERS, rule=OWN_DISTRICT),
    # ------------------------------------------------------------------ programme
    "programme-eligibility": Access(get=SIGNED_IN),
    "programme-progress": Access(get=SIGNED_IN),
    "programme-progress-xlsx": Access(get=SIGNED_IN, rate="20/m"),
    "programme-project-list": Access(get=SIGNED_IN, post=EDITORS, rule=OWN_STREET),
    "programme-project-detail": Access(
        get=SIGNED_IN, patch=EDITORS, delete=PLANNERS, rule=OWN_STREET
    ),
    "programme-project-advance": Access(post=EDITORS, rule=OWN_STREET),
    "programme-project-items": Access(get=SIGNED_IN, post=EDITORS, rule=OWN_STREET),
    "programme-project-transitions": Access(get=SIGNED_IN),
    "programme-project-votes": Access(get=SIGNED_IN, post=EDITORS, rule=OWN_STREET),
    # ------------------------------------------------------------------ voice
    # residents' suggestions: anyone posts (CSRF, 5 an hour per address), the public
    # reads the published ones (no contact); street staff / planners / the city moderate
    "public-voice-submit": Access(
        post=EVERYONE,
        rule="anonymous: a pending suggestion; the contact is never public",
        rate="5/h",
    ),
    "public-voice": Access(
        get=EVERYONE, rule="published suggestions and replies only", rate="600/m"
    ),
    "voice-queue": Access(get=EDITORS, rule=OWN_STREET),
    "voice-moderate": Access(post=EDITORS, rule=OWN_STREET),
}


def access_for(view_name: str | None) -> Access | None:
    """The policy entry of a resolved view name (``namespace:name``), or None."""
    if not view_name:
        return None
    if view_name in POLICY:
        return POLICY[view_name]
    namespace = view_name.split(":", 1)[0] if ":" in view_name else None
    return POLICY.get(f"{namespace}:*") if namespace else None


def public_url_names() -> list[str]:
    """The public allowlist: every URL name an anonymous visitor may read."""
    return sorted(name for name, access in POLICY.items() if access.public)
