"""Renovation programme records: data versions, works, projects, votes, plans.

The rules live in ``analysis`` (pure functions); these models store their
inputs and results. Writes go through :mod:`programme.services` only.
"""

from __future__ import annotations

from programme.models.plans import AnnualPlan, AnnualPlanEntry, ReserveEntry
from programme.models.projects import (
    STAGE_CHOICES,
    STAGE_LABELS,
    SUB_STATUS_CHOICES,
    Project,
    ProjectItem,
    StageTransition,
)
from programme.models.revenue import PublicRevenue
from programme.models.scope import ScopeDecision
from programme.models.sources import FundingSource, ProjectUtility
from programme.models.versions import DataVersion
from programme.models.votes import Vote
from programme.models.works import ZERO, WorksItem

__all__ = [
    "AnnualPlan",
    "AnnualPlanEntry",
    "DataVersion",
    "FundingSource",
    "Project",
    "ProjectItem",
    "ProjectUtility",
    "PublicRevenue",
    "ReserveEntry",
    "STAGE_CHOICES",
    "STAGE_LABELS",
    "SUB_STATUS_CHOICES",
    "ScopeDecision",
    "StageTransition",
    "Vote",
    "WorksItem",
    "ZERO",
]
