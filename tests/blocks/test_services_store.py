"""How a bundling run stores its blocks (``blocks.services.bundling._store``), on real PostGIS.

The store is set-based (bulk inserts and updates, one query for the nearby plots of
all outlines). These tests pin what it must keep from the row-by-row version:

- one history row per new block (``+``), superseded block (``~``) and carried
  locked block (``~``), with the user and the reason; none for memberships;
- nearby plots equal to a plain per-block ``dwithin`` query (:func:`_nearby`);
- totals equal to the per-block pandas formulas;
- all or nothing: a failure late in the store leaves the database as it was;
- the number of queries does not grow with the number of blocks.

Layouts (cells of the conftest grid: 100 m squares, 120 m pitch, 20 m streets)::

    pairs:   row 2k: # #   (k = 0 … n-1, rows 240 m apart: one block per pair)

    nearby:  j=1.5      Z                    . V-B
             j=0    A0 A1 . M . B0 B1
             j=-1.5 R  A
             (A0 A1 and B0 B1 are two blocks; M between them, 170 m from both)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.permissions import SYSTEM
from analysis.bundling import SHARED_GAP_SHARE
from blocks import services
from blocks.models import BlockMembership, RenovationBlock
from blocks.services import common
from layers.models import IdleLand, VacantHousing
from runs.models import AnalysisRun
from tests import factories

from .conftest import cell, cell_lonlat

pytestmark = pytest.mark.django_db


def _pairs(street, n: int) -> None:
    for k in range(n):
        cell(street, 0, 2 * k, code=f"P{k}a")
        cell(street, 1, 2 * k, code=f"P{k}b")


def _active(run=None):
    qs = RenovationBlock.objects.filter(is_active=True)
    if run is not None:
        qs = qs.filter(run=run)
    return list(qs.order_by("code"))


# --------------------------------------------------------------------------- history
def test_new_blocks_get_one_insert_history_row_with_user_and_reason(street, staff):
    _pairs(street, 3)
    run = services.bundle_run(use_gaps=False, user=staff)
    blocks = _active(run)
    assert len(blocks) == 3
    for b in blocks:
        (h,) = b.history.all()
        assert h.history_type == "+"
        assert h.history_user == staff
        assert h.history_change_reason == f"proposed by bundling run #{run.pk}"
        # The history row is the complete stored row, nearby plots and totals included.
        for field in (
            "code",
            "member_codes",
            "households",
            "idle_land",
            "vacant_housing",
            "cost_estimate_yuan",
            "geom",
        ):
            assert getattr(h, field) == getattr(b, field), field
    assert BlockMembership.objects.filter(active=True).count() == 6
    assert BlockMembership.history.count() == 0  # bulk inserts write none, as before


def test_anonymous_run_records_no_history_user(street):
    _pairs(street, 2)
    services.bundle_run(user=SYSTEM, use_gaps=False)
    rows = RenovationBlock.history.all()
    assert rows.count() == 2
    assert {h.history_user_id for h in rows} == {None}


def test_rerun_supersedes_with_history_and_carries_locked(street, staff):
    _pairs(street, 3)
    run1 = services.bundle_run(user=SYSTEM, use_gaps=False)
    first = _active(run1)
    kept = first[0]
    services.block_lock(block=kept, user=staff, why="街道已确认")
    before = RenovationBlock.history.count()

    run2 = services.bundle_run(use_gaps=False, user=staff, seed=3)

    old = RenovationBlock.objects.filter(pk__in=[b.pk for b in first[1:]])
    assert all(not b.is_active and b.status == "superseded" for b in old)
    assert not BlockMembership.objects.filter(block__in=old, active=True).exists()
    assert sorted(run2.summary["superseded"]) == sorted(b.code for b in old)
    for b in old:
        h = b.history.first()  # latest
        assert (h.history_type, h.history_user, h.is_active, h.status) == (
            "~",
            staff,
            False,
            "superseded",
        )
        assert h.history_change_reason == f"superseded by bundling run #{run2.pk}"
    kept.refresh_from_db()
    assert kept.is_active and kept.locked and kept.run_id == run2.pk
    h = kept.history.first()
    assert h.history_type == "~" and h.run_id == run2.pk and h.history_user == staff
    assert h.history_change_reason == f"locked: kept in bundling run #{run2.pk}"
    assert run2.summary["locked_kept"] == [kept.code]
    # One row per superseded, carried and new block; nothing else.
    new = [b for b in _active(run2) if b.pk != kept.pk]
    assert len(new) == 2
    assert RenovationBlock.history.count() - before == len(old) + 1 + len(new)
    assert all(b.history.get().history_type == "+" for b in new)


def test_store_failure_leaves_nothing(street, monkeypatch):
    """A failure at the last insert rolls back the superseding and the new blocks."""
    _pairs(street, 2)
    services.bundle_run(user=SYSTEM, use_gaps=False)
    before = (
        sorted(
            RenovationBlock.objects.values_list("code", "is_active", "status", "run")
        ),
        sorted(BlockMembership.objects.values_list("block", "community", "active")),
        RenovationBlock.history.count(),
    )

    def boom(*args, **kwargs):
        msg = "disk full"
        raise RuntimeError(msg)

    monkeypatch.setattr(BlockMembership.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        services.bundle_run(user=SYSTEM, use_gaps=False, seed=1)
    after = (
        sorted(
            RenovationBlock.objects.values_list("code", "is_active", "status", "run")
        ),
        sorted(BlockMembership.objects.values_list("block", "community", "active")),
        RenovationBlock.history.count(),
    )
    assert after == before
    failed = AnalysisRun.objects.filter(kind="bundling").latest("pk")
    assert failed.status == AnalysisRun.Status.FAILED
    # the user reads a short message with the run id; the traceback is the admin's
    assert f"#{failed.pk}" in failed.error and "disk full" not in failed.error
    assert "RuntimeError: disk full" in failed.error_detail


# --------------------------------------------------------------------------- nearby
def test_nearby_plots_equal_a_per_block_query(street):
    """Stored nearby plots = :func:`common._nearby` of each outline (and by hand)."""
    for i in (0, 1):
        cell(street, i, 0, code=f"A{i}")
    for i in (5, 6):
        cell(street, i, 0, code=f"B{i}")

    def idle(code, i, j, status="available"):
        IdleLand.objects.create(
            code=code,
            kind="vacant",
            status=status,
            geom=factories.square(*cell_lonlat(i, j), 40),
        )

    def vacant(code, i, j, status="available"):
        VacantHousing.objects.create(
            code=code,
            floor_area_m2=100,
            owner_kind="public",
            status=status,
            geom=factories.lonlat(*cell_lonlat(i, j)),
        )

    idle("I-Z", 0, 1.5)  # 110 m north of A; created first, listed last
    idle("I-A", 1, -1.5)  # 110 m south of A
    idle("I-RES", 0, -1.5, status="reserved")  # near A, not available
    idle("I-M", 3, 0)  # between the blocks, 170 m from each
    idle("I-FAR", 3, 4)  # ~ 400 m from both
    vacant("V-B", 6, 1)  # 70 m north of B
    vacant("V-USED", 1, 1, status="used")  # near A, not available
    services.bundle_run(user=SYSTEM, use_gaps=False)

    a, b = _active()
    assert sorted(a.member_codes) == ["A0", "A1"]
    assert (a.idle_land, a.vacant_housing) == (["I-A", "I-M", "I-Z"], [])
    assert (b.idle_land, b.vacant_housing) == (["I-M"], ["V-B"])
    for block in (a, b):
        assert (block.idle_land, block.vacant_housing) == common._nearby(block.geom)


# --------------------------------------------------------------------------- totals
def _reference_totals(members: pd.DataFrame, gaps: pd.DataFrame | None) -> dict:
    """The per-block pandas formulas of the row-by-row store (before set-based)."""
    res = pd.to_numeric(members["residents"], errors="coerce")
    years = pd.to_numeric(members["completion_year"], errors="coerce")
    out = {
        "member_codes": sorted(members.index),
        "n_communities": len(members),
        "households": int(pd.to_numeric(members["households"]).sum()),
        "residents": int(res.sum()) if res.notna().any() else None,
        "floor_area_m2": float(pd.to_numeric(members["floor_area_m2"]).fillna(0).sum()),
        "completion_year_min": common._int(years.min()),
        "completion_year_max": common._int(years.max()),
        "dangerous_buildings": int(
            pd.to_numeric(members["dangerous_c"]).fillna(0).sum()
            + pd.to_numeric(members["dangerous_d"]).fillna(0).sum()
        ),
        "gaps_all": [],
        "gaps_most": [],
    }
    if gaps is not None:
        share = gaps.reindex(members.index).fillna(value=False).astype(float).mean()
        out["gaps_all"] = [c for c, s in share.items() if s >= 1.0]
        out["gaps_most"] = [c for c, s in share.items() if s > SHARED_GAP_SHARE]
    return out


def test_block_totals_equal_the_per_block_formulas():
    """Seeded random frame: missing residents and years, fractional floor areas,
    gap rows missing for some communities; blocks of 1 to 12 in random order."""
    rng = np.random.default_rng(7)
    n = 200
    codes = [f"C{i:03d}" for i in range(n)]
    residents = pd.array(rng.integers(100, 3000, n), dtype="Int64")
    residents[rng.random(n) < 0.2] = pd.NA
    frame = pd.DataFrame(
        {
            "households": rng.integers(20, 900, n),
            "residents": residents,
            "floor_area_m2": rng.random(n) * 50_000,
            "completion_year": np.where(
                rng.random(n) < 0.1, np.nan, rng.integers(1960, 2001, n)
            ),
            "dangerous_c": rng.integers(0, 3, n),
            "dangerous_d": rng.integers(0, 2, n),
        },
        index=pd.Index(codes, name="community"),
    )
    gaps = pd.DataFrame(
        rng.random((150, 4)) < 0.6,
        index=pd.Index(rng.permutation(codes)[:150], name="community"),
        columns=["kindergarten", "clinic", "market", "elderly_daycare"],
    )
    blocks = [list(rng.permutation(codes)[: rng.integers(1, 13)]) for _ in range(60)]
    blocks.append(["C000"])  # one member: shares are 0 or 1
    for g in (gaps, None):
        got = common._block_totals(frame, blocks, g)
        want = [_reference_totals(frame.loc[b], g) for b in blocks]
        assert got == want


# --------------------------------------------------------------------------- queries
def _count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_store_queries_do_not_grow_with_blocks(
    street, staff, django_assert_max_num_queries
):
    """A run of 8 blocks makes no more queries than one of 2: first run and re-run
    (which supersedes every block). Row by row, each block added ~8 queries."""
    _pairs(street, 8)
    other = factories.street(code="S-REF", name="参照街道")
    for k in range(2):
        cell(other, 20, 2 * k, code=f"Q{k}a")
        cell(other, 21, 2 * k, code=f"Q{k}b")
    ref = {"street": "S-REF", "use_gaps": False, "user": staff}
    first_ref = _count_queries(lambda: services.bundle_run(**ref))
    rerun_ref = _count_queries(lambda: services.bundle_run(**ref))

    kw = {"street": street.code, "use_gaps": False, "user": staff}
    with django_assert_max_num_queries(first_ref):
        run = services.bundle_run(**kw)
    assert len(_active(run)) == 8
    with django_assert_max_num_queries(rerun_ref):
        run = services.bundle_run(**kw)
    assert len(_active(run)) == 8
    assert len(run.summary["superseded"]) == 8
