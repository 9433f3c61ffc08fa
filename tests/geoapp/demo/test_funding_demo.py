"""Demo projects with mixed funding and utilities (geoapp.demo.generator.funding,
geoapp.demo.load.programme_load): deterministic, realistic, mostly reconciled."""

from __future__ import annotations

from collections import Counter

import pytest

from geoapp.demo import load
from geoapp.demo.generator import generate_city
from geoapp.demo.generator.funding import project_plans
from programme import services
from programme.models import FundingSource, Project, ProjectUtility

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def small_city():
    return generate_city(seed=5, scale="small")


def test_plans_are_deterministic_and_mixed(small_city) -> None:
    a = project_plans(small_city.communities, seed=5)
    b = project_plans(small_city.communities, seed=5)
    assert a == b and len(a) >= 20
    assert project_plans(small_city.communities, seed=6) != a
    quirks = Counter(p.quirk for p in a)
    assert quirks[""] > len(a) * 0.6 and quirks["missing"] + quirks["owners_extra"] > 0
    assert all(sum(u.share for u in p.utilities) == 0.5 for p in a)
    assert len({len(p.utilities) for p in a}) > 1  # not every utility everywhere


def test_loaded_projects_reconcile_with_their_split(small_city) -> None:
    load.city_load(small_city, source="demo:test")
    counts = load.programme_load(small_city, seed=5)
    # beside the projects the special works demo made (one project per community)
    assert counts["projects"] >= 20
    assert (
        counts["projects"] + len(small_city.renovation_projects)
        == Project.objects.count()
    )
    assert (
        Project.objects.values("community").distinct().count()
        == Project.objects.count()
    )
    assert counts["funding_sources"] == FundingSource.objects.count()
    assert ProjectUtility.objects.values("project").distinct().count() >= 20
    sources = set(FundingSource.objects.values_list("source", flat=True))
    assert {
        "central_special",
        "city_subsidy",
        "district_special",
        "utilities",
    } <= sources
    assert {"provident_fund", "owners_direct"} <= sources
    status = Counter()
    # the projects with money by source (the special works demo's have none)
    funded = Project.objects.filter(funding_sources__isnull=False).distinct()
    assert funded.count() == counts["projects"]
    for p in funded.select_related("district", "community"):
        r = services.project_sources_status(project=p).reconciliation
        assert r is not None
        status[r.status] += 1
        # the utilities' row always equals their recorded amounts
        assert all(c.severity == "ok" for c in r.checks if c.key == "utilities_rows")
        if p.district.code == "330213":  # Fenghua: no city subsidy
            assert not p.funding_sources.filter(source="city_subsidy").exists()
    assert status["ok"] > sum(status.values()) * 0.6
    assert status["error"] >= 1 and status["warning"] >= 1
    # reloading clears the old projects first
    load.programme_clear()
    assert not Project.objects.exists() and not FundingSource.objects.exists()
