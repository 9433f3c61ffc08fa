"""Residents' votes on a project's plan (四(二)2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from analysis import funding as fund
from analysis import votes
from programme import selectors
from programme.models import Project, Vote
from programme.services.checks import CENT, _check_on, _reason_rows, _today, _user


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{name} must be a whole number, got {value!r}"
        raise ValidationError(msg)
    return value


def _area(value: Any, name: str) -> Decimal:
    try:
        area = Decimal(str(value))
    except InvalidOperation as exc:
        msg = f"{name} must be a number, got {value!r}"
        raise ValidationError(msg) from exc
    if not area.is_finite():
        msg = f"{name} must be finite"
        raise ValidationError(msg)
    return area.quantize(CENT, rounding=ROUND_HALF_UP)


def vote_rules(*, on: dt.date) -> Mapping[str, Any]:
    """The version of ``vote_thresholds.json`` in force on ``on``."""
    try:
        return votes.vote_thresholds_in_force(
            selectors.programme_data("vote_thresholds"), on
        )
    except ValueError as exc:
        raise ValidationError(f"表决规则 / vote rules: {exc}") from exc


def project_plan_matters(*, project: Project, on: dt.date | None = None) -> list[str]:
    """The matters the project's plan puts to the owners (四(二)3; 民法典第278条): the
    plan itself and those of its works (a lift: rebuilding, item 7; a park or a
    parking lot on common parts: item 8)."""
    day = _today(on)
    codes = [i.works_item.code for i in selectors.project_item_list(project=project)]
    try:
        known = fund.catalogue_items(selectors.programme_data("works_catalogue"), day)
        return votes.plan_matters(codes, known)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def plan_made_on(*, project: Project) -> dt.date | None:
    """The day the preliminary plan was complete: the project entered ``plan_vote``."""
    at = (
        project.transitions.filter(to_stage="plan_vote")
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    return timezone.localtime(at).date() if at else None


@transaction.atomic
def vote_record(
    *,
    user: Any,
    project: Project,
    kind: str,
    total_owners: int,
    total_area_m2: Any,
    participants_owners: int,
    participants_area_m2: Any,
    consent_owners: int,
    consent_area_m2: Any,
    held_on: dt.date,
    matter: str | None = None,
    today: dt.date | None = None,
) -> Vote:
    """Record the aggregate result of an owners' vote (四(二)1/3; 民法典第278条).

    A will vote (四(二)1) decides whether to renovate and what: matter
    ``other_major``, while the project is at ``will_vote``. A plan vote (四(二)3)
    decides one of the matters the plan puts to the owners
    (:func:`project_plan_matters`), while the project is at ``plan_vote`` and not
    before the plan was made. The majority and the clause follow from the matter
    and the law in force on ``held_on`` (:func:`analysis.votes.tally_vote`);
    nobody chooses them. Only aggregates are stored, never household votes.
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_on(user, project, "录入业主表决")
    if kind not in Vote.Kind.values:
        msg = f"kind must be one of {Vote.Kind.values}, got {kind!r}"
        raise ValidationError(msg)
    if not isinstance(held_on, dt.date):
        msg = "held_on must be a date"
        raise ValidationError(msg)
    if held_on > _today(today):
        msg = f"表决日期{held_on}晚于今天 / held_on is in the future"
        raise ValidationError(msg)
    if kind == Vote.Kind.WILL:
        if matter not in (None, "", votes.WILL_MATTER):
            msg = (
                f"意愿表决的事项为{votes.WILL_MATTER}（四(二)1），不能选择 / a will vote "
                f"decides {votes.WILL_MATTER!r}"
            )
            raise ValidationError(msg)
        matter = votes.WILL_MATTER
        if project.stage != "will_vote":
            msg = (
                "意愿表决在提出申请之前进行（四(二)1） / the will vote comes before "
                "the application"
            )
            raise ValidationError(msg)
    else:
        if project.stage != "plan_vote":
            msg = (
                "方案表决在初步改造方案编制完成后进行（四(二)3），项目当前阶段为"
                f"{project.stage} / plan votes are held at the plan_vote stage"
            )
            raise ValidationError(msg)
        required = project_plan_matters(project=project, on=held_on)
        if matter not in required:
            msg = (
                f"该方案的表决事项为{required}，不含{matter!r}（四(二)3） / the plan "
                f"puts {required} to the owners"
            )
            raise ValidationError(msg)
        made = plan_made_on(project=project)
        if made is not None and held_on < made:
            msg = (
                f"表决日期{held_on}早于方案确定日期{made}：须对本方案表决 / the vote "
                "predates the plan"
            )
            raise ValidationError(msg)
    counts = {
        "total_owners": _count(total_owners, "total_owners"),
        "participants_owners": _count(participants_owners, "participants_owners"),
        "consent_owners": _count(consent_owners, "consent_owners"),
    }
    areas = {
        "total_area_m2": _area(total_area_m2, "total_area_m2"),
        "participants_area_m2": _area(participants_area_m2, "participants_area_m2"),
        "consent_area_m2": _area(consent_area_m2, "consent_area_m2"),
    }
    try:
        result = votes.tally_vote(
            counts["total_owners"],
            Fraction(areas["total_area_m2"]),
            counts["participants_owners"],
            Fraction(areas["participants_area_m2"]),
            counts["consent_owners"],
            Fraction(areas["consent_area_m2"]),
            matter,
            vote_rules(on=held_on),
        )
    except ValueError as exc:
        raise ValidationError(f"表决数据有误 / invalid vote: {exc}") from exc
    return Vote.objects.create(
        project=project,
        kind=kind,
        matter=matter,
        majority=result.majority,
        clause=result.clause,
        held_on=held_on,
        passed=result.passed,
        law=result.law,
        ratios={
            k: {"fraction": f"{v.numerator}/{v.denominator}", "value": float(v)}
            for k, v in result.ratios.items()
        },
        reasons=_reason_rows(result.reasons),
        recorded_by=_user(user),
        **counts,
        **areas,
    )


def plan_votes(*, project: Project) -> dict[str, Any]:
    """The plan's matters and, per matter, its latest vote since the plan was made
    (四(二)3): the evidence of the street review."""
    made = plan_made_on(project=project)
    matters = project_plan_matters(project=project)
    latest: dict[str, Any] = {}
    if made is not None:
        for v in project.votes.filter(kind=Vote.Kind.PLAN, held_on__gte=made).order_by(
            "held_on", "id"
        ):
            latest[v.matter] = _vote_evidence(v)
    return {
        "matters": matters,
        "votes": {m: latest[m] for m in matters if m in latest},
        "plan_made_on": made,
    }


def _vote_evidence(vote: Vote | None) -> dict[str, Any] | None:
    if vote is None:
        return None
    return {"vote_id": vote.pk, "passed": vote.passed, "held_on": vote.held_on}
