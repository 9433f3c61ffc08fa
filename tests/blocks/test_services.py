"""Bundling runs and planner edits on real PostGIS.

Layouts (cells of the conftest grid, ``#`` = community, 20 m streets)::

    row:  A0 A1 A2 A3          (households 400 400 200 200, ceiling 800)
          .  .  .  .  .  .
          B0 B1 B2             (far away: 5 cells to the east, 100 households each)
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import csgraph

from accounts.permissions import SYSTEM
from analysis.adjacency import community_adjacency
from blocks import selectors, services
from blocks.models import Barrier, BlockMembership, RenovationBlock
from layers.models import Community, WalkSegment
from runs.models import AnalysisRun
from tests import factories

from .conftest import cell, line_between_rows, snapshot

pytestmark = pytest.mark.django_db


def _active_blocks():
    return list(RenovationBlock.objects.filter(is_active=True).order_by("code"))


def _block_of(code: str) -> RenovationBlock:
    return BlockMembership.objects.get(community__code=code, active=True).block


def _contiguous(codes, gap_m=30.0) -> bool:
    frame = selectors.community_frame(codes=codes)
    adj = community_adjacency(frame, gap_m=gap_m, barriers=None)
    return csgraph.connected_components(adj.matrix, directed=False)[0] == 1


@pytest.fixture
def layout(street):
    a = [
        cell(street, i, 0, households=h, code=f"A{i}")
        for i, h in enumerate((400, 400, 200, 200))
    ]
    b = [cell(street, 10 + i, 0, households=100, code=f"B{i}") for i in range(3)]
    run = services.bundle_run(user=SYSTEM, max_households=800, use_gaps=False)
    return run, a, b


# --------------------------------------------------------------------------- runs
def test_run_bundles_rows_and_records_summary(layout):
    run, _, _ = layout
    assert run.status == AnalysisRun.Status.DONE
    assert run.kind == AnalysisRun.Kind.BUNDLING
    groups = sorted(sorted(b.member_codes) for b in _active_blocks())
    # 1 200 households > 800 ceiling: cut between A1 and A2; B is one block (300).
    assert groups == [["A0", "A1"], ["A2", "A3"], ["B0", "B1", "B2"]]
    x = _block_of("A0")
    assert x.households == 800
    assert x.name == "测试街道片区 1"
    assert x.geom.valid and x.geom.srid
    assert run.summary["n_blocks"] == 3 and run.summary["n_unassigned"] == 0


def test_unassigned_have_reasons(street):
    cell(street, 0, 0, code="LONE")
    cell(street, 5, 5, code="BIG", households=5000)
    run = services.bundle_run(user=SYSTEM, use_gaps=False)
    reasons = {u["code"]: u["reason_code"] for u in run.summary["unassigned"]}
    assert reasons == {"LONE": "isolated", "BIG": "exceeds_ceiling"}


def test_clause_2_1_eligible_selection_uses_the_one_scope_rule(street):
    """二(一) through programme.scope, not a second definition: NEW (2010, gaps not
    assessed) and RESET (安置房, no district decision) are not selected; VILLA is not
    listed on its own but joins its neighbours' block (it used to be left out)."""
    cell(street, 0, 0, code="OLD1")
    cell(street, 1, 0, code="OLD2")
    cell(street, 2, 0, code="NEW", completion_year=2010)
    cell(street, 0, 1, code="VILLA", housing_type="villa")
    cell(street, 1, 1, code="RESET", housing_type="resettlement")
    run = services.bundle_run(user=SYSTEM, selected="eligible", use_gaps=False)
    assert [sorted(b.member_codes) for b in _active_blocks()] == [
        ["OLD1", "OLD2", "VILLA"]
    ]
    assert run.summary["n_selected"] == 3


