"""Reads of the programme: querysets and the rule data in force (STYLE §4.2)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from analysis.stages import STAGES
from layers.models import Community

from .models import (
    AnnualPlan,
    DataVersion,
    Project,
    ProjectItem,
    StageTransition,
    Vote,
    WorksItem,
)


def programme_data(kind: str) -> dict[str, Any]:
    """All versions of one data file, as ``{"versions": [...]}`` for the rules.

    The pure functions pick the version in force themselves
    (:func:`analysis.eligibility.select_in_force`).
    """
    if kind not in DataVersion.Kind.values:
        msg = f"unknown programme data kind {kind!r}"
        raise ValueError(msg)
    versions = []
    for row in DataVersion.objects.filter(kind=kind).order_by("effective_from"):
        version = dict(row.data)
        version["id"] = row.version_id
        version["effective_from"] = row.effective_from.isoformat()
        version["effective_to"] = (
            row.effective_to.isoformat() if row.effective_to else None
        )
        versions.append(version)
    return {"versions": versions}


def works_item_list() -> QuerySet[WorksItem]:
    return WorksItem.objects.all()


def project_list() -> QuerySet[Project]:
    return Project.objects.select_related("community", "district")


def project_get(*, project_id: int) -> Project:
    return project_list().get(pk=project_id)


#: Until the annual plan (年度改造计划, 四(二)) a project's works and budget are a
#: draft that the owners have not approved and the district has not funded: the
#: public sees a project's funding only from this stage on. Signed-in users see all.
PUBLIC_FUNDING_FROM = "annual_plan"


def funding_is_public(project: Project) -> bool:
    """``True`` once the project reached :data:`PUBLIC_FUNDING_FROM` (or later)."""
    return STAGES.index(project.stage) >= STAGES.index(PUBLIC_FUNDING_FROM)


def project_get_for_funding(*, project_id: int, user) -> Project:
    """The project whose funding ``user`` may read; ``Project.DoesNotExist`` otherwise.

    Anonymous visitors get the same "not found" for a draft project as for a missing
    one, so the existence of early proposals is not disclosed either.
    """
    project = project_get(project_id=project_id)
    if getattr(user, "is_authenticated", False) or funding_is_public(project):
        return project
    msg = f"project {project_id} is not public yet"
    raise Project.DoesNotExist(msg)


def project_item_list(*, project: Project) -> QuerySet[ProjectItem]:
    return project.items.select_related("works_item").order_by("id")


def vote_list(*, project: Project) -> QuerySet[Vote]:
    return project.votes.order_by("held_on", "id")


def vote_latest(*, project: Project, kind: str) -> Vote | None:
    return project.votes.filter(kind=kind).order_by("-held_on", "-id").first()


def transition_list(*, project: Project) -> QuerySet[StageTransition]:
    return project.transitions.order_by("at", "id")


def community_get(*, code: str) -> Community:
    return Community.objects.select_related("district").get(code=code)


def annual_plan_of(*, project: Project) -> AnnualPlan | None:
    """The latest annual plan that lists the project, if any."""
    return project.annual_plans.order_by("-year").first()
