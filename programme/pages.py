"""The programme from the planner page (四(二), 四(三), 五): server-rendered pages.

Each page reads through :mod:`programme.boards` and writes through one service per
form (STYLE §4.2: views parse, call one service, render). A refused step (a service's
``ValidationError``) comes back to the same page as a message with its clause; a user
without the right role or area gets 403 with the reason (``PermissionDenied``). Pages
are plain HTML forms: no script is needed, none is inline (CSP).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import ADMINS, EDITORS, PLANNERS, actor_of
from layers.models import Community, District

from . import boards, scope, selectors, services
from .models import STAGE_LABELS, Project, PublicRevenue

#: documentary evidence a step's form may carry (services.DOCUMENT_KEYS)
TEXT_EVIDENCE = (
    "written_application",
    "implementation_plan",
    "permit",
    "handed_over_to",
    "evaluation",
)


# --------------------------------------------------------------------------- parsing
def _text(post: Any, name: str, *, required: bool = True) -> str:
    value = (post.get(name) or "").strip()
    if required and not value:
        msg = f"请填写 {name} / {name} is required"
        raise ValidationError(msg)
    return value


def _int(post: Any, name: str) -> int:
    raw = (post.get(name) or "").strip()
    try:
        return int(raw)
    except ValueError as exc:
        msg = f"{name} 须为整数 / {name} must be a whole number, got {raw!r}"
        raise ValidationError(msg) from exc


def _decimal(post: Any, name: str, *, required: bool = True) -> Decimal | None:
    raw = (post.get(name) or "").strip()
    if not raw and not required:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation as exc:
        msg = f"{name} 须为数字 / {name} must be a number, got {raw!r}"
        raise ValidationError(msg) from exc


def _date(post: Any, name: str) -> dt.date:
    raw = (post.get(name) or "").strip()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        msg = f"{name} 须为日期（YYYY-MM-DD） / {name} must be a date, got {raw!r}"
        raise ValidationError(msg) from exc


def _year(raw: Any, default: int) -> int:
    try:
        year = int(raw) if raw not in (None, "") else default
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    if not 2000 <= year <= 2100:
        raise Http404
    return year


def _run(request: HttpRequest, action: Callable[[], Any], done: str) -> bool:
    """Run one service call; a refusal becomes a message (PermissionDenied: 403)."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return False
    messages.success(request, done)
    return True


def _district(code: str) -> District:
    district = District.objects.filter(code=code).first()
    if district is None:
        raise Http404
    return district


def _community(code: str) -> Community:
    try:
        return selectors.community_get(code=code)
    except Community.DoesNotExist as exc:
        raise Http404 from exc


def _project(pk: int) -> Project:
    try:
        return selectors.project_get(project_id=pk)
    except Project.DoesNotExist as exc:
        raise Http404 from exc


# --------------------------------------------------------------------------- home
def programme_home(request: HttpRequest) -> HttpResponse:
    """Projects, a new project, and each district's reserve pool and annual plan."""
    actor = actor_of(request.user)
    code = request.GET.get("district") or actor.district_code or ""
    district = District.objects.filter(code=code).first() if code else None
    if request.method == "POST":
        return _create_project(request)
    context = boards.programme_home(district=district)
    context["can_plan"] = actor.role in PLANNERS
    # the governance lists (五(一), 五(二)): every district for city administrators
    context["can_govern_all"] = actor.city_wide
    context["own_district"] = actor.district_code if actor.role in EDITORS else ""
    return render(request, "programme/home.html", context)