def test_clause_2_1_block_of_villas_only_is_not_kept(street):
    """Two adjacent pure villa communities make no 片区 on their own (不单独列入)."""
    cell(street, 0, 0, code="V1", housing_type="villa")
    cell(street, 1, 0, code="V2", housing_type="villa")
    cell(street, 5, 0, code="OLD1")
    cell(street, 6, 0, code="OLD2")
    run = services.bundle_run(user=SYSTEM, selected="eligible", use_gaps=False)
    assert [sorted(b.member_codes) for b in _active_blocks()] == [["OLD1", "OLD2"]]
    reasons = {u["code"]: u["reason_code"] for u in run.summary["unassigned"]}
    assert reasons == {"V1": "not_alone", "V2": "not_alone"}


def test_bad_parameters_are_refused_without_a_run(street):
    with pytest.raises(ValidationError):
        services.bundle_run(user=SYSTEM, min_households=500, max_households=100)
    with pytest.raises(ValidationError, match="unknown district"):
        services.bundle_run(user=SYSTEM, district="nowhere")
    with pytest.raises(ValidationError, match="not in scope"):
        services.bundle_run(user=SYSTEM, selected=["NOPE"])
    assert not AnalysisRun.objects.filter(kind="bundling").exists()


def test_gap_profile_from_latest_lifecircle_run(street):
    from lifecircle.models import CoverageResult

    c1, c2 = cell(street, 0, 0), cell(street, 1, 0)
    lc = AnalysisRun.objects.create(kind="lifecircle", status="done")
    for c in (c1, c2):
        CoverageResult.objects.create(
            run=lc, community=c, score=50, missing={"5": ["kindergarten"]}
        )
    run = services.bundle_run(user=SYSTEM)
    (block,) = _active_blocks()
    assert block.gaps_all == ["kindergarten"]
    assert run.summary["lifecircle_run"] == lc.pk


def test_nearby_idle_and_vacant_within_300m(street):
    from layers.models import IdleLand, VacantHousing

    cell(street, 0, 0)
    cell(street, 1, 0)
    near = factories.square(*_lonlat(0, 1.5), 40)
    far = factories.square(*_lonlat(0, 8), 40)
    IdleLand.objects.create(code="I-NEAR", kind="vacant", geom=near)
    IdleLand.objects.create(code="I-FAR", kind="vacant", geom=far)
    VacantHousing.objects.create(
        code="V-NEAR",
        floor_area_m2=100,
        owner_kind="public",
        geom=factories.lonlat(*_lonlat(1, 1)),
    )
    services.bundle_run(user=SYSTEM, use_gaps=False)
    (block,) = _active_blocks()
    assert block.idle_land == ["I-NEAR"]
    assert block.vacant_housing == ["V-NEAR"]


def _lonlat(i, j):
    from .conftest import cell_lonlat

    return cell_lonlat(i, j)


def test_cost_estimate_from_works_catalogue(layout):
    from programme.models import WorksItem

    block = _block_of("A0")
    basic = WorksItem.objects.filter(category="basic", special_item="")
    if not basic.exists():
        assert block.cost_estimate_yuan is None
        return
    per = sum(w.unit_cost for w in basic)
    assert block.cost_estimate_yuan == per * 800


# --------------------------------------------------------------------------- barriers
@pytest.mark.parametrize("kind", ["walk_barrier", "barrier_layer", "arterial_class"])
def test_barrier_between_rows_splits_blocks(street, kind):
    """Two rows of three (400 each, ceiling 3 000): one block, unless a barrier runs
    along the street between the rows::

        # # #
        ======  barrier at j = 0.5
        # # #
    """
    for j in (0, 1):
        for i in range(3):
            cell(street, i, j, code=f"R{j}{i}")
    services.bundle_run(user=SYSTEM, use_gaps=False)
    assert len(_active_blocks()) == 1
    line = line_between_rows(-1, 3, 0.5)
    params = {}
    if kind == "walk_barrier":
        WalkSegment.objects.create(
            code="W1", kind="arterial", is_barrier=True, geom=line
        )
    elif kind == "barrier_layer":
        Barrier.objects.create(code="RIVER", kind="river", name="奉化江", geom=line)
    else:
        WalkSegment.objects.create(code="W1", kind="arterial", geom=line)
        params["barrier_road_class"] = "arterial"
    services.bundle_run(user=SYSTEM, use_gaps=False, **params)
    groups = sorted(sorted(b.member_codes) for b in _active_blocks())
    assert groups == [["R00", "R01", "R02"], ["R10", "R11", "R12"]]
    # Without barriers they join again.
    services.bundle_run(user=SYSTEM, use_gaps=False, use_barriers=False)
    assert len(_active_blocks()) == 1


