"""Reads of the programme: querysets and the rule data in force (STYLE §4.2)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

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
    (:func:`geoapp.analysis.eligibility.select_in_force`).
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
