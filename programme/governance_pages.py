"""The governance pages (五(一), 五(二)): a district's communities the plan asks to act
on (renovated without professional management, without an owners' committee, a fee
outside its level's range) as a page and a CSV, and the form on a community's card
that writes the governance fields. Reads and writes go through
:mod:`programme.services.governance`, which checks the district and street."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import actor_of
from layers.models import ServiceLevel

from . import services
from .pages import _community, _district

#: the lists of the district page, in the order it shows them
LISTS = ("bring_in", "no_committee", "fee_flagged")


def district_governance(request: HttpRequest, code: str) -> HttpResponse:
    """The district's governance lists (own district for planners and street staff)."""
    district = _district(code)
    report = services.district_governance(user=request.user, district=district)
    actor = actor_of(request.user)
    return render(
        request,
        "programme/governance.html",
        {
            "district": district,
            "report": report,
            "ranges": [
                (ServiceLevel(k).label, report.ranges[k]) for k in sorted(report.ranges)
            ],
            "own_street": actor.street_id if actor.role == "street_staff" else None,
        },
    )


def district_governance_csv(request: HttpRequest, code: str) -> HttpResponse:
    """One list of the district page as CSV (``?which=bring_in|no_committee|all``)."""
    district = _district(code)
    report = services.district_governance(user=request.user, district=district)
    which = request.GET.get("which") or "all"
    try:
        body = services.governance_csv(report, which=which)
    except ValidationError as exc:
        return HttpResponse("；".join(exc.messages), status=400)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"governance-{district.code}-{which}-{report.on.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def community_governance(request: HttpRequest, code: str) -> HttpResponse:
    """POST: write the governance fields of the community card's form."""
    community = _community(code)
    post = request.POST
    data = {name: post.get(name, "") for name in services.GOVERNANCE_FIELDS}
    data["owners_committee"] = "owners_committee" in post
    try:
        services.community_governance_update(
            user=request.user, community=community, data=data
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("物业管理与业主委员会信息已保存"))
    return redirect("programme-community-card", code=community.code)
