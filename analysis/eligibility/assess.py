"""The one definition of who is in the renovation scope (二(一)), for one community or a table of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Any

import pandas as pd

from analysis.eligibility.decision import (
    CLAUSE_SCOPE,
    DEFAULT_SCOPE_RULES,
    ELIGIBLE_STATUSES,
    HOUSING_TYPES,
    LAND_TENURES,
    MIN_COMPLETION_YEAR,
    PRIORITY_CUTOFF,
    RECORDED_KINDS,
    WILL_VALUES,
    Decision,
    EligibilityStatus,
    Reason,
)


def _count_or_none(community: Mapping[str, Any], key: str, code: str) -> int | None:
    value = community.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(
            f"community {code}: {key} must be a non-negative int or None, got {value!r}"
        )
    return value


def _validate(community: Mapping[str, Any], today: dt.date) -> None:
    if not isinstance(community, Mapping):
        raise TypeError(f"community must be a mapping, got {type(community).__name__}")
    for key in (
        "completion_year",
        "land_tenure",
        "housing_type",
        "in_shanty_plan",
        "in_expropriation_plan",
    ):
        if key not in community:
            raise ValueError(f"community is missing required column {key!r}")
    code = community.get("code", "?")
    year = community["completion_year"]
    if isinstance(year, bool) or not isinstance(year, int):
        raise ValueError(
            f"community {code}: completion_year must be an int, got {year!r}"
        )
    if year > today.year:
        raise ValueError(
            f"community {code}: completion_year {year} is in the future "
            f"(today is {today.isoformat()})"
        )
    if year < MIN_COMPLETION_YEAR:
        raise ValueError(
            f"community {code}: completion_year {year} is before "
            f"{MIN_COMPLETION_YEAR}; check the data"
        )
    if community["land_tenure"] not in LAND_TENURES:
        raise ValueError(
            f"community {code}: unknown land_tenure {community['land_tenure']!r}; "
            f"expected one of {LAND_TENURES}"
        )
    if community["housing_type"] not in HOUSING_TYPES:
        raise ValueError(
            f"community {code}: unknown housing_type "
            f"{community['housing_type']!r}; expected one of {HOUSING_TYPES}"
        )
    for key in ("in_shanty_plan", "in_expropriation_plan"):
        if not isinstance(community[key], bool):
            raise ValueError(
                f"community {code}: {key} must be a bool, got {community[key]!r}"
            )
    if not isinstance(community.get("repairable", True), bool):
        raise ValueError(f"community {code}: repairable must be a bool")
    counts = {
        k: _count_or_none(community, k, code)
        for k in ("missing_categories", "required_categories", "missing_local")
    }
    if (
        counts["missing_categories"] is not None
        and counts["required_categories"] is not None
        and counts["missing_categories"] > counts["required_categories"]
    ):
        raise ValueError(
            f"community {code}: missing_categories ({counts['missing_categories']}) "
            f"exceeds required_categories ({counts['required_categories']})"
        )
    if community.get("residents_will") not in WILL_VALUES:
        raise ValueError(
            f"community {code}: residents_will must be one of {WILL_VALUES}, got "
            f"{community.get('residents_will')!r}"
        )


def _validate_recorded(recorded: Mapping[str, Any] | None) -> None:
    if recorded is None:
        return
    if not isinstance(recorded, Mapping):
        raise TypeError("recorded must be a mapping or None")
    if recorded.get("kind") not in RECORDED_KINDS:
        raise ValueError(
            f"recorded decision kind must be one of {RECORDED_KINDS}, got "
            f"{recorded.get('kind')!r}"
        )
    if not str(recorded.get("reason") or "").strip():
        raise ValueError("a recorded decision needs its reason")


def _post_2000_rules(rules: Mapping[str, Any]) -> tuple[Fraction, int, int]:
    spec = rules.get("post_2000") or {}
    try:
        share = Fraction(str(spec["min_missing_share"]))
        local = int(spec["min_local_missing"])
        local_tier = int(spec["local_max_tier_minutes"])
    except (KeyError, ValueError, ZeroDivisionError) as exc:
        raise ValueError(
            "scope rules: post_2000 needs min_missing_share, min_local_missing and "
            "local_max_tier_minutes"
        ) from exc
    if not 0 < share <= 1 or local < 0:
        raise ValueError(
            "scope rules: min_missing_share must be in (0, 1] and min_local_missing "
            ">= 0"
        )
    return share, local, local_tier


def assess_eligibility(
    community: Mapping[str, Any],
    *,
    today: dt.date | None = None,
    rules: Mapping[str, Any] | None = None,
    in_block_with_others: bool = False,
    recorded: Mapping[str, Any] | None = None,
) -> Decision:
    """Decide whether a community is in scope of the programme (二(一)).

    Rules, checked in this order (the first that decides wins; every check made
    is reported):

    1. listed in a shanty-town (棚改) or expropriation (征收) plan → ``excluded``:
       the community is handled by that plan, not by renovation.
    2. collective land → ``not_eligible`` (the programme covers urban
       communities on state-owned land, 国有土地上).
    3. buildings that cannot be repaired or reinforced (``repairable=False``)
       → ``not_eligible`` (only 可维修加固使用的楼房).
    4. pure villa community → ``with_others_only``: 纯别墅小区不 *单独* 列入, so it is
       eligible only as a member of a 片区 with other communities
       (``in_block_with_others``).
    5. resettlement (安置房) or affordable (保障房) housing → ``district_decides``
       (各地自主确定): eligible only once the district has recorded its decision.
    6. completed by 2000-12-31 → ``priority``.
    7. completed after 2000: ``on_application`` only if the life-circle
       analysis finds many services missing (at least ``min_missing_share`` of
       the required categories: 公共服务及社会服务缺项较多), at least
       ``min_local_missing`` of them in the community's own tiers (居住街坊 and
       5-minute: 配套设施不完备), and the owners' will vote passed (居民改造意愿
       强烈). Gaps not assessed or a will not yet voted → ``not_eligible``,
       with ``needs`` saying what is missing.

    A decision recorded by a person (``recorded``) admits a community the rule
    does not: ``kind="district"`` for ``district_decides``; ``kind="exception"``
    (a city administrator's exception, with its reason) for any status.

    Parameters
    ----------
    community : Mapping
        Columns of ``docs/DATA_MODEL.md``: ``completion_year`` (int),
        ``land_tenure`` (``state``/``collective``), ``housing_type``,
        ``in_shanty_plan`` (bool), ``in_expropriation_plan`` (bool),
        ``repairable`` (bool, default True); optional ``code``;
        ``missing_categories`` and ``required_categories`` (ints or None: the
        required life-circle categories missing within reach, and how many the
        rule set requires), ``missing_local`` (int or None: of those, the ones
        in tiers up to ``local_max_tier_minutes``); ``residents_will``
        (``"strong"`` = the owners' will vote passed, ``"weak"`` = it failed,
        None = not voted yet).
    today : datetime.date, optional
        Reference day for the "completion year in the future" check; default
        :func:`datetime.date.today`.
    rules : Mapping, optional
        The version of ``scope_rules.json`` in force (default
        :data:`DEFAULT_SCOPE_RULES`). The draft gives no number for "缺项较多":
        the share there is illustrative and must be confirmed by the city.
    in_block_with_others : bool, default False
        The community is assessed as a member of a 片区 (连片改造 block) together
        with other communities that are themselves eligible.
    recorded : Mapping, optional
        ``{"kind": "district"|"exception", "reason": str, "by": str,
        "on": date}``: a decision recorded for this community.

    Returns
    -------
    Decision

    Raises
    ------
    ValueError
        On a missing column, unknown tenure or housing type, a completion year
        in the future or before 1900, a mistyped optional input, malformed
        scope rules or a recorded decision without a reason.
    """
    today = today or dt.date.today()
    _validate(community, today)
    _validate_recorded(recorded)
    rules = rules or DEFAULT_SCOPE_RULES
    cutoff = dt.date.fromisoformat(
        str(rules.get("priority_completed_by", PRIORITY_CUTOFF.isoformat()))
    )
    c = CLAUSE_SCOPE
    year: int = community["completion_year"]
    tenure: str = community["land_tenure"]
    housing: str = community["housing_type"]
    reasons: list[Reason] = []

    def say(zh: str, en: str, clause: str = c) -> None:
        reasons.append(Reason(clause, zh, en))

    def result(status: EligibilityStatus, needs: tuple[str, ...] = ()) -> Decision:
        if status in ELIGIBLE_STATUSES:
            return Decision(status, reasons, True, "rule", ())
        if recorded is not None and (
            recorded["kind"] == "exception"
            or (recorded["kind"] == "district" and status == "district_decides")
        ):
            who = str(recorded.get("by") or "")
            on = recorded.get("on")
            when = on.isoformat() if isinstance(on, dt.date) else str(on or "")
            if recorded["kind"] == "district":
                say(
                    f"区县已自主确定纳入改造计划（{who} {when}）：{recorded['reason']}",
                    f"The district decided to include it ({who} {when}): "
                    f"{recorded['reason']}",
                )
            else:
                say(
                    f"市级管理员记录例外，纳入改造（{who} {when}）：{recorded['reason']}",
                    f"Exception recorded by a city administrator ({who} {when}): "
                    f"{recorded['reason']}",
                )
            return Decision(status, reasons, True, str(recorded["kind"]), ())
        return Decision(status, reasons, False, "", needs)

    if community["in_shanty_plan"] or community["in_expropriation_plan"]:
        plans_zh = "、".join(
            name
            for name, flag in (
                ("棚改计划", community["in_shanty_plan"]),
                ("征收计划", community["in_expropriation_plan"]),
            )
            if flag
        )
        plans_en = " and ".join(
            name
            for name, flag in (
                ("a shanty-town redevelopment plan", community["in_shanty_plan"]),
                ("an expropriation plan", community["in_expropriation_plan"]),
            )
            if flag
        )
        say(
            f"已列入{plans_zh}，由该计划处置，不属于老旧小区改造范围"
            "（范围限于未列入棚改计划、征收计划的小区）。",
            f"Listed in {plans_en}: handled by that plan, outside the renovation "
            "programme (scope is limited to communities in neither plan).",
        )
        return result("excluded")
    say("未列入棚改计划、征收计划。", "Not in a shanty-town or expropriation plan.")

    if tenure != "state":
        say(
            "位于集体土地上：不属于城镇（国有土地上）老旧小区改造范围。",
            "On collective land: outside the urban (state-owned land) programme.",
        )
        return result("not_eligible")
    say("位于国有土地上。", "On state-owned land.")

    if not community.get("repairable", True):
        say(
            "楼房不可维修加固使用：不属于改造范围（范围为可维修加固使用的楼房）。",
            "Buildings cannot be repaired or reinforced for further use: outside "
            "the programme (it covers buildings that can be).",
        )
        return result("not_eligible")
    say("楼房可维修加固使用。", "Buildings can be repaired or reinforced.")

    if housing == "villa":
        if in_block_with_others:
            say(
                "纯别墅小区不单独列入改造范围；作为片区成员与其他小区连片改造，可以纳入。",
                "Pure villa communities are not listed on their own; as a member of "
                "a block with other communities it may be renovated.",
            )
            return Decision("with_others_only", reasons, True, "block", ())
        say(
            "纯别墅小区不单独列入城镇老旧小区改造范围（可与其他小区组成片区连片改造）。",
            "Pure villa communities are not listed on their own in the programme "
            "(they may join a block with other communities).",
        )
        return result("with_others_only", ("block",))
    say("非纯别墅小区。", "Not a pure villa community.")

    if housing in ("resettlement", "affordable"):
        kind_zh, kind_en = (
            ("安置房", "resettlement housing")
            if housing == "resettlement"
            else ("保障房", "affordable housing")
        )
        say(
            f"{kind_zh}小区：改造计划由各地（区县（市））自主确定，须由区县记录决定。",
            f"{kind_en.capitalize()}: the district decides whether and when to "
            "renovate; its decision must be recorded.",
        )
        return result("district_decides", ("district",))

    if year <= cutoff.year:
        say(
            f"{year}年建成交付，属2000年底前建成：优先改造。",
            f"Completed in {year}, by the end of 2000: priority renovation.",
        )
        return result("priority")
    say(
        f"{year}年建成，晚于2000年底：须使用功能不完善、配套设施不完备、公共服务及"
        "社会服务缺项较多且居民改造意愿强烈方可改造。",
        f"Completed in {year}, after 2000: eligible only with incomplete functions "
        "and facilities, many missing services and strong resident will.",
    )
    return _post_2000(community, rules, say, result)


def _post_2000(
    community: Mapping[str, Any],
    rules: Mapping[str, Any],
    say: Callable[..., None],
    result: Callable[..., Decision],
) -> Decision:
    share_min, local_min, local_tier = _post_2000_rules(rules)
    missing = community.get("missing_categories")
    required = community.get("required_categories")
    local = community.get("missing_local")
    if missing is None or not required or local is None:
        say(
            "配套设施缺项未知：请先完成生活圈配套评估。",
            "Missing facilities unknown: run the life-circle assessment first.",
        )
        return result("not_eligible", ("lifecircle",))
    share = Fraction(missing, required)
    if share < share_min:
        say(
            f"必配设施缺{missing}类，占{required}类的{float(share):.0%}，不足"
            f"{float(share_min):.0%}：不属于“公共服务及社会服务缺项较多”。",
            f"{missing} of {required} required categories missing "
            f"({float(share):.0%}), below {float(share_min):.0%}: not 'many gaps'.",
        )
        return result("not_eligible")
    say(
        f"必配设施缺{missing}类，占{required}类的{float(share):.0%}（不少于"
        f"{float(share_min):.0%}）：公共服务及社会服务缺项较多。",
        f"{missing} of {required} required categories missing ({float(share):.0%}, "
        f"at least {float(share_min):.0%}): many gaps.",
    )
    if local < local_min:
        say(
            f"居住街坊及{local_tier}分钟层级的配套设施无缺项：不属于“配套设施不完备”。",
            f"No gap among the block and {local_tier}-minute facilities: its own "
            "facilities are complete.",
        )
        return result("not_eligible")
    say(
        f"居住街坊及{local_tier}分钟层级缺{local}类：配套设施不完备。",
        f"{local} gaps among the block and {local_tier}-minute facilities: its own "
        "facilities are incomplete.",
    )
    will = community.get("residents_will")
    if will == "strong":
        say(
            "业主改造意愿表决已通过：居民改造意愿强烈，可申请改造。",
            "The owners' will vote passed: strong will, eligible on application.",
            "四(二)1",
        )
        return result("on_application")
    if will == "weak":
        say(
            "业主改造意愿表决未通过：居民改造意愿不强烈。",
            "The owners' will vote failed: the will is not strong.",
            "四(二)1",
        )
        return result("not_eligible")
    say(
        "居民改造意愿尚未表决：须经业主改造意愿表决通过后方可纳入。",
        "Residents' will not yet voted: an owners' vote on the will must pass first.",
        "四(二)1",
    )
    return result("not_eligible", ("will_vote",))


def eligibility_table(
    communities: pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    today: dt.date | None = None,
    rules: Mapping[str, Any] | None = None,
    in_block_with_others: Mapping[Any, bool] | None = None,
    recorded: Mapping[Any, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """:func:`assess_eligibility` for every row of a frame, keyed by ``code``.

    Parameters
    ----------
    communities : DataFrame or iterable of Mapping
        One row per community with a ``code`` and the columns of
        :func:`assess_eligibility`; NaN in the optional count columns means
        None.
    today, rules
        As in :func:`assess_eligibility`.
    in_block_with_others, recorded : Mapping, optional
        Per community code: the block context and a recorded decision.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``code``: ``status``, ``eligible`` (bool), ``basis``,
        ``needs`` (tuple) and ``decision`` (the :class:`Decision`).
    """
    frame = (
        communities
        if isinstance(communities, pd.DataFrame)
        else pd.DataFrame(list(communities))
    )
    if "code" not in frame.columns:
        raise ValueError("eligibility_table needs a 'code' column")
    blocks = in_block_with_others or {}
    decisions = recorded or {}
    out = []
    for rec in frame.to_dict("records"):
        row: dict[str, Any] = {
            str(k): (None if _is_nan(v) else v) for k, v in rec.items()
        }
        for key in ("missing_categories", "required_categories", "missing_local"):
            if row.get(key) is not None:
                row[key] = int(row[key])
        for key in ("in_shanty_plan", "in_expropriation_plan", "repairable"):
            if key in row and row[key] is not None:
                row[key] = bool(row[key])
        if "completion_year" in row and row["completion_year"] is not None:
            row["completion_year"] = int(row["completion_year"])
        code = row["code"]
        out.append(
            assess_eligibility(
                row,
                today=today,
                rules=rules,
                in_block_with_others=bool(blocks.get(code, False)),
                recorded=decisions.get(code),
            )
        )
    return pd.DataFrame(
        {
            "status": [d.status for d in out],
            "eligible": [d.eligible for d in out],
            "basis": [d.basis for d in out],
            "needs": [d.needs for d in out],
            "decision": out,
        },
        index=pd.Index(frame["code"].to_list(), name="code"),
    )


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and value != value
