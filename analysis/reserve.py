"""Project reserve pool, annual plan and programme progress (四(二)4, 一(二)).

四(二)4: projects enter a reserve pool run on the principle 谋划一批、生成一批、
实施一批、储备一批; the district housing department scores and ranks them by the
project evaluation rules (评价规则) and the district government fixes the annual
plan before the end of October (每年10月底前).

一(二): from 2020, within three years (2020–2022, kept as dated data in
``fixtures/programme/programme_period.json``), basically finish the city's renovation
task; :func:`programme_progress` measures progress against targets.

The scoring rules are data (``fixtures/programme/scoring_rules.json``) with an
effective date; the points there are illustrative, the draft gives none.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, cast

import pandas as pd

from analysis.eligibility import select_in_force

__all__ = [
    "ANNUAL_PLAN_CLAUSE",
    "BATCHES",
    "PlanLockedError",
    "RENOVATED_STAGES",
    "RESERVE_SUB_STATUSES",
    "annual_plan_deadline",
    "check_plan_editable",
    "programme_progress",
    "score_projects",
]

ANNUAL_PLAN_CLAUSE: Final = "四(二)4"
#: 谋划一批、生成一批、实施一批、储备一批: the four batches of the pool principle. A
#: project's batch follows from its stage (:func:`analysis.stages.batch_of`):
#: 谋划 = being prepared (application to district review), 生成/储备 = in the pool,
#: 实施 = in the annual plan or under construction.
BATCHES: Final[dict[str, str]] = {
    "conceived": "谋划",
    "generated": "生成",
    "implementing": "实施",
    "reserved": "储备",
}
#: The sub-statuses a project holds *inside* the pool: ready for an annual plan (生成)
#: or kept for a later year (储备). 实施 is not one: implemented projects have left
#: the pool for the annual plan.
RESERVE_SUB_STATUSES: Final[dict[str, str]] = {
    "generated": "生成",
    "reserved": "储备",
}
#: Public stages (DATA_MODEL.md) that count as "renovated" for 一(二).
RENOVATED_STAGES: Final[tuple[str, ...]] = ("accepted", "handed_over", "post_evaluated")


class PlanLockedError(ValueError):
    """The annual plan is fixed (after 31 October) and was not reopened."""


def annual_plan_deadline(year: int) -> dt.date:
    """Day by which the district fixes the annual plan of ``year`` (四(二)4).

    "属地政府于每年10月底前统筹确定年度老旧小区改造项目实施计划": the plan of a year
    is fixed by the end of October *before* it, so that it can be built in that
    year (the plan of 2022 by 31 October 2021).

    Parameters
    ----------
    year : int
        The year the plan is for (projects built in that year).
    """
    if isinstance(year, bool) or not isinstance(year, int) or not 1901 <= year <= 9999:
        raise ValueError(f"year must be an int between 1901 and 9999, got {year!r}")
    return dt.date(year - 1, 10, 31)


def check_plan_editable(year: int, today: dt.date, reopened: bool = False) -> None:
    """Raise if the annual plan of ``year`` can no longer be edited (四(二)4).

    The plan is editable until its deadline (31 October of the year before,
    inclusive); after that only if the district government explicitly reopened
    it. The deadline is about *editing* the plan: the projects of a plan fixed
    on time go on to construction on any day.

    Raises
    ------
    PlanLockedError
        (a ``ValueError``) if ``today`` is after the deadline and ``reopened``
        is False.
    """
    if not isinstance(today, dt.date):
        raise TypeError("today must be a datetime.date")
    deadline = annual_plan_deadline(year)
    if today > deadline and not reopened:
        raise PlanLockedError(
            f"the {year} annual plan had to be fixed by {deadline.isoformat()} "
            f"(四(二)4: 每年10月底前确定) and is locked on {today.isoformat()}; "
            "the district government must reopen it, with its reason, before it "
            "can be edited"
        )


def _frame(rows: Iterable[Mapping[str, Any]] | pd.DataFrame, what: str) -> pd.DataFrame:
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if frame.empty:
        raise ValueError(f"{what}: no rows")
    return frame


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = sorted(set(columns) - set(frame.columns))
    if missing:
        raise ValueError(f"{what}: missing column(s) {missing}")


def _number(value: Any, *, code: str, column: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"project {code}: {column} must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"project {code}: {column} must be a number") from exc
    if not math.isfinite(number):
        raise ValueError(f"project {code}: {column} is missing or not finite")
    if number < 0:
        raise ValueError(f"project {code}: {column} must not be negative")
    return number


def _points(criterion: Mapping[str, Any], row: Mapping[str, Any], code: str) -> float:
    kind = criterion["kind"]
    column = str(criterion.get("column"))
    if kind == "bands":
        value = _number(row[column], code=code, column=column)
        bands = sorted(criterion["bands"], key=lambda b: -float(b["min"]))
        return next(
            (float(b["points"]) for b in bands if value >= float(b["min"])), 0.0
        )
    if kind == "linear":
        total = sum(
            float(w) * _number(row[col], code=code, column=col)
            for col, w in criterion["weights"].items()
        )
        cap = criterion.get("cap")
        return min(total, float(cap)) if cap is not None else total
    if kind == "map":
        value = row[column]
        if value not in criterion["points"]:
            raise ValueError(
                f"project {code}: {column}={value!r} not one of "
                f"{sorted(criterion['points'])}"
            )
        return float(criterion["points"][value])
    if kind == "bool":
        value = row[column]
        if not isinstance(value, bool | int) or value not in (0, 1):
            raise ValueError(f"project {code}: {column} must be a bool")
        return float(criterion["points"]) if value else 0.0
    raise ValueError(
        f"scoring criterion {criterion.get('code')}: unknown kind {kind!r}"
    )


def _criterion_columns(criterion: Mapping[str, Any]) -> list[str]:
    if criterion["kind"] == "linear":
        return list(criterion["weights"])
    return [criterion["column"]]


def score_projects(
    rows: Iterable[Mapping[str, Any]] | pd.DataFrame,
    scoring_rules: Mapping[str, Any],
    *,
    as_of: dt.date,
) -> pd.DataFrame:
    """Score and rank reserve-pool projects per district (四(二)4).

    Parameters
    ----------
    rows : iterable of Mapping or DataFrame
        One row per project: ``code``, ``district_code``, and the columns the
        criteria use — by default ``completion_year`` (or ``building_age``),
        ``dangerous_c``, ``dangerous_d``, ``will_consent_ratio`` (0–1, from
        the will vote), ``missing_categories``, ``cofunding_share`` (0–1,
        the non-government share of the basic and improvement works,
        :func:`analysis.funding.cofunding_share`), ``property_management``
        (``none``/``self``/``committed``/``professional``), ``in_block``
        (bool, part of a contiguous block 连片改造).
    scoring_rules : Mapping
        Parsed ``scoring_rules.json``; the version in force on ``as_of`` is used.
    as_of : datetime.date
        Scoring day: selects the rules and gives building age
        (``as_of.year - completion_year``).

    Returns
    -------
    pandas.DataFrame
        ``code``, ``district_code``, one ``pts_<criterion>`` column per
        criterion, ``total``, ``rank`` (1 = first within its district), sorted
        by district then rank. Ties break on building age, then code. The
        input is not modified. ``attrs["rules_version"]`` and
        ``attrs["clauses"]`` (criterion → clause) record the rules used.

    Raises
    ------
    ValueError
        No rows, missing columns, duplicate codes, negative or missing values,
        ratios outside [0, 1], unknown categories, no rules in force.
    """
    version = select_in_force(scoring_rules, as_of)
    criteria = version["criteria"]
    frame = _frame(rows, "score_projects")
    _require(frame, ("code", "district_code"), "score_projects")
    if frame["code"].duplicated().any():
        dupes = sorted(frame.loc[frame["code"].duplicated(), "code"].astype(str))
        raise ValueError(f"score_projects: duplicate project code(s) {dupes}")
    if "building_age" not in frame.columns:
        _require(frame, ("completion_year",), "score_projects")
        years = [
            _number(y, code=str(c), column="completion_year")
            for c, y in zip(frame["code"], frame["completion_year"])
        ]
        if any(y > as_of.year for y in years):
            raise ValueError("score_projects: completion_year after the scoring year")
        frame["building_age"] = [as_of.year - y for y in years]
    needed = {col for crit in criteria for col in _criterion_columns(crit)}
    _require(frame, needed, "score_projects")
    for col in ("will_consent_ratio", "cofunding_share"):
        if col in frame.columns and ((frame[col] < 0) | (frame[col] > 1)).any():
            raise ValueError(f"score_projects: {col} must be between 0 and 1")

    records = frame.to_dict("records")
    out = pd.DataFrame(
        {"code": frame["code"].to_numpy(), "district_code": frame["district_code"]}
    )
    for crit in criteria:
        out[f"pts_{crit['code']}"] = [
            _points(crit, {str(k): v for k, v in rec.items()}, str(rec["code"]))
            for rec in records
        ]
    pts_cols = [f"pts_{crit['code']}" for crit in criteria]
    out["total"] = out[pts_cols].sum(axis=1)
    out["_age"] = frame["building_age"].to_numpy()
    out = out.sort_values(
        ["district_code", "total", "_age", "code"],
        ascending=[True, False, False, True],
        kind="mergesort",
    )
    out["rank"] = out.groupby("district_code").cumcount() + 1
    out = out.drop(columns="_age").reset_index(drop=True)
    out.attrs["rules_version"] = str(version.get("id", ""))
    out.attrs["clauses"] = {c["code"]: c["clause"] for c in criteria}
    out.attrs["clause"] = ANNUAL_PLAN_CLAUSE
    return out


def _target(value: Any, district: str, year: int) -> tuple[int, int | None]:
    if isinstance(value, Mapping):
        comm, hh = value.get("communities"), value.get("households")
    else:
        comm, hh = value, None
    for name, v in (("communities", comm), ("households", hh)):
        if v is None and name == "households":
            continue
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ValueError(
                f"target {district}/{year}: {name} must be a non-negative int"
            )
    return cast(int, comm), cast(int | None, hh)


def programme_progress(
    communities: Iterable[Mapping[str, Any]] | pd.DataFrame,
    targets: Mapping[str, Mapping[int, Any]],
    *,
    through_year: int,
    years: Sequence[int],
) -> pd.DataFrame:
    """Progress of the three-year programme per district and city-wide (一(二)).

    Parameters
    ----------
    communities : iterable of Mapping or DataFrame
        Community rows: ``district_code``, ``stage`` (public stage of
        DATA_MODEL.md), ``households``; optional ``renovated_year`` (year of
        completion acceptance; rows outside ``years[0]..through_year`` are not
        counted, null counts as inside), ``dangerous_c``/``dangerous_d``
        (dangerous buildings remaining), ``dangerous_cleared``,
        ``lifts_installed``, ``facilities_added`` (ints, default 0).
    targets : Mapping
        ``{district_code: {year: n_communities}}`` or
        ``{district_code: {year: {"communities": n, "households": m}}}``.
    through_year : int
        Count targets and renovations up to this year.
    years : sequence of int
        The programme's years (``programme_period.json`` in force: 2020–2022
        for the action plan's three years, 一(二)).

    Returns
    -------
    pandas.DataFrame
        Indexed by district code plus a final ``"city"`` row: target and
        renovated communities and households, ``communities_pct`` (renovated /
        target × 100, NaN without target), dangerous buildings cleared and
        remaining, lifts installed, facilities added.

    Raises
    ------
    ValueError
        Missing columns, unknown stage, negative counts, malformed targets.
    """
    frame = _frame(communities, "programme_progress")
    _require(frame, ("district_code", "stage", "households"), "programme_progress")
    known_stages = (
        "not_started",
        "applied",
        "planned",
        "in_reserve",
        "in_annual_plan",
        "under_construction",
        *RENOVATED_STAGES,
    )
    bad = sorted(set(frame["stage"]) - set(known_stages))
    if bad:
        raise ValueError(f"programme_progress: unknown stage(s) {bad}")
    counts = (
        "households",
        "dangerous_c",
        "dangerous_d",
        "dangerous_cleared",
        "lifts_installed",
        "facilities_added",
    )
    for col in counts:
        if col not in frame.columns:
            frame[col] = 0
        frame[col] = frame[col].fillna(0)
        if (frame[col] < 0).any():
            raise ValueError(f"programme_progress: {col} must not be negative")
    renovated = frame["stage"].isin(RENOVATED_STAGES)
    if "renovated_year" in frame.columns:
        ry = frame["renovated_year"]
        renovated &= ry.isna() | ((ry >= years[0]) & (ry <= through_year))
    frame["_ren"] = renovated.astype(int)
    frame["_ren_hh"] = frame["households"].where(renovated, 0)
    frame["_remaining"] = frame["dangerous_c"] + frame["dangerous_d"]

    districts = sorted(set(frame["district_code"].astype(str)) | set(targets))
    rows = []
    for d in districts:
        sub = frame[frame["district_code"].astype(str) == d]
        t_comm, t_hh, any_hh = 0, 0, False
        for year, value in targets.get(d, {}).items():
            if int(year) not in years or int(year) > through_year:
                continue
            comm, hh = _target(value, d, int(year))
            t_comm += comm
            if hh is not None:
                t_hh, any_hh = t_hh + hh, True
        rows.append(
            {
                "district_code": d,
                "target_communities": t_comm,
                "renovated_communities": int(sub["_ren"].sum()),
                "target_households": t_hh if any_hh else None,
                "renovated_households": int(sub["_ren_hh"].sum()),
                "dangerous_cleared": int(sub["dangerous_cleared"].sum()),
                "dangerous_remaining": int(sub["_remaining"].sum()),
                "lifts_installed": int(sub["lifts_installed"].sum()),
                "facilities_added": int(sub["facilities_added"].sum()),
            }
        )
    out = pd.DataFrame(rows).set_index("district_code")
    city = out.sum(numeric_only=True)
    city["target_households"] = (
        out["target_households"].sum()
        if out["target_households"].notna().any()
        else None
    )
    out.loc["city"] = city
    out["target_households"] = out["target_households"].astype(float)
    out["communities_pct"] = [
        100.0 * r / t if t else math.nan
        for r, t in zip(out["renovated_communities"], out["target_communities"])
    ]
    out.attrs["clause"] = "一(二)"
    out.attrs["through_year"] = through_year
    return out
