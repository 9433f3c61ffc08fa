"""Writes and multi-step actions of the renovation programme (STYLE §4.2).

Every service is ``<entity>_<action>``, keyword-only and atomic. The rules come
from the pure modules of ``analysis`` (eligibility, funding, votes,
stages, reserve, maintenance); the services gather their inputs from the
database and store their results. Bad input raises
:class:`django.core.exceptions.ValidationError` with a clear message and
changes nothing; a user who may not write gets
:class:`django.core.exceptions.PermissionDenied`.
"""

from __future__ import annotations

from programme.services.annual_plan import (
    annual_plan_add_project,
    annual_plan_entry_of,
    annual_plan_fix,
    annual_plan_reopen,
)
from programme.services.checks import CENT
from programme.services.funding import district_is_central, project_funding
from programme.services.maintenance import (
    maintenance_fund,
    revenue_move_to_fund,
    revenue_record,
)
from programme.services.progress import (
    PROGRESS_COLUMNS,
    dangerous_cleared_by_community,
    programme_period,
    programme_progress_report,
    programme_progress_xlsx,
    progress_records,
    public_targets,
)
from programme.services.projects import (
    SCOPE_GATED,
    project_create,
    project_delete,
    project_item_add,
    project_item_set_final_account,
    project_update,
)
from programme.services.reserve_pool import reserve_pool_score
from programme.services.sources import (
    SourcesStatus,
    funding_source_delete,
    funding_source_save,
    project_sources_status,
    project_utility_delete,
    project_utility_save,
)
from programme.services.stages import (
    DB_EVIDENCE,
    DOCUMENT_KEYS,
    STREET_STAGES,
    project_advance,
    project_communities,
    project_dangerous_buildings,
    project_evidence,
)
from programme.services.voting import (
    plan_made_on,
    plan_votes,
    project_plan_matters,
    vote_record,
    vote_rules,
)

__all__ = [
    "CENT",
    "DB_EVIDENCE",
    "DOCUMENT_KEYS",
    "PROGRESS_COLUMNS",
    "SCOPE_GATED",
    "STREET_STAGES",
    "SourcesStatus",
    "annual_plan_add_project",
    "annual_plan_entry_of",
    "annual_plan_fix",
    "annual_plan_reopen",
    "dangerous_cleared_by_community",
    "district_is_central",
    "funding_source_delete",
    "funding_source_save",
    "maintenance_fund",
    "plan_made_on",
    "plan_votes",
    "programme_period",
    "programme_progress_report",
    "programme_progress_xlsx",
    "progress_records",
    "project_advance",
    "project_communities",
    "project_create",
    "project_dangerous_buildings",
    "project_delete",
    "project_evidence",
    "project_funding",
    "project_item_add",
    "project_item_set_final_account",
    "project_plan_matters",
    "project_sources_status",
    "project_update",
    "project_utility_delete",
    "project_utility_save",
    "public_targets",
    "reserve_pool_score",
    "revenue_move_to_fund",
    "revenue_record",
    "vote_record",
    "vote_rules",
]
