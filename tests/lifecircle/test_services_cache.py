"""The in-process caches of the life-circle service follow every change to the layers."""

import pytest
from django.conf import settings
from django.contrib.gis.geos import LineString

from accounts.permissions import SYSTEM
from layers import models
from lifecircle import services as lifecircle
from lifecircle.models import CoverageResult
from tests.lifecircle import city as lifecircle_city

pytestmark = pytest.mark.django_db


def test_second_run_uses_the_cache_and_gives_the_same_results():
    lifecircle_city.build()
    lifecircle.cache_clear()
    first = lifecircle.lifecircle_run(user=SYSTEM)
    second = lifecircle.lifecircle_run(user=SYSTEM)
    assert first.summary["cache"] == {"network": False, "amenities": False}
    assert second.summary["cache"] == {"network": True, "amenities": True}

    def rows(run):
        return sorted(
            CoverageResult.objects.filter(run=run).values_list(
                "community__code", "score", "distances_m", "tiers_met", "missing"
            )
        )

    assert rows(first) == rows(second)


def test_an_update_without_updated_at_still_invalidates_the_network():
    lifecircle_city.build()
    lifecircle.cache_clear()
    run = lifecircle.lifecircle_run(user=SYSTEM)
    a = CoverageResult.objects.get(run=run, community__code="A")
    assert a.distances_m["kindergarten"] == pytest.approx(210, abs=0.5)
    # cut the street between A and the kindergarten (QuerySet.update leaves updated_at)
    seg = models.WalkSegment.objects.get(code="seg1")
    x, y = seg.geom.coords[0]
    models.WalkSegment.objects.filter(code="seg1").update(
        geom=LineString((x, y + 500), (x + 100, y + 500), srid=settings.SRID)
    )
    again = lifecircle.lifecircle_run(user=SYSTEM)
    assert again.summary["cache"]["network"] is False
    a = CoverageResult.objects.get(run=again, community__code="A")
    # the only street to the kindergarten is gone: out of reach (stored as null)
    assert a.distances_m["kindergarten"] is None