def _create_project(request: HttpRequest) -> HttpResponse:
    post = request.POST
    created: dict[str, Project] = {}

    def create() -> None:
        community_code = _text(post, "community", required=False)
        block_code = _text(post, "block_code", required=False)
        community = None
        if community_code:
            community = Community.objects.filter(code=community_code).first()
            if community is None:
                msg = f"没有编码为 {community_code} 的小区 / unknown community"
                raise ValidationError(msg)
        district = None
        if community is None:
            district = District.objects.filter(code=_text(post, "district")).first()
            if district is None:
                msg = "请选择片区项目所在区县 / choose the block project's district"
                raise ValidationError(msg)
        created["p"] = services.project_create(
            user=request.user,
            name=_text(post, "name"),
            year=_int(post, "year"),
            community=community,
            block_code=block_code,
            district=district,
            area_project=bool(post.get("area_project")),
            why=_text(post, "why", required=False),
        )

    if _run(request, create, "项目已创建（意愿表决阶段，四(二)1）"):
        return redirect("programme-project-page", pk=created["p"].pk)
    return redirect("programme-home")


# --------------------------------------------------------------------------- project
def project_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Timeline, next step, votes per matter, works items and funding of a project."""
    project = _project(pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        handler = PROJECT_ACTIONS.get(action)
        if handler is None:
            messages.error(request, f"未知操作 / unknown action {action!r}")
        else:
            handler(request, project)
        return redirect("programme-project-page", pk=project.pk)
    context = boards.project_page(project=project)
    actor = actor_of(request.user)
    context["can_edit"] = actor.role in PLANNERS or actor.role == "street_staff"
    context["is_admin"] = actor.role in ADMINS
    # the funding arrangement is the district's (services.sources)
    context["can_fund"] = actor.role in ADMINS or (
        actor.role in PLANNERS and actor.district_id == project.district_id
    )
    return render(request, "programme/project_page.html", context)


def _advance(request: HttpRequest, project: Project) -> None:
    post = request.POST
    to_stage = _text(post, "to_stage")

    def step() -> None:
        evidence: dict[str, Any] = {}
        for key in TEXT_EVIDENCE:
            if post.get(key, "").strip():
                evidence[key] = post[key].strip()
        if post.get("sub_status"):
            evidence["sub_status"] = post["sub_status"]
        if post.get("warranty_end"):
            evidence["warranty_end"] = _date(post, "warranty_end").isoformat()
        if to_stage == "completion_acceptance":
            evidence["acceptance"] = {
                "passed": post.get("acceptance_passed") == "on",
                "parties": post.getlist("parties"),
            }
            if post.get("cleared_c") or post.get("cleared_d"):
                evidence["dangerous_cleared"] = {
                    "c": _int(post, "cleared_c") if post.get("cleared_c") else 0,
                    "d": _int(post, "cleared_d") if post.get("cleared_d") else 0,
                }
        services.project_advance(
            user=request.user,
            project=project,
            to_stage=to_stage,
            why=_text(post, "why", required=False),
            evidence=evidence,
        )

    _run(request, step, f"已进入阶段：{STAGE_LABELS.get(to_stage, to_stage)}")


def _vote(request: HttpRequest, project: Project) -> None:
    post = request.POST

    def record() -> None:
        services.vote_record(
            user=request.user,
            project=project,
            kind=_text(post, "kind"),
            matter=_text(post, "matter", required=False) or None,
            total_owners=_int(post, "total_owners"),
            total_area_m2=_decimal(post, "total_area_m2"),
            participants_owners=_int(post, "participants_owners"),
            participants_area_m2=_decimal(post, "participants_area_m2"),
            consent_owners=_int(post, "consent_owners"),
            consent_area_m2=_decimal(post, "consent_area_m2"),
            held_on=_date(post, "held_on"),
        )

    _run(request, record, "表决结果已录入（多数按事项与法律确定）")


def _item(request: HttpRequest, project: Project) -> None:
    post = request.POST

    def add() -> None:
        services.project_item_add(
            user=request.user,
            project=project,
            works_item=_text(post, "works_item"),
            quantity=_decimal(post, "quantity"),
            budget=_decimal(post, "budget", required=False),
            owners_share=_decimal(post, "owners_share", required=False),
            government_share=_decimal(post, "government_share", required=False),
        )

    _run(request, add, "改造内容已添加")


def _plan(request: HttpRequest, project: Project) -> None:
    post = request.POST

    def update() -> None:
        services.project_update(
            user=request.user,
            project=project,
            plan_design=_text(post, "plan_design", required=False),
            funding_plan=_text(post, "funding_plan", required=False),
            long_term_management=_text(post, "long_term_management", required=False),
        )

    _run(request, update, "初步改造方案已保存（四(二)2）")


def _utility(request: HttpRequest, project: Project) -> None:
    post = request.POST

    def save() -> None:
        raw_day = (post.get("handover_date") or "").strip()
        services.project_utility_save(
            user=request.user,
            project=project,
            utility=_text(post, "utility"),
            cost_share=_percent(post, "cost_share_pct"),
            amount=_decimal(post, "amount", required=False),
            handover_date=_date(post, "handover_date") if raw_day else None,
            maintains_after_acceptance=post.get("maintains") == "on",
            note=_text(post, "note", required=False),
        )

    _run(request, save, "管线单位分担已保存（四(四)4、三(二)）")


def _percent(post: Any, name: str) -> Decimal | None:
    """A percentage field (0–100) as a share (0–1); empty: None."""
    value = _decimal(post, name, required=False)
    return None if value is None else value / 100


def _row_delete(request: HttpRequest, rows, missing: str, delete, done: str) -> None:
    """Delete the project's row named by the form's ``row`` (``delete(user=, row=)``)."""
    row = rows.filter(pk=_int(request.POST, "row")).first()
    if row is None:
        messages.error(request, missing)
        return
    _run(request, lambda: delete(user=request.user, row=row), done)


def _utility_delete(request: HttpRequest, project: Project) -> None:
    _row_delete(
        request,
        project.utilities,
        "没有这条管线单位记录 / no such utility row",
        services.project_utility_delete,
        "管线单位已删除",
    )


def _source(request: HttpRequest, project: Project) -> None:
    post = request.POST

    def save() -> None:
        services.funding_source_save(
            user=request.user,
            project=project,
            source=_text(post, "source"),
            amount=_decimal(post, "amount"),
            year=_int(post, "year"),
            note=_text(post, "note", required=False),
        )

    _run(request, save, "资金来源已保存（三、六(二)）")


def _source_delete(request: HttpRequest, project: Project) -> None:
    _row_delete(
        request,
        project.funding_sources,
        "没有这条资金来源记录 / no such funding row",
        services.funding_source_delete,
        "资金来源已删除",
    )


PROJECT_ACTIONS: dict[str, Callable[[HttpRequest, Project], None]] = {
    "advance": _advance,
    "vote": _vote,
    "item": _item,
    "plan": _plan,
    "utility": _utility,
    "utility_delete": _utility_delete,
    "source": _source,
    "source_delete": _source_delete,
}


# --------------------------------------------------------------------------- scope
def scope_decision(request: HttpRequest, code: str) -> HttpResponse:
    """Record or withdraw a decision that admits a community (二(一))."""
    community = _community(code)
    post = request.POST
    if post.get("action") == "revoke":
        _run(
            request,
            lambda: scope.scope_decision_revoke(
                user=request.user, community=community, why=_text(post, "reason")
            ),
            "范围认定已撤销（历史记录保留）",
        )
    else:
        _run(
            request,
            lambda: scope.scope_decision_record(
                user=request.user,
                community=community,
                kind=_text(post, "kind"),
                reason=_text(post, "reason"),
            ),
            "范围认定已记录（二(一)）",
        )
    back = post.get("back", "")
    if back.isdigit():
        return redirect("programme-project-page", pk=int(back))
    return redirect("programme-community-card", code=community.code)


# --------------------------------------------------------------------------- reserve
def reserve_pool(request: HttpRequest, code: str) -> HttpResponse:
    """The district's reserve pool: score and rank it, see every point (四(二)4)."""
    district = _district(code)
    year = _year(
        request.GET.get("year") or request.POST.get("year"), boards.default_plan_year()
    )
    if request.method == "POST":
        _run(
            request,
            lambda: services.reserve_pool_score(
                user=request.user, district=district, year=year
            ),
            f"{year}年储备库已评分排序",
        )
        return redirect(f"{reverse('programme-reserve-pool', args=[code])}?year={year}")
    context = boards.reserve_board(district=district, year=year)
    context["can_plan"] = actor_of(request.user).role in PLANNERS
    return render(request, "programme/reserve_pool.html", context)


