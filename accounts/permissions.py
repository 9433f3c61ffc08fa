"""Who may do what, and where: the object rules every service applies itself.

The URL table (``accounts/policy.py``) says which roles may call which URL with which
method; these checks say *where* a role may write, and they run in the services, so
the pages, the API, the command line and the analysis worker agree.

| role             | writes features, imports, runs analyses, blocks, programme | street work      |
|------------------|-------------------------------------------------------------|------------------|
| city_admin       | everywhere                                                  | everywhere       |
| district_planner | inside their district                                       | their district   |
| street_staff     | —                                                           | their street: community attributes, projects, owners' votes |
| viewer           | — (reads internal data without private columns)             | —                |
| anonymous        | — (the public surface only)                                 | —                |

A feature belongs to the district that holds its point on surface: a plot drawn across a
boundary belongs to one district, and a planner may write it only if both its stored
geometry and the new one belong to their district. A superuser counts as a city
administrator; ``is_staff`` only opens the admin site. A user without a profile is a
viewer. Management commands act as :data:`SYSTEM` (the operator of the server).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import Profile, Role

# Role's members are str (a TextChoices); without Django's type stubs mypy reads them
# as the (value, label) tuples of the class body, hence the casts to str below.
ANONYMOUS = "anonymous"
#: every role, weakest first
ROLES: tuple[str, ...] = (ANONYMOUS, *Role.values)
SIGNED_IN = frozenset(Role.values)
EVERYONE = frozenset(ROLES)
EDITORS = frozenset(
    cast("set[str]", {Role.STREET_STAFF, Role.DISTRICT_PLANNER, Role.CITY_ADMIN})
)
PLANNERS = frozenset(cast("set[str]", {Role.DISTRICT_PLANNER, Role.CITY_ADMIN}))
ADMINS = frozenset(cast("set[str]", {Role.CITY_ADMIN}))
#: not a user's role: a request from the configured monitoring (token or address,
#: accounts/monitoring.py), e.g. the Prometheus scraper
MONITOR = "monitor"
MONITORING = ADMINS | {MONITOR}
#: roles that see private columns (idle-land owners and consent, plan flags, costs)
PRIVATE_READERS = EDITORS


@dataclass(frozen=True)
class Actor:
    """The user as the access policy sees them: a role and the area it applies to."""

    role: str
    username: str = ""
    user_id: int | None = None
    district_id: int | None = None
    district_code: str = ""
    district_name: str = ""
    street_id: int | None = None
    street_name: str = ""
    district_geom: Any = field(default=None, compare=False, repr=False)

    @property
    def signed_in(self) -> bool:
        return self.role != ANONYMOUS

    @property
    def sees_private(self) -> bool:
        return self.role in PRIVATE_READERS

    @property
    def city_wide(self) -> bool:
        return self.role == Role.CITY_ADMIN

    def label(self) -> str:
        return _("匿名访客") if self.role == ANONYMOUS else str(Role(self.role).label)


ANONYMOUS_ACTOR = Actor(ANONYMOUS)
#: the server's operator: management commands, migrations and the demo loader
SYSTEM = Actor(cast(str, Role.CITY_ADMIN), username="system")


def actor_of(user: Any) -> Actor:
    """The :class:`Actor` of ``user`` (a User, AnonymousUser, None or an Actor)."""
    if isinstance(user, Actor):
        return user
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS_ACTOR
    cached = getattr(user, "_accounts_actor", None)
    if cached is not None:
        return cached
    name = user.get_username()
    if user.is_superuser:
        actor = Actor(cast(str, Role.CITY_ADMIN), username=name, user_id=user.pk)
    else:
        profile = (
            Profile.objects.select_related("district", "street")
            .filter(user_id=user.pk)
            .first()
        )
        if profile is None:
            actor = Actor(cast(str, Role.VIEWER), username=name, user_id=user.pk)
        else:
            d, s = profile.district, profile.street
            if profile.role == Role.STREET_STAFF and s is not None and d is None:
                d = s.district
            actor = Actor(
                profile.role,
                username=name,
                user_id=user.pk,
                district_id=d.pk if d else None,
                district_code=d.code if d else "",
                district_name=d.name if d else "",
                street_id=s.pk if s else None,
                street_name=s.name if s else "",
                district_geom=d.geom.prepared if d is not None else None,
            )
    user._accounts_actor = actor
    return actor


def user_of(user: Any) -> Any:
    """The User row to record in history (None for the system or anonymous)."""
    return user if getattr(user, "pk", None) and not isinstance(user, Actor) else None


class LimitExceeded(Exception):
    """A bound of the access policy was reached (pending runs, request rate): HTTP 429."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied(message)


