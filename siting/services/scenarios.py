"""What-if scenarios: chosen sites as new facilities in a life-circle what-if."""

from __future__ import annotations

from typing import Any

from accounts import permissions
from lifecircle import services as lc
from runs.models import AnalysisRun
from siting.models import CandidateKind, SitingCandidateResult, SitingScenario


# ---------------------------------------------------------------------------
# scenarios
# ---------------------------------------------------------------------------
def scenario_create(
    *,
    run: AnalysisRun,
    method: str = "exact",
    name: str = "",
    notes: str = "",
    user=None,
) -> SitingScenario:
    """Save the greedy or exact recommendation of a finished siting run as a scenario."""
    permissions.check_analysis(user, run.parameters.get("districts"), "保存选址方案")
    if run.kind != AnalysisRun.Kind.SITING or run.status != AnalysisRun.Status.DONE:
        msg = f"run {run.pk} is not a finished siting run"
        raise ValueError(msg)
    if method not in SitingScenario.Method.values:
        msg = f"method must be 'greedy' or 'exact', got {method!r}"
        raise ValueError(msg)
    flag = {"greedy": "chosen_greedy", "exact": "chosen_exact"}[method]
    chosen = [
        {"category": c, "candidate_kind": kind, "candidate_code": code}
        for c, kind, code in SitingCandidateResult.objects.filter(
            run=run, **{flag: True}
        )
        .order_by("category", "rank")
        .values_list("category", "candidate_kind", "candidate_code")
    ]
    if not chosen:
        msg = (
            f"run {run.pk} has no {method} recommendation (method not run, or no site "
            "adds coverage)"
        )
        raise ValueError(msg)
    cats = ", ".join(dict.fromkeys(c["category"] for c in chosen))
    return SitingScenario.objects.create(
        name=(name or f"选址方案 #{run.pk} {cats} ({method})")[:128],
        run=run,
        method=method,
        chosen=chosen,
        notes=notes,
        created_by=permissions.user_of(user),
    )


def scenario_what_if(scenario: SitingScenario) -> dict[str, Any]:
    """Coverage before/after the scenario's sites, per category, via ``lifecircle_what_if``."""
    lc_pk = scenario.run.parameters.get("lifecircle_run")
    try:
        lc_run = AnalysisRun.objects.get(pk=lc_pk)
    except AnalysisRun.DoesNotExist:
        msg = f"the life-circle run {lc_pk} of this scenario no longer exists"
        raise ValueError(msg) from None
    by_cat: dict[str, dict[str, list[str]]] = {}
    for c in scenario.chosen:
        d = by_cat.setdefault(c["category"], {"idle_land": [], "vacant_housing": []})
        d[c["candidate_kind"]].append(c["candidate_code"])
    results = []
    for cat, d in by_cat.items():
        results.append(
            lc.lifecircle_what_if(
                run=lc_run,
                idle_land=d["idle_land"],
                vacant_housing=d["vacant_housing"],
                category=cat,
            )
        )
    newly: dict[str, int] = {}
    changed: dict[str, dict] = {}
    for r in results:
        newly.update(r["residents_newly_covered"])
        for row in r["changed"]:
            changed.setdefault(row["code"], row)
    return {
        "scenario": scenario.pk,
        "run": scenario.run.pk,
        "lifecircle_run": lc_run.pk,
        "method": scenario.method,
        "categories": list(by_cat),
        "communities_newly_covered": len(changed),
        "residents_newly_covered": newly,
        "by_category": results,
    }


def candidate_kind_label(kind: str) -> str:
    return str(CandidateKind(kind).label)
