"""Property management and owners' committees of the communities (五(一), 五(二)).

The governance fields live on :class:`layers.models.Community` (imported, kept in its
history); the rules are :mod:`analysis.governance`. This module edits them for one
community (district planners in their district, street staff in their street) and
reads a district's list of communities the plan asks to act on: renovated without
professional management, without an owners' committee, with a fee outside its
service level's range. A district planner or street staff member reads their own
district only; city administrators read every district.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from analysis import governance as gov
from analysis.eligibility import select_in_force
from layers.io.writers import table_csv_bytes
from layers.models import Community, District, PropertyManagement, ServiceLevel
from programme import selectors

#: the fields :func:`community_governance_update` writes, in form order
GOVERNANCE_FIELDS: tuple[str, ...] = (
    "owners_committee",
    "owners_committee_formed_on",
    "property_management",
    "property_since",
    "property_company",
    "service_level",
    "property_fee",
)
#: who reads a district's governance list
READERS = permissions.EDITORS


def fee_ranges_on(day: dt.date) -> dict[str, gov.FeeRange]:
    """The fee range of each service level in force on ``day`` (property_fees.json)."""
    try:
        version = select_in_force(selectors.programme_data("property_fees"), day)
        return gov.fee_ranges(version)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def community_governance_status(
    *, community: Community, on: dt.date | None = None
) -> gov.GovernanceStatus:
    """The governance flags of ``community`` with the fee ranges in force ``on``."""
    ranges = fee_ranges_on(on or timezone.localdate())
    return _status(community, ranges)


def _status(c: Community, ranges: Mapping[str, gov.FeeRange]) -> gov.GovernanceStatus:
    try:
        return gov.community_governance(
            stage=c.stage,
            property_management=c.property_management,
            owners_committee=c.owners_committee,
            service_level=c.service_level,
            property_fee=c.property_fee,
            ranges=ranges,
        )
    except ValueError as exc:
        raise ValidationError(f"{c.code}: {exc}") from exc


# --------------------------------------------------------------------------- writes
def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("1", "true", "on", "yes", "是"):
        return True
    if text in ("", "0", "false", "off", "no", "否"):
        return False
    raise ValidationError(_("业主委员会：应为是或否，收到 %(v)r") % {"v": value})


def _parse_date(value: Any, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(
            _("%(f)s：应为日期（YYYY-MM-DD），收到 %(v)r") % {"f": label, "v": value}
        ) from None


def _parse_fee(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        fee = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(
            _("物业服务费：应为数字（元/m²·月），收到 %(v)r") % {"v": value}
        ) from None
    if not fee.is_finite() or fee < 0:
        raise ValidationError(_("物业服务费不能为负数。"))
    return fee.quantize(Decimal("0.01"))


def _parsed(data: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    unknown = set(data) - set(GOVERNANCE_FIELDS)
    if unknown:
        raise ValidationError(
            _("不可编辑的字段：%(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    out: dict[str, Any] = {}
    if "owners_committee" in data:
        out["owners_committee"] = _parse_bool(data["owners_committee"])
    for name, label in (
        ("owners_committee_formed_on", _("业主委员会成立日期")),
        ("property_since", _("现行物业管理起始日期")),
    ):
        if name in data:
            out[name] = _parse_date(data[name], label)
            if out[name] is not None and out[name] > today:
                raise ValidationError(_("%(f)s不能晚于今天。") % {"f": label})
    if "property_management" in data:
        kind = str(data["property_management"] or "")
        if kind not in PropertyManagement.values:
            raise ValidationError(_("未知的物业管理方式：%(v)r") % {"v": kind})
        out["property_management"] = kind
    if "property_company" in data:
        out["property_company"] = str(data["property_company"] or "").strip()
    if "service_level" in data:
        level = str(data["service_level"] or "")
        if level and level not in ServiceLevel.values:
            raise ValidationError(_("未知的物业服务等级：%(v)r") % {"v": level})
        out["service_level"] = level
    if "property_fee" in data:
        out["property_fee"] = _parse_fee(data["property_fee"])
    return out


def _consistent(c: Community) -> None:
    """What the fields say together must make sense (refused otherwise)."""
    if c.owners_committee_formed_on and not c.owners_committee:
        raise ValidationError(_("未成立业主委员会时不能填写成立日期。"))
    if c.property_management == PropertyManagement.NONE:
        if c.property_company or c.service_level or c.property_fee is not None:
            raise ValidationError(
                _("无物业的小区不能填写物业服务企业、服务等级或物业服务费。")
            )
        if c.property_since:
            raise ValidationError(_("无物业的小区不能填写物业管理起始日期。"))
    if c.property_management == PropertyManagement.PROFESSIONAL and not (
        c.property_company
    ):
        raise ValidationError(_("专业物业须填写物业服务企业名称。"))


@transaction.atomic
def community_governance_update(
    *, user: Any, community: Community, data: Mapping[str, Any]
) -> Community:
    """Write the governance fields named in ``data`` (五(一), 五(二)).

    District planners in their district and street staff in their street
    (:func:`accounts.permissions.check_community`); the change is kept in the
    community's history with its author. Values that contradict each other (a
    formation date without a committee, a company without management, professional
    management without a company) are refused and nothing changes.
    """
    c = Community.objects.select_for_update().get(pk=community.pk)
    permissions.check_community(user, c, _("编辑物业管理与业主委员会"))
    for name, value in _parsed(data, timezone.localdate()).items():
        setattr(c, name, value)
    _consistent(c)
    try:
        c.full_clean(exclude=["district", "street", "geom", "entrances"])
    except ValidationError as exc:
        raise ValidationError(exc.messages) from exc
    c.version += 1
    c._history_user = permissions.user_of(user)
    c._change_reason = "物业管理与业主委员会（五(一)、五(二)）"
    c.save()
    community.refresh_from_db()
    return c


# --------------------------------------------------------------------------- reads
def check_governance_reader(user: Any, district: District) -> permissions.Actor:
    """City administrators read every district; planners and street staff their own."""
    actor = permissions.require(user, READERS, _("查看物业与业主自治清单"))
    if actor.city_wide or actor.district_id == district.pk:
        return actor
    raise PermissionDenied(
        _("%(what)s：%(d)s 不是您负责的区县（%(own)s）。")
        % {
            "what": _("查看物业与业主自治清单"),
            "d": district.name,
            "own": actor.district_name or "—",
        }
    )


@dataclass(frozen=True)
class GovernanceRow:
    community: Community
    status: gov.GovernanceStatus


@dataclass(frozen=True)
class DistrictGovernance:
    district: District
    on: dt.date
    rows: list[GovernanceRow]
    ranges: dict[str, gov.FeeRange]

    @property
    def bring_in(self) -> list[GovernanceRow]:
        """Renovated without professional management (五(二))."""
        return [r for r in self.rows if r.status.bring_in_professional]

    @property
    def no_committee(self) -> list[GovernanceRow]:
        """Without an owners' committee (五(一))."""
        return [r for r in self.rows if r.status.no_committee]

    @property
    def fee_flagged(self) -> list[GovernanceRow]:
        return [r for r in self.rows if r.status.fee.flagged]

    @property
    def renovated(self) -> int:
        return sum(r.status.renovated for r in self.rows)