def test_barrier_layer_refuses_polygons():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Barrier.objects.create(
            code="X", kind="other", geom=factories.square(121.55, 29.875)
        )


# --------------------------------------------------------------------------- locking
def test_locked_block_survives_rerun(layout, staff):
    run, _, _ = layout
    x = _block_of("A0")
    services.block_lock(block=x, user=staff, why="街道已确认")
    run2 = services.bundle_run(user=SYSTEM, max_households=3000, seed=7, use_gaps=False)
    x.refresh_from_db()
    assert x.is_active and x.locked and x.run_id == run2.pk
    assert sorted(x.member_codes) == ["A0", "A1"]
    assert run2.summary["locked_kept"] == [x.code]
    # A2, A3 were re-bundled without the locked members; old unlocked blocks superseded.
    assert sorted(_block_of("A2").member_codes) == ["A2", "A3"]
    assert _block_of("A2").run_id == run2.pk
    old = RenovationBlock.objects.filter(run=run, is_active=False)
    assert old.exists() and all(b.status == "superseded" for b in old)


def test_locked_block_refuses_edits(layout, staff):
    x = _block_of("A0")
    services.block_lock(block=x, user=staff)
    before = snapshot()
    with pytest.raises(ValidationError, match="locked"):
        services.block_split(block=x, codes=["A0"], user=staff)
    with pytest.raises(ValidationError, match="locked"):
        services.block_move_community(
            user=SYSTEM, community="A1", to_block=_block_of("A2")
        )
    assert snapshot() == before
    services.block_unlock(block=x, user=staff)
    assert not RenovationBlock.objects.get(pk=x.pk).locked


# --------------------------------------------------------------------------- edits
def test_accept_records_history(layout, staff):
    x = _block_of("A0")
    services.block_accept(block=x, user=staff, why="方案通过")
    x.refresh_from_db()
    assert x.status == "accepted"
    h = x.history.first()
    assert h.history_user == staff and h.history_change_reason == "方案通过"
    with pytest.raises(ValidationError, match="already"):
        services.block_accept(block=x, user=staff)


def test_merge_refuses_non_adjacent_and_ceiling(layout, staff):
    x, y, b = _block_of("A0"), _block_of("A2"), _block_of("B0")
    before = snapshot()
    with pytest.raises(ValidationError, match="not adjacent"):
        services.block_merge(block=y, other=b, user=staff)
    with pytest.raises(ValidationError, match="ceiling"):
        services.block_merge(block=x, other=y, user=staff)
    with pytest.raises(ValidationError, match="itself"):
        services.block_merge(block=x, other=x, user=staff)
    assert snapshot() == before


def test_split_then_merge_back(layout, staff):
    y = _block_of("A2")
    new = services.block_split(block=y, codes=["A3"], user=staff, why="分期实施")
    assert new.member_codes == ["A3"] and _block_of("A3") == new
    y.refresh_from_db()
    assert y.member_codes == ["A2"] and y.households == 200
    merged = services.block_merge(block=y, other=new, user=staff, why="合并回去")
    assert sorted(merged.member_codes) == ["A2", "A3"] and merged.households == 400
    new.refresh_from_db()
    assert not new.is_active and new.status == "merged"
    reasons = list(merged.history.values_list("history_change_reason", flat=True))
    assert "合并回去" in reasons and "分期实施" in reasons


