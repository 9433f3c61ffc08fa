"""A project's funding shares and whether its district is central-funded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError

from analysis import funding as fund
from layers.models import District
from programme import selectors
from programme.models import Project
from programme.services.checks import _today


def district_is_central(*, district: District, on: dt.date) -> tuple[bool, str]:
    """Central flag of a district from ``districts.json`` in force (三(一)).

    Falls back to :attr:`layers.models.District.is_central` when the district
    is not in the data (e.g. a test district); the second value says which.
    """
    data = selectors.programme_data("districts")
    for key in (district.code, district.name):
        try:
            return fund.is_central_district(key, data, on=on), "districts.json"
        except ValueError:
            continue
    return bool(district.is_central), "District.is_central"


def project_funding(
    *, project: Project, on: dt.date | None = None
) -> fund.FundingBreakdown:
    """Funding split of a project (三), every figure with its clause and rule."""
    day = _today(on)
    items = list(selectors.project_item_list(project=project))
    if not items:
        msg = "项目尚无改造内容 / the project has no works items yet"
        raise ValidationError(msg)
    rows = []
    for i in items:
        w = i.works_item
        row: dict[str, Any] = {
            "code": w.code,
            "name_zh": w.name_zh,
            "category": w.category,
            "special_item": w.special_item or None,
            "owners_copay": w.owners_copay,
            "area_project_only": w.area_project_only,
            "budget_yuan": i.budget,
        }
        if i.final_account is not None:
            row["final_account_yuan"] = i.final_account
        if i.owners_share is not None:
            row["owners_share"] = i.owners_share
        if i.government_share is not None:
            row["government_share"] = i.government_share
        rows.append(row)
    central, _source = district_is_central(district=project.district, on=day)
    try:
        return fund.funding_split(
            rows,
            district_is_central=central,
            rates=selectors.programme_data("funding_rates"),
            on=day,
            catalogue=selectors.programme_data("works_catalogue"),
            area_project=project.area_project,
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