def district_governance(
    *, user: Any, district: District, on: dt.date | None = None
) -> DistrictGovernance:
    """Every community of ``district`` with its governance flags (the reader's own
    district unless a city administrator)."""
    check_governance_reader(user, district)
    day = on or timezone.localdate()
    ranges = fee_ranges_on(day)
    qs = (
        Community.objects.filter(district=district)
        .select_related("street")
        .order_by("street__name", "name", "code")
        .defer("geom", "entrances")
    )
    rows = [GovernanceRow(c, _status(c, ranges)) for c in qs]
    return DistrictGovernance(district, day, rows, ranges)


#: the CSV's columns: code, label
CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "小区编码"),
    ("name", "小区名称"),
    ("street", "街道"),
    ("stage", "改造阶段"),
    ("property_management", "物业管理"),
    ("property_company", "物业服务企业"),
    ("property_since", "现行物业管理起始日期"),
    ("service_level", "物业服务等级"),
    ("property_fee", "物业服务费（元/m²·月）"),
    ("fee_status", "收费与等级"),
    ("owners_committee", "已成立业主委员会"),
    ("owners_committee_formed_on", "业主委员会成立日期"),
    ("bring_in_professional", "应引入专业化物业管理（五(二)）"),
    ("no_committee", "未成立业主委员会（五(一)）"),
)
FEE_STATUS = {
    "in_range": "在区间内",
    "below": "低于区间",
    "above": "高于区间",
    "no_level": "未定等级",
    "no_fee": "未登记",
}


def governance_csv(report: DistrictGovernance, *, which: str = "all") -> bytes:
    """The district's list as CSV (UTF-8 with BOM): ``which`` is ``all``,
    ``bring_in`` (renovated without professional management) or ``no_committee``."""
    pick = {
        "all": report.rows,
        "bring_in": report.bring_in,
        "no_committee": report.no_committee,
    }
    if which not in pick:
        raise ValidationError(f"which must be one of {', '.join(pick)}")
    records = []
    for r in pick[which]:
        c, s = r.community, r.status
        records.append(
            {
                "code": c.code,
                "name": c.name,
                "street": c.street.name if c.street else "",
                "stage": c.get_stage_display(),
                "property_management": c.get_property_management_display(),
                "property_company": c.property_company,
                "property_since": c.property_since.isoformat()
                if c.property_since
                else "",
                "service_level": c.get_service_level_display(),
                "property_fee": "" if c.property_fee is None else str(c.property_fee),
                "fee_status": FEE_STATUS[s.fee.status],
                "owners_committee": "是" if c.owners_committee else "否",
                "owners_committee_formed_on": c.owners_committee_formed_on.isoformat()
                if c.owners_committee_formed_on
                else "",
                "bring_in_professional": "是" if s.bring_in_professional else "否",
                "no_committee": "是" if s.no_committee else "否",
            }
        )
    df = pd.DataFrame(records, columns=[code for code, _label in CSV_COLUMNS])
    df.columns = [str(label) for _code, label in CSV_COLUMNS]
    return table_csv_bytes(df)


def professional_share_by_district(
    rows: list[tuple[str, str, str]],
) -> list[gov.ShareRow]:
    """Per district name, renovated communities with professional management."""
    try:
        return gov.professional_share(rows)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
