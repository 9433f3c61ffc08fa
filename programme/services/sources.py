"""A project's utilities (四(四)4, 三(二)) and its money by source (三, 六(二)).

Writes are for the planners of the project's district (and city administrators):
the funding arrangement is the district's (三(一) "区级财政整合…各渠道专项资金").
The rules are :mod:`analysis.funding_sources`; :func:`project_sources_status`
reconciles the recorded sources with :func:`programme.services.project_funding`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import permissions
from analysis import funding as fund
from analysis import funding_sources as fs
from analysis.eligibility import Reason
from programme.models import FundingSource, Project, ProjectUtility
from programme.services.checks import _amount, _today
from programme.services.funding import district_is_central, project_funding
from programme.services.projects import _share

#: stages from which the utilities have taken over the shared pipelines (四(三)4)
HANDED_OVER_STAGES = ("handover", "warranty", "post_evaluation")


def _pipeline_base(breakdown: fund.FundingBreakdown | None) -> Decimal:
    if breakdown is None:
        return Decimal("0.00")
    return sum(
        (i.base_yuan for i in breakdown.items if i.code in fs.PIPELINE_WORKS),
        Decimal("0.00"),
    )


def _breakdown(project: Project, on: dt.date | None) -> fund.FundingBreakdown | None:
    try:
        return project_funding(project=project, on=on)
    except ValidationError:
        return None


def _optional_amount(value: Any, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    return _amount(value, name=name)


@transaction.atomic
def project_utility_save(
    *,
    user: Any,
    project: Project,
    utility: str,
    cost_share: Any = None,
    amount: Any = None,
    handover_date: dt.date | None = None,
    maintains_after_acceptance: bool = True,
    note: str = "",
    on: dt.date | None = None,
) -> ProjectUtility:
    """Record (or replace) one utility of a project: its share of the pipeline costs
    (0–1 of the project's 配套管线改造), its amount (default share × pipeline cost),
    its handover date and whether it maintains the shared pipelines after acceptance.

    Refused: an unknown utility, a share outside 0–1 or the utilities' shares above
    100 % together, a negative amount, a share without pipeline works and no amount.
    """
    permissions.check_district(user, project.district_id, "录入管线单位分担")
    if utility not in ProjectUtility.Utility.values:
        msg = f"utility must be one of {ProjectUtility.Utility.values}, got {utility!r}"
        raise ValidationError(msg)
    share = (
        None
        if cost_share is None or cost_share == ""
        else _share(cost_share, "cost_share")
    )
    money = _optional_amount(amount, "amount")
    others = list(
        ProjectUtility.objects.select_for_update()
        .filter(project=project)
        .exclude(utility=utility)
    )
    rows = [(u.utility, u.cost_share, u.amount) for u in others]
    rows.append((utility, share, money))
    try:
        lines = fs.utility_lines(
            rows, pipeline_base_yuan=_pipeline_base(_breakdown(project, on))
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    line = lines[-1]
    obj, _created = ProjectUtility.objects.update_or_create(
        project=project,
        utility=utility,
        defaults={
            "cost_share": share,
            "amount": line.amount_yuan,
            "handover_date": handover_date,
            "maintains_after_acceptance": bool(maintains_after_acceptance),
            "note": (note or "").strip()[:200],
        },
    )
    return obj


@transaction.atomic
def project_utility_delete(*, user: Any, row: ProjectUtility) -> None:
    """Remove a utility from a project."""
    permissions.check_district(user, row.project.district_id, "删除管线单位")
    row.delete()


@transaction.atomic
def funding_source_save(
    *,
    user: Any,
    project: Project,
    source: str,
    amount: Any,
    year: int,
    note: str = "",
) -> FundingSource:
    """Record (or replace) the money of one source for one year of a project."""
    permissions.check_district(user, project.district_id, "录入资金来源")
    if source not in FundingSource.Source.values:
        msg = f"source must be one of {FundingSource.Source.values}, got {source!r}"
        raise ValidationError(msg)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        msg = f"year must be an int between 2000 and 2100, got {year!r}"
        raise ValidationError(msg)
    money = _amount(amount, name="amount")
    obj, _created = FundingSource.objects.update_or_create(
        project=project,
        source=source,
        year=year,
        defaults={"amount": money, "note": (note or "").strip()[:200]},
    )
    return obj


@transaction.atomic
def funding_source_delete(*, user: Any, row: FundingSource) -> None:
    """Remove one source row of a project."""
    permissions.check_district(user, row.project.district_id, "删除资金来源")
    row.delete()


@dataclass(frozen=True)
class SourcesStatus:
    """What the project page shows under 资金来源 and 管线单位."""

    sources: list[FundingSource]
    utilities: list[ProjectUtility]
    utility_lines: dict[str, fs.UtilityLine]
    pipeline_base_yuan: Decimal
    reconciliation: fs.Reconciliation | None
    #: why there is no reconciliation (no works items yet)
    error: str = ""
    reasons: list[Reason] = field(default_factory=list)


def project_sources_status(
    *, project: Project, on: dt.date | None = None
) -> SourcesStatus:
    """The project's sources reconciled with its funding split, and its utilities.

    How it reconciles (``analysis.funding_sources.reconcile``): the sources must add up
    to the split's total investment, the city-subsidy row must equal the split's city
    subsidy (40 % of the eligible government outlay, central districts only), and the
    utilities' row must equal the utilities' recorded pipeline amounts (errors); each
    payer group against the split's share for it is a warning.
    """
    day = _today(on)
    breakdown, error = None, ""
    try:
        breakdown = project_funding(project=project, on=day)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    order = list(fs.SOURCES)
    sources = sorted(
        project.funding_sources.all(),
        key=lambda s: (s.year, order.index(s.source) if s.source in order else 99),
    )
    utilities = list(project.utilities.order_by("utility"))
    base = _pipeline_base(breakdown)
    lines: dict[str, fs.UtilityLine] = {}
    try:
        lines = {
            x.utility: x
            for x in fs.utility_lines(
                [(u.utility, u.cost_share, u.amount) for u in utilities],
                pipeline_base_yuan=base,
            )
        }
    except ValueError as exc:  # shares edited elsewhere (admin) beyond 100 %
        error = error or str(exc)
    reasons: list[Reason] = []
    if project.stage in HANDED_OVER_STAGES:
        missing = [
            u.get_utility_display()
            for u in utilities
            if u.maintains_after_acceptance and u.handover_date is None
        ]
        if missing:
            reasons.append(
                Reason(
                    "四(三)4",
                    f"项目已移交，但{'、'.join(missing)}的共有管线移交日期未录入。",
                    "The project is handed over but some utilities have no handover "
                    "date for the shared pipelines.",
                )
            )
    reconciliation = None
    if breakdown is not None:
        central, _src = district_is_central(district=project.district, on=day)
        reconciliation = fs.reconcile(
            [(s.source, s.amount) for s in sources],
            total_yuan=breakdown.total_yuan,
            payer_totals=breakdown.totals,
            city_subsidy_yuan=breakdown.city_subsidy_yuan,
            city_subsidy_provisional=breakdown.city_subsidy_provisional,
            district_is_central=central,
            utilities_recorded_yuan=sum((u.amount for u in utilities), Decimal("0.00"))
            if utilities
            else None,
        )
    elif sources:
        error = (
            f"无法核对资金来源：{error} / the sources cannot be reconciled without "
            "the funding split"
        )
    return SourcesStatus(
        sources=sources,
        utilities=utilities,
        utility_lines=lines,
        pipeline_base_yuan=base,
        reconciliation=reconciliation,
        error=error,
        reasons=reasons,
    )
