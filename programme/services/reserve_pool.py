"""The reserve pool (项目储备库): scores and standing of pooled projects."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import permissions
from analysis import funding as fund
from analysis import reserve
from layers.models import District
from programme import scope, selectors
from programme.models import Project, ReserveEntry
from programme.services.funding import project_funding


def _pool_row(project: Project, as_of: dt.date) -> dict[str, Any]:
    c = project.community
    if c is None:
        msg = (
            f"project {project.code} ({project.name}) has no community: scoring "
            "needs the community's attributes"
        )
        raise ValidationError(msg)
    will = selectors.vote_latest(project=project, kind="will")
    ratio = (
        will.consent_owners / will.participants_owners
        if will and will.participants_owners
        else 0.0
    )
    cofunding = 0.0
    if project.items.exists():
        cofunding = float(
            fund.cofunding_share(project_funding(project=project, on=as_of))
        )
    return {
        "code": project.code,
        "district_code": project.district.code,
        "completion_year": c.completion_year,
        "dangerous_c": c.dangerous_c,
        "dangerous_d": c.dangerous_d,
        "will_consent_ratio": ratio,
        "missing_categories": (scope.community_gaps(community=c) or (0,))[0],
        "cofunding_share": cofunding,
        # the scoring rules know none/self/committed/professional: a work unit's own
        # management (单位托管, 五(二)) is not professional, and scores as self-managed
        "property_management": (
            "self" if c.property_management == "work_unit" else c.property_management
        ),
        "in_block": bool(project.block_code),
    }


@transaction.atomic
def reserve_pool_score(
    *, user: Any, district: District, year: int, as_of: dt.date | None = None
) -> list[ReserveEntry]:
    """Score and rank the district's reserve-pool projects (四(二)4); store ranks.

    ``as_of`` (default 1 January of ``year``) picks the scoring rules in force
    and gives building ages. Only projects whose communities are in scope (二(一))
    are ranked; entries of projects that left the pool or the scope are removed.
    """
    permissions.check_district(user, district.pk, "储备库评分")
    day = as_of or dt.date(year, 1, 1)
    pool = [
        p
        for p in selectors.project_list().filter(
            district=district, stage="reserve_pool"
        )
        if not scope.project_scope_problem(
            community=p.community, block_code=p.block_code
        )
    ]
    if not pool:
        msg = f"{district}储备库中没有符合改造范围的项目 / no project in scope in the reserve pool"
        raise ValidationError(msg)
    rows = [_pool_row(p, day) for p in pool]
    try:
        table = reserve.score_projects(
            rows, selectors.programme_data("scoring_rules"), as_of=day
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    by_code = {p.code: p for p in pool}
    clauses = table.attrs["clauses"]
    entries = []
    for rec in table.to_dict("records"):
        points = {
            crit: {"points": float(rec[f"pts_{crit}"]), "clause": clause}
            for crit, clause in clauses.items()
        }
        entry, _ = ReserveEntry.objects.update_or_create(
            project=by_code[rec["code"]],
            year=year,
            defaults={
                "district": district,
                "points": points,
                "total": float(rec["total"]),
                "rank": int(rec["rank"]),
                "rules_version": table.attrs["rules_version"],
            },
        )
        entries.append(entry)
    ReserveEntry.objects.filter(district=district, year=year).exclude(
        pk__in=[e.pk for e in entries]
    ).delete()
    return entries