# --------------------------------------------------------------------------- annual plan
def annual_plan(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The annual plan of ``year``: list, fix by 31 October, reopen with a reason."""
    district = _district(code)
    year = _year(year, year)
    if request.method == "POST":
        post = request.POST
        action = post.get("action")
        if action == "add":
            _run(
                request,
                lambda: services.annual_plan_add_project(
                    user=request.user,
                    district=district,
                    year=year,
                    project=_project(_int(post, "project")),
                ),
                "项目已列入年度计划",
            )
        elif action == "fix":
            _run(
                request,
                lambda: services.annual_plan_fix(
                    user=request.user, district=district, year=year
                ),
                f"{year}年度计划已确定（四(二)4）",
            )
        elif action == "reopen":
            _run(
                request,
                lambda: services.annual_plan_reopen(
                    user=request.user,
                    district=district,
                    year=year,
                    why=_text(post, "why"),
                ),
                f"{year}年度计划已重新开放，理由已记录",
            )
        else:
            messages.error(request, f"未知操作 / unknown action {action!r}")
        return redirect("programme-annual-plan", code=code, year=year)
    context = boards.plan_board(district=district, year=year)
    context["can_plan"] = actor_of(request.user).role in PLANNERS
    return render(request, "programme/annual_plan.html", context)


# --------------------------------------------------------------------------- fund
def community_fund(request: HttpRequest, code: str) -> HttpResponse:
    """Maintenance fund and public revenue of a community (五(三), 五(四))."""
    community = _community(code)
    today = timezone.localdate()
    year = _year(request.GET.get("year") or request.POST.get("year"), today.year)
    if request.method == "POST":
        post = request.POST
        if post.get("action") == "move":
            _run(
                request,
                lambda: services.revenue_move_to_fund(
                    user=request.user, community=community, year=year
                ),
                "公共收益已公示并转入专项维修资金（五(四)）",
            )
        else:
            _run(
                request,
                lambda: services.revenue_record(
                    user=request.user,
                    community=community,
                    year=year,
                    kind=_text(post, "kind"),
                    amount=_decimal(post, "amount"),
                    expenses=_decimal(post, "expenses", required=False) or 0,
                ),
                "公共收益已录入",
            )
        return redirect(
            f"{reverse('programme-community-fund', args=[code])}?year={year}"
        )
    context = boards.fund_board(community=community, year=year)
    actor = actor_of(request.user)
    context["can_record"] = actor.role in PLANNERS or actor.role == "street_staff"
    context["can_move"] = actor.role in PLANNERS
    context["kinds"] = PublicRevenue.Kind.choices
    return render(request, "programme/community_fund.html", context)


# --------------------------------------------------------------------------- special works
def special_works_report(request: HttpRequest, code: str) -> HttpResponse:
    """The district's projects whose special works fall in other years (最多改一次,
    四(四)2), with the joint year proposed; the district's own users only."""
    district = _district(code)
    rows = services.district_special_works(user=request.user, district=district)
    return render(
        request,
        "programme/special_works.html",
        {"district": district, "rows": rows},
    )


def special_works_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The district report as CSV."""
    district = _district(code)
    body = services.conflicts_csv(user=request.user, district=district)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="special-works-conflicts-{district.code}.csv"'
    )
    return response
