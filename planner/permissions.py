"""Who may do what: enforced in the services (and so in every API and page that calls them).

| role             | read | edit idle land / vacant housing / amenities / areas | community attributes | run analyses |
|------------------|------|------------------------------------------------------|----------------------|--------------|
| city_admin       | all  | everywhere                                           | everywhere           | yes          |
| district_planner | all  | inside their district                                | their district       | yes          |
| street_staff     | all  | no                                                   | their street         | no           |
| viewer           | all  | no                                                   | no                   | no           |

A superuser counts as a city administrator. A user without a profile is a viewer.
"""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import Profile, Role


def role_of(user) -> tuple[str, Profile | None]:
    if not getattr(user, "is_authenticated", False):
        return "anonymous", None
    if user.is_superuser:
        return Role.CITY_ADMIN, None
    profile = (
        Profile.objects.select_related("district", "street").filter(user=user).first()
    )
    if profile is None:
        return Role.VIEWER, None
    return profile.role, profile


def can_run_analyses(user) -> bool:
    role, _p = role_of(user)
    return role in (Role.CITY_ADMIN, Role.DISTRICT_PLANNER)


def check_run_analyses(user) -> None:
    if not can_run_analyses(user):
        raise PermissionDenied(_("只有市级管理员和区级规划人员可以运行分析。"))


def check_edit_geometry(user, geom: GEOSGeometry | None) -> None:
    """Raise PermissionDenied unless ``user`` may create/edit/delete a feature at ``geom``."""
    role, profile = role_of(user)
    if role == Role.CITY_ADMIN:
        return
    if role == Role.DISTRICT_PLANNER and profile is not None and geom is not None:
        if profile.district.geom.contains(geom) or profile.district.geom.intersects(
            geom
        ):
            # a feature belongs to the district it touches (plots on a boundary are shared)
            return
        raise PermissionDenied(
            _("该要素不在您负责的区县（%(d)s）内。") % {"d": profile.district.name}
        )
    raise PermissionDenied(_("您的角色没有编辑空间要素的权限。"))


def check_edit_community(user, community) -> None:
    """Attribute edits of a community (its geometry only for planners and administrators)."""
    role, profile = role_of(user)
    if role == Role.CITY_ADMIN:
        return
    if (
        role == Role.DISTRICT_PLANNER
        and profile
        and community.district_id == profile.district_id
    ):
        return
    if (
        role == Role.STREET_STAFF
        and profile
        and community.street_id == profile.street_id
    ):
        return
    raise PermissionDenied(_("您无权编辑该小区。"))
