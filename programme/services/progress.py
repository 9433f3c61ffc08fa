"""Programme progress: the period, the yearly report, public targets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analysis import reserve, stages
from analysis.eligibility import select_in_force
from layers.models import Community, District
from layers.tables import Column, table_export
from programme import scope, selectors
from programme.models import AnnualPlan, ProjectItem, StageTransition
from programme.services.checks import _today


def dangerous_cleared_by_community() -> dict[str, int]:
    """Community code → C/D buildings made safe, from the acceptance records (二(二)1)."""
    out: dict[str, int] = {}
    rows = StageTransition.objects.filter(to_stage="completion_acceptance")
    for evidence in rows.values_list("evidence", flat=True):
        for code, n in (evidence.get("dangerous_cleared_by_community") or {}).items():
            out[code] = out.get(code, 0) + int(n.get("c", 0)) + int(n.get("d", 0))
    return out


def _progress_rows() -> list[dict[str, Any]]:
    accepted = dict(
        StageTransition.objects.filter(
            to_stage="completion_acceptance", project__community__isnull=False
        )
        .order_by("at")
        .values_list("project__community_id", "at")
    )
    done_stages = stages.STAGES[stages.STAGES.index("completion_acceptance") :]
    cleared = dangerous_cleared_by_community()
    lifts: dict[int, int] = {}
    facilities: dict[int, int] = {}
    done_items = ProjectItem.objects.filter(
        project__stage__in=done_stages, project__community__isnull=False
    ).select_related("works_item", "project")
    for i in done_items:
        cid = i.project.community_id
        if i.works_item.special_item == "lift":
            lifts[cid] = lifts.get(cid, 0) + int(i.quantity)
        elif i.works_item.category == "enhancement":
            facilities[cid] = facilities.get(cid, 0) + 1
    rows = []
    for c in Community.objects.select_related("district").order_by("code"):
        at = accepted.get(c.pk)
        rows.append(
            {
                "district_code": c.district.code,
                "stage": c.stage,
                "households": c.households,
                "renovated_year": timezone.localtime(at).year if at else None,
                "dangerous_c": c.dangerous_c,
                "dangerous_d": c.dangerous_d,
                "dangerous_cleared": cleared.get(c.code, 0),
                "lifts_installed": lifts.get(c.pk, 0),
                "facilities_added": facilities.get(c.pk, 0),
            }
        )
    return rows


def programme_period(*, on: dt.date | None = None) -> Mapping[str, Any]:
    """The three-year action in force on ``on`` (``programme_period.json``, 一(二)):
    ``first_year``, ``last_year``, ``clause``, ``id``."""
    try:
        return select_in_force(selectors.programme_data("programme_period"), _today(on))
    except ValueError as exc:
        raise ValidationError(f"programme period: {exc}") from exc


def programme_progress_report(*, year: int) -> pd.DataFrame:
    """Progress of the programme through ``year`` per district and city-wide (一(二)).

    Targets are the communities listed in the districts' annual plans.
    Aggregates only: no community or resident is named.
    """
    period = programme_period()
    first, last = int(period["first_year"]), int(period["last_year"])
    if isinstance(year, bool) or not isinstance(year, int) or not first <= year <= 2100:
        msg = f"year must be an int from {first} to 2100, got {year!r}"
        raise ValidationError(msg)
    rows = _progress_rows()
    if not rows:
        msg = "没有小区数据 / no communities loaded"
        raise ValidationError(msg)
    targets: dict[str, dict[int, int]] = {}
    for plan in AnnualPlan.objects.select_related("district").prefetch_related(
        "projects"
    ):
        n = len({p.community_id for p in plan.projects.all() if p.community_id})
        by_year = targets.setdefault(plan.district.code, {})
        by_year[plan.year] = by_year.get(plan.year, 0) + n
    years = tuple(range(first, max(year, last) + 1))
    try:
        return reserve.programme_progress(rows, targets, through_year=year, years=years)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def public_targets(*, today: dt.date | None = None) -> dict[str, Any]:
    """What the public statistics need from the programme, as aggregates per district:

    the communities in scope by the one 二(一) rule and their households (the
    three-year target of 一(二)), the C/D buildings left in them (危房清零 counts
    every community in scope, renovated or not, until its buildings are made safe)
    and those made safe at acceptance; and the period in force. No community is
    named: the public page receives counts only.
    """
    day = _today(today)
    period = programme_period(on=day)
    table = scope.scope_table(today=day)
    in_scope = table[table["eligible"]]
    codes = dict(District.objects.values_list("id", "code"))
    dangerous = dict(
        Community.objects.filter(code__in=list(in_scope.index)).values_list(
            "code", F("dangerous_c") + F("dangerous_d")
        )
    )
    district_of = dict(Community.objects.values_list("code", "district__code"))
    out: dict[str, dict[str, int]] = {}

    def row(code: str) -> dict[str, int]:
        return out.setdefault(
            code,
            {
                "target": 0,
                "target_households": 0,
                "dangerous_remaining": 0,
                "dangerous_cleared": 0,
            },
        )

    for code, rec in in_scope.iterrows():
        t = row(codes[rec["district_id"]])
        t["target"] += 1
        t["target_households"] += int(rec["households"])
        t["dangerous_remaining"] += int(dangerous.get(code, 0))
    for code, n in dangerous_cleared_by_community().items():
        if code in district_of:
            row(district_of[code])["dangerous_cleared"] += n
    return {
        # the three years of 一(二) in force (programme_period.json)
        "period": {"from": int(period["first_year"]), "to": int(period["last_year"])},
        "districts": out,
    }


PROGRESS_COLUMNS = {
    "target_communities": gettext_lazy("目标小区数"),
    "renovated_communities": gettext_lazy("已改造小区数"),
    "communities_pct": gettext_lazy("完成率（%）"),
    "target_households": gettext_lazy("目标户数"),
    "renovated_households": gettext_lazy("已改造户数"),
    "dangerous_cleared": gettext_lazy("危房解危"),
    "dangerous_remaining": gettext_lazy("剩余危房（栋）"),
    "lifts_installed": gettext_lazy("加装电梯（台）"),
    "facilities_added": gettext_lazy("新增配套设施"),
}


def progress_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of the progress table as JSON-safe dicts (NaN → None)."""
    out = []
    for code, row in frame.iterrows():
        rec: dict[str, Any] = {"district_code": str(code)}
        for col in PROGRESS_COLUMNS:
            value = row[col]
            rec[col] = None if pd.isna(value) else float(value)
            if rec[col] is not None and col != "communities_pct":
                rec[col] = int(rec[col])
        rows_pct = rec["communities_pct"]
        rec["communities_pct"] = None if rows_pct is None else round(rows_pct, 2)
        out.append(rec)
    return out


def programme_progress_xlsx(*, year: int) -> bytes:
    """The progress report (一(二)) as an XLSX workbook in the user's language, through
    the one export path (with its column legend)."""
    records = progress_records(programme_progress_report(year=year))
    names = dict(District.objects.values_list("code", "name"))
    for rec in records:
        code = rec["district_code"]
        rec["district"] = _("全市") if code == "city" else names.get(code, code)
    columns = [
        Column("district", _("区县")),
        *(Column(c, label) for c, label in PROGRESS_COLUMNS.items()),
        Column("district_code", _("区县编码")),
    ]
    note = [
        {
            "note": _(
                "一(二) 三年行动进度，统计至%(year)s年；目标为年度计划所列小区数。"
            )
            % {"year": year}
        }
    ]
    body, _ctype = table_export(
        records,
        columns,
        "xlsx",
        sheet=_("进度%(year)s") % {"year": year},
        sheets={_("说明"): (note, [Column("note", _("说明"))])},
    )
    return body
