"""Cards: a community's eligibility (二(一), signed-in users, with its projects and the
recorded decisions) and a project's funding (三, public from the annual plan on)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from accounts.permissions import ADMINS, EDITORS, PLANNERS, actor_of, check_community
from layers.models import Community, PropertyManagement, ServiceLevel

from . import boards, scope, selectors, services
from .models import Project, ScopeDecision


def community_card(request, code: str):
    try:
        community = selectors.community_get(code=code)
    except Community.DoesNotExist as exc:
        raise Http404 from exc
    decision, error = None, ""
    try:
        decision = scope.community_eligibility(community=community)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    actor = actor_of(request.user)
    governance, governance_error = None, ""
    try:
        governance = services.community_governance_status(community=community)
    except ValidationError as exc:
        governance_error = " ".join(exc.messages)
    try:
        check_community(request.user, community, "")
        can_govern = True
    except PermissionDenied:
        can_govern = False
    return render(
        request,
        "programme/community_card.html",
        {
            "governance": governance,
            "governance_error": governance_error,
            "can_govern": can_govern,
            "management_choices": PropertyManagement.choices,
            "level_choices": ServiceLevel.choices,
            "community": community,
            "decision": decision,
            "error": error,
            "projects": list(community.projects.order_by("-year", "name")),
            "recorded": ScopeDecision.objects.filter(community=community).first(),
            "is_admin": actor.role in ADMINS,
            "is_planner": actor.role in PLANNERS,
            "is_editor": actor.role in EDITORS,
        },
    )


def project_card(request, pk: int):
    try:
        project = selectors.project_get_for_funding(project_id=pk, user=request.user)
    except Project.DoesNotExist as exc:
        raise Http404 from exc
    breakdown, error = None, ""
    central, _ = services.district_is_central(
        district=project.district, on=timezone.localdate()
    )
    try:
        breakdown = services.project_funding(project=project)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    rows = boards.funding_rows(breakdown)
    return render(
        request,
        "programme/project_card.html",
        {
            "project": project,
            "breakdown": breakdown,
            "rows": rows,
            "central": central,
            "error": error,
        },
    )
