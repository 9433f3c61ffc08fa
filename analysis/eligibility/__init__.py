"""Scope rules of the renovation programme (二(一)), as pure functions.

Source: Ningbo draft action plan for renovating old urban residential communities
(城镇老旧小区改造行动方案, 征求意见稿), clause 二(一) 改造范围::

    优先改造国有土地上2000年底前建成交付且未列入棚改计划、征收计划的老旧小区和
    可维修加固使用的楼房。2000年后建成的使用功能不完善、配套设施不完备、公共服务及
    社会服务缺项较多且居民改造意愿强烈的住宅小区，也可进行城镇老旧小区改造。全市
    安置房、保障房小区改造计划由各地自主确定。纯别墅小区不单独列入城镇老旧小区改造范围。

:func:`assess_eligibility` is **the** definition of the scope: projects, the reserve
pool, the annual plan, bundling and the public targets all call it (one community
at a time, or :func:`eligibility_table` for a frame). It turns one community (the
columns of ``docs/DATA_MODEL.md`` plus the life-circle gaps, the residents' will and
any recorded decision) into a :class:`Decision` with a status, whether the
community may be renovated (``eligible``) and on what basis, and a line-by-line
explanation, every line citing its clause.

This module also holds the two primitives shared by the other programme modules
(``funding``, ``votes``, ``stages``, ``reserve``, ``maintenance``): :class:`Reason`
(one explained, cited line) and :func:`select_in_force` (pick the version of a data
file that is in force on a date). No Django, no file or settings access: the caller
loads ``fixtures/programme/*.json`` and passes plain mappings."""

from __future__ import annotations

from analysis.eligibility.assess import assess_eligibility, eligibility_table
from analysis.eligibility.dated import select_in_force
from analysis.eligibility.decision import (
    BASES,
    CLAUSE_SCOPE,
    DEFAULT_SCOPE_RULES,
    ELIGIBLE_STATUSES,
    HOUSING_TYPES,
    LAND_TENURES,
    MIN_COMPLETION_YEAR,
    PRIORITY_CUTOFF,
    RECORDED_KINDS,
    STATUSES,
    WILL_VALUES,
    Decision,
    EligibilityStatus,
    Reason,
)

__all__ = [
    "BASES",
    "CLAUSE_SCOPE",
    "DEFAULT_SCOPE_RULES",
    "Decision",
    "ELIGIBLE_STATUSES",
    "EligibilityStatus",
    "HOUSING_TYPES",
    "LAND_TENURES",
    "MIN_COMPLETION_YEAR",
    "PRIORITY_CUTOFF",
    "RECORDED_KINDS",
    "Reason",
    "STATUSES",
    "WILL_VALUES",
    "assess_eligibility",
    "eligibility_table",
    "select_in_force",
]
