"""Scope rules of the renovation programme (二(一)), as pure functions.

Source: Ningbo draft action plan for renovating old urban residential communities
(城镇老旧小区改造行动方案, 征求意见稿), clause 二(一) 改造范围::

    优先改造国有土地上2000年底前建成交付且未列入棚改计划、征收计划的老旧小区和
    可维修加固使用的楼房。2000年后建成的使用功能不完善、配套设施不完备、公共服务及
    社会服务缺项较多且居民改造意愿强烈的住宅小区，也可进行城镇老旧小区改造。全市
    安置房、保障房小区改造计划由各地自主确定。纯别墅小区不单独列入城镇老旧小区改造范围。

:func:`assess_eligibility` turns one community (the columns of ``docs/DATA_MODEL.md``
plus two optional inputs) into a :class:`Decision` with one of five statuses and a
line-by-line explanation, every line citing its clause.

This module also holds the two primitives shared by the other programme modules
(``funding``, ``votes``, ``stages``, ``reserve``, ``maintenance``): :class:`Reason`
(one explained, cited line) and :func:`select_in_force` (pick the version of a data
file that is in force on a date). No Django, no file or settings access: the caller
loads ``fixtures/programme/*.json`` and passes plain mappings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

__all__ = [
    "CLAUSE_SCOPE",
    "Decision",
    "EligibilityStatus",
    "HOUSING_TYPES",
    "LAND_TENURES",
    "PRIORITY_CUTOFF",
    "Reason",
    "STATUSES",
    "WILL_VALUES",
    "assess_eligibility",
    "select_in_force",
]

CLAUSE_SCOPE: Final = "二(一)"
#: "2000年底前建成交付": completed and delivered on or before this day.
PRIORITY_CUTOFF: Final = dt.date(2000, 12, 31)

EligibilityStatus = Literal[
    "priority", "on_application", "district_decides", "excluded", "not_eligible"
]
STATUSES: Final[tuple[str, ...]] = (
    "priority",
    "on_application",
    "district_decides",
    "excluded",
    "not_eligible",
)
LAND_TENURES: Final[tuple[str, ...]] = ("state", "collective")
HOUSING_TYPES: Final[tuple[str, ...]] = (
    "commodity",
    "work_unit",
    "resettlement",
    "affordable",
    "villa",
    "mixed",
)
#: Residents' will (居民改造意愿) for post-2000 communities; ``None`` = not known yet.
WILL_VALUES: Final[tuple[str | None, ...]] = ("strong", "weak", None)
#: Earliest completion year accepted as plausible input.
MIN_COMPLETION_YEAR: Final = 1900


@dataclass(frozen=True)
class Reason:
    """One line of an explanation, traceable to a clause of the policy.

    Parameters
    ----------
    clause : str
        Clause of the action plan (``"二(一)"``, ``"三(一)"``…) or of a law
        (``"民法典第278条"``).
    text_zh : str
        The line in Chinese.
    text_en : str
        The same line in English.
    """

    clause: str
    text_zh: str
    text_en: str


@dataclass(frozen=True)
class Decision:
    """Eligibility of one community under 二(一).

    Parameters
    ----------
    status : str
        One of :data:`STATUSES`.
    reasons : list of Reason
        The checks made, in order, each citing its clause.
    """

    status: EligibilityStatus
    reasons: list[Reason] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        """True for ``priority`` and ``on_application`` (in scope of the programme)."""
        return self.status in ("priority", "on_application")


def select_in_force(data: Mapping[str, Any], on: dt.date) -> Mapping[str, Any]:
    """Return the version of a programme data file that is in force on ``on``.

    Parameters
    ----------
    data : Mapping
        Either a mapping with a ``"versions"`` list, each version carrying
        ``effective_from`` (ISO date) and ``effective_to`` (ISO date or null,
        inclusive), or a single version with those two keys.
    on : datetime.date
        The day for which the rule is wanted.

    Returns
    -------
    Mapping
        The unique version whose period contains ``on``.

    Raises
    ------
    ValueError
        If no version, or more than one, is in force on ``on``.
    """
    if not isinstance(on, dt.date):
        raise TypeError(f"'on' must be a datetime.date, got {type(on).__name__}")
    versions: Sequence[Mapping[str, Any]]
    versions = data.get("versions", [data])
    hits = []
    for version in versions:
        try:
            start = dt.date.fromisoformat(str(version["effective_from"]))
        except (KeyError, ValueError) as exc:
            raise ValueError(
                f"rule version {version.get('id', '?')!r} needs an ISO "
                "'effective_from' date"
            ) from exc
        end_raw = version.get("effective_to")
        end = dt.date.fromisoformat(str(end_raw)) if end_raw else dt.date.max
        if end < start:
            raise ValueError(
                f"rule version {version.get('id', '?')!r} ends ({end}) before it "
                f"starts ({start})"
            )
        if start <= on <= end:
            hits.append(version)
    if not hits:
        raise ValueError(f"no rule version is in force on {on.isoformat()}")
    if len(hits) > 1:
        ids = ", ".join(str(v.get("id", "?")) for v in hits)
        raise ValueError(f"several rule versions are in force on {on}: {ids}")
    return hits[0]


def _validate(
    community: Mapping[str, Any], today: dt.date, min_missing_categories: int
) -> None:
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
    repairable = community.get("repairable", True)
    if not isinstance(repairable, bool):
        raise ValueError(f"community {code}: repairable must be a bool")
    missing = community.get("missing_categories")
    if missing is not None and (
        isinstance(missing, bool) or not isinstance(missing, int) or missing < 0
    ):
        raise ValueError(
            f"community {code}: missing_categories must be a non-negative int or "
            f"None, got {missing!r}"
        )
    if community.get("residents_will") not in WILL_VALUES:
        raise ValueError(
            f"community {code}: residents_will must be one of {WILL_VALUES}, got "
            f"{community.get('residents_will')!r}"
        )
    if min_missing_categories < 1:
        raise ValueError("min_missing_categories must be at least 1")


def assess_eligibility(
    community: Mapping[str, Any],
    *,
    today: dt.date | None = None,
    min_missing_categories: int = 3,
) -> Decision:
    """Decide whether a community is in scope of the programme (二(一)).

    Rules, checked in this order (the first that decides wins; every check made
    is reported):

    1. pure villa community (``housing_type == "villa"``) → ``excluded``
       (纯别墅小区不单独列入).
    2. listed in a shanty-town (棚改) or expropriation (征收) plan → ``excluded``:
       the community is handled by that plan, not by renovation.
    3. resettlement (安置房) or affordable (保障房) housing → ``district_decides``
       (各地自主确定): a flag for the district, never automatic.
    4. collective land → ``not_eligible`` (the programme covers urban
       communities on state-owned land).
    5. buildings that cannot be repaired or reinforced (``repairable=False``)
       → ``not_eligible`` (only 可维修加固使用的楼房).
    6. completed in or before 2000 → ``priority``.
    7. completed after 2000 with at least ``min_missing_categories`` missing
       life-circle categories and a will that is not known to be weak →
       ``on_application``; if the will is not known yet the decision says that
       an owners' vote (四(二)1) must confirm it.
    8. otherwise → ``not_eligible``.

    Parameters
    ----------
    community : Mapping
        Columns of ``docs/DATA_MODEL.md``: ``completion_year`` (int),
        ``land_tenure`` (``state``/``collective``), ``housing_type``,
        ``in_shanty_plan`` (bool), ``in_expropriation_plan`` (bool); optional
        ``code``; optional ``repairable`` (bool, default True);
        ``missing_categories`` (int or None: life-circle facility categories
        missing within reach, e.g. from the 15-minute coverage analysis);
        ``residents_will`` (``"strong"``, ``"weak"`` or None = not known).
    today : datetime.date, optional
        Reference day for the "completion year in the future" check; default
        :func:`datetime.date.today`.
    min_missing_categories : int, default 3
        How many missing categories count as "缺项较多". The draft gives no
        number; 3 is an illustrative default that a planner should confirm.

    Returns
    -------
    Decision

    Raises
    ------
    ValueError
        On a missing column, unknown tenure or housing type, a completion year
        in the future or before 1900, or a mistyped optional input.
    """
    today = today or dt.date.today()
    _validate(community, today, min_missing_categories)
    c = CLAUSE_SCOPE
    year: int = community["completion_year"]
    tenure: str = community["land_tenure"]
    housing: str = community["housing_type"]
    reasons: list[Reason] = []

    def say(zh: str, en: str) -> None:
        reasons.append(Reason(c, zh, en))

    if housing == "villa":
        say(
            "纯别墅小区不单独列入城镇老旧小区改造范围。",
            "Pure villa communities are not listed on their own in the programme.",
        )
        return Decision("excluded", reasons)
    say("非纯别墅小区。", "Not a pure villa community.")

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
        return Decision("excluded", reasons)
    say("未列入棚改计划、征收计划。", "Not in a shanty-town or expropriation plan.")

    if housing in ("resettlement", "affordable"):
        kind_zh, kind_en = (
            ("安置房", "resettlement housing")
            if housing == "resettlement"
            else ("保障房", "affordable housing")
        )
        say(
            f"{kind_zh}小区：改造计划由各地（区县（市））自主确定。",
            f"{kind_en.capitalize()}: the district decides whether and when to "
            "renovate.",
        )
        return Decision("district_decides", reasons)

    if tenure != "state":
        say(
            "位于集体土地上：不属于城镇（国有土地上）老旧小区改造范围。",
            "On collective land: outside the urban (state-owned land) programme.",
        )
        return Decision("not_eligible", reasons)
    say("位于国有土地上。", "On state-owned land.")

    if not community.get("repairable", True):
        say(
            "楼房不可维修加固使用：不属于改造范围（范围为可维修加固使用的楼房）。",
            "Buildings cannot be repaired or reinforced for further use: outside "
            "the programme (it covers buildings that can be).",
        )
        return Decision("not_eligible", reasons)

    if year <= PRIORITY_CUTOFF.year:
        say(
            f"{year}年建成交付，属2000年底前建成：优先改造。",
            f"Completed in {year}, by the end of 2000: priority renovation.",
        )
        return Decision("priority", reasons)
    say(
        f"{year}年建成，晚于2000年底：须使用功能不完善、配套缺项较多且居民改造意愿"
        "强烈方可改造。",
        f"Completed in {year}, after 2000: eligible only with incomplete functions, "
        "many missing facilities and strong resident will.",
    )

    missing = community.get("missing_categories")
    if missing is None:
        say(
            "配套设施缺项数未知：无法判定，请先完成生活圈配套评估。",
            "Number of missing facility categories unknown: run the life-circle "
            "assessment first.",
        )
        return Decision("not_eligible", reasons)
    if missing < min_missing_categories:
        say(
            f"配套设施缺项{missing}类，少于{min_missing_categories}类，不属于"
            "“缺项较多”。",
            f"{missing} facility categories missing, fewer than "
            f"{min_missing_categories}: not 'many gaps'.",
        )
        return Decision("not_eligible", reasons)
    say(
        f"配套设施缺项{missing}类（不少于{min_missing_categories}类），属于"
        "“缺项较多”。",
        f"{missing} facility categories missing (at least "
        f"{min_missing_categories}): many gaps.",
    )

    will = community.get("residents_will")
    if will == "weak":
        say(
            "居民改造意愿不强烈。",
            "Residents' will to renovate is not strong.",
        )
        return Decision("not_eligible", reasons)
    if will == "strong":
        say(
            "居民改造意愿强烈：可申请改造。",
            "Residents strongly want renovation: eligible on application.",
        )
    else:
        reasons.append(
            Reason(
                "四(二)1",
                "居民改造意愿尚未确认：须经业主改造意愿表决通过后提出申请。",
                "Residents' will not yet known: an owners' vote on the will must "
                "pass before the application.",
            )
        )
    return Decision("on_application", reasons)