def test_split_refuses_non_contiguous_parts(layout, staff):
    b = _block_of("B0")
    before = snapshot()
    with pytest.raises(ValidationError, match="contiguous"):
        services.block_split(block=b, codes=["B1"], user=staff)  # B0 . B2 left
    with pytest.raises(ValidationError, match="contiguous"):
        services.block_split(block=b, codes=["B0", "B2"], user=staff)
    with pytest.raises(ValidationError, match="not members"):
        services.block_split(block=b, codes=["A0"], user=staff)
    with pytest.raises(ValidationError, match="every member"):
        services.block_split(block=b, codes=["B0", "B1", "B2"], user=staff)
    assert snapshot() == before


def test_move_checks_contiguity_and_ceiling(layout, staff):
    x, y = _block_of("A0"), _block_of("A2")
    before = snapshot()
    with pytest.raises(ValidationError, match="not adjacent"):
        services.block_move_community(community="A0", to_block=y, user=staff)
    with pytest.raises(ValidationError, match="ceiling"):
        # A2 (200) into X (800) → 1 000 > 800
        services.block_move_community(community="A2", to_block=x, user=staff)
    with pytest.raises(ValidationError, match="already"):
        services.block_move_community(community="A0", to_block=x, user=staff)
    assert snapshot() == before
    services.block_move_community(community="A1", to_block=y, user=staff, why="调整")
    x.refresh_from_db()
    y.refresh_from_db()
    assert x.member_codes == ["A0"] and x.households == 400
    assert sorted(y.member_codes) == ["A1", "A2", "A3"] and y.households == 800
    assert _contiguous(y.member_codes)
    assert BlockMembership.history.filter(history_change_reason="调整").exists()
    with pytest.raises(ValidationError, match="empty"):
        services.block_move_community(community="A0", to_block=y, user=staff)


def test_one_active_block_per_community_is_a_db_constraint(layout):
    from django.db import IntegrityError, transaction

    y = _block_of("A2")
    with pytest.raises(IntegrityError), transaction.atomic():
        BlockMembership.objects.create(
            block=y, community=Community.objects.get(code="A0")
        )


# --------------------------------------------------------------------------- properties
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cells=st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 3), st.integers(50, 900)),
        min_size=2,
        max_size=14,
        unique_by=lambda t: (t[0], t[1]),
    ),
    ceiling=st.integers(900, 2500),
    barrier_row=st.none() | st.integers(0, 2),
    seed=st.integers(0, 3),
)
def test_service_properties_on_random_layouts(
    street, cells, ceiling, barrier_row, seed
):
    RenovationBlock.objects.all().delete()
    AnalysisRun.objects.all().delete()
    Community.objects.all().delete()
    WalkSegment.objects.all().delete()
    for i, j, h in cells:
        cell(street, i, j, households=h, code=f"P{i}{j}")
    if barrier_row is not None:
        WalkSegment.objects.create(
            code="WB",
            kind="arterial",
            is_barrier=True,
            geom=line_between_rows(-1, 5, barrier_row + 0.5),
        )
    run = services.bundle_run(
        user=SYSTEM,
        max_households=ceiling,
        min_households=300,
        use_gaps=False,
        seed=seed,
    )
    blocks = _active_blocks()
    seen: list[str] = []
    for b in blocks:
        codes = list(
            b.memberships.filter(active=True).values_list("community__code", flat=True)
        )
        assert sorted(codes) == sorted(b.member_codes)
        seen += codes
        assert len(codes) >= 2
        assert 300 <= b.households <= ceiling
        assert _contiguous(codes)
        if barrier_row is not None:
            rows = {int(c[2]) for c in codes}
            assert max(rows) <= barrier_row or min(rows) > barrier_row
    assert len(seen) == len(set(seen))  # at most one active block each
    un = {u["code"] for u in run.summary["unassigned"]}
    assert un.isdisjoint(seen) and un | set(seen) == {f"P{i}{j}" for i, j, _ in cells}