def require(user: Any, roles: Iterable[str], what: str) -> Actor:
    """The actor of ``user`` if their role is in ``roles``; otherwise PermissionDenied."""
    actor = actor_of(user)
    if actor.role not in frozenset(roles):
        if not actor.signed_in:
            raise _deny(_("请先登录，再%(what)s。") % {"what": what})
        raise _deny(
            _("您的角色（%(role)s）不能%(what)s。")
            % {"role": actor.label(), "what": what}
        )
    return actor


def check_district(user: Any, district_id: int | None, what: str) -> Actor:
    """City administrators everywhere; district planners in their own district only."""
    actor = require(user, PLANNERS, what)
    if actor.city_wide:
        return actor
    if district_id is None or district_id != actor.district_id:
        raise _deny(
            _("%(what)s：只能在您负责的区县（%(d)s）内操作。")
            % {"what": what, "d": actor.district_name}
        )
    return actor


def check_community(
    user: Any, community: Any, what: str, *, street_staff: bool = True
) -> Actor:
    """A community's own district (planners) or, where allowed, its street (staff)."""
    roles = EDITORS if street_staff else PLANNERS
    actor = require(user, roles, what)
    if actor.city_wide:
        return actor
    if actor.role == Role.DISTRICT_PLANNER:
        if community.district_id == actor.district_id:
            return actor
        raise _deny(
            _("%(what)s：小区 %(c)s 不在您负责的区县（%(d)s）内。")
            % {"what": what, "c": community.code, "d": actor.district_name}
        )
    if community.street_id is not None and community.street_id == actor.street_id:
        return actor
    raise _deny(
        _("%(what)s：小区 %(c)s 不在您负责的街道（%(s)s）内。")
        % {"what": what, "c": community.code, "s": actor.street_name}
    )


def in_own_district(actor: Actor, geom: Any) -> bool:
    """Does ``geom`` (in the storage SRID) belong to the actor's district?"""
    if actor.city_wide:
        return True
    if actor.district_geom is None or geom is None or geom.empty:
        return False
    return bool(actor.district_geom.contains(geom.point_on_surface))


def check_geometry(user: Any, geom: Any, what: str) -> Actor:
    """A feature at ``geom``: city administrators anywhere, planners in their district."""
    actor = require(user, PLANNERS, what)
    if not in_own_district(actor, geom):
        raise _deny(
            _("%(what)s：该要素不在您负责的区县（%(d)s）内。")
            % {"what": what, "d": actor.district_name}
        )
    return actor


def check_analysis(user: Any, district_codes: Iterable[str] | None, what: str) -> Actor:
    """Analyses: planners; a district planner only scoped to their own district (given
    by code or name)."""
    actor = require(user, PLANNERS, what)
    if actor.city_wide:
        return actor
    scope = {c for c in (district_codes or ()) if c}
    if not scope or not scope <= {actor.district_code, actor.district_name}:
        raise _deny(
            _("%(what)s：区级规划人员只能分析本区（%(d)s）。")
            % {"what": what, "d": actor.district_name}
        )
    return actor
