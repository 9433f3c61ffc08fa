"""Layer change stamps on real PostgreSQL: every write path bumps exactly its own layer.

In a ``django_db`` test everything runs in one transaction, so every ``changed_at``
written by the triggers equals that transaction's ``now()``.
"""

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString
from django.db import OperationalError, connection, connections, transaction

from layers import models, stamps
from layers.dbcopy import copy_rows
from tests import factories

A, B = (121.550, 29.875), (121.552, 29.875)


def stamp(name: str) -> stamps.Stamp:
    return stamps.layer_stamps([name])[name]


def db_now() -> datetime:
    with connection.cursor() as cur:
        cur.execute("SELECT now()")
        return cur.fetchone()[0]


def line(a: tuple[float, float], b: tuple[float, float]) -> LineString:
    pa, pb = factories.lonlat(*a), factories.lonlat(*b)
    return LineString(pa.coords, pb.coords, srid=settings.SRID)


def bumped(before: stamps.Stamp, by: int = 1) -> stamps.Stamp:
    """``before`` after ``by`` data-changing statements in this transaction."""
    return (before[0], before[1] + by, db_now())


# ---------------------------------------------------------------- the triggers


@pytest.mark.django_db
def test_every_layer_table_has_the_statement_trigger_with_its_name():
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = 'layers_layerstamp'"
        )
        found = dict(cur.fetchall())
    assert set(found) == {m._meta.db_table for m in stamps.LAYERS.values()}
    for name, model in stamps.LAYERS.items():
        definition = found[model._meta.db_table]
        assert "AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE" in definition
        assert "FOR EACH STATEMENT" in definition
        assert definition.endswith(f"layers_layerstamp_bump('{name}')")


@pytest.mark.django_db
def test_migration_seeds_one_row_per_layer_so_reading_works_at_once():
    got = stamps.layer_stamps()
    assert list(got) == list(stamps.LAYERS)
    for name, (epoch, version, _) in got.items():
        assert isinstance(epoch, int) and 0 < epoch < 2**53, name
        assert type(version) is int, name
    # 52 random bits each: nine equal epochs would be a broken generator
    assert len({s[0] for s in got.values()}) == len(got)


# ---------------------------------------------------------------- write paths


@pytest.mark.django_db
def test_orm_create_bumps_the_layer():
    before = stamp("walk_segment")
    factories.segment(A, B)
    assert stamp("walk_segment") == bumped(before)


@pytest.mark.django_db
def test_save_bumps_the_layer():
    c = factories.community()
    before = stamp("community")
    c.name = "改名小区"
    c.save()
    assert stamp("community") == bumped(before)


@pytest.mark.django_db
def test_queryset_update_that_leaves_updated_at_alone_bumps_the_layer():
    seg = factories.segment(A, B)
    before = stamp("walk_segment")
    models.WalkSegment.objects.filter(pk=seg.pk).update(is_barrier=True)
    assert stamp("walk_segment") == bumped(before)
    # the case a max(updated_at) stamp misses
    seg_after = models.WalkSegment.objects.get(pk=seg.pk)
    assert seg_after.is_barrier and seg_after.updated_at == seg.updated_at


@pytest.mark.django_db
def test_delete_bumps_the_layer():
    c = factories.community()
    before = stamp("community")
    c.delete()
    assert stamp("community") == bumped(before)


@pytest.mark.django_db
def test_bulk_create_bumps_once_per_statement_not_per_row():
    before = stamp("walk_segment")
    models.WalkSegment.objects.bulk_create(
        models.WalkSegment(
            code=f"BULK{i}",
            kind="local",
            geom=line(A, (B[0], B[1] + 0.001 * i)),
        )
        for i in range(1, 4)
    )
    assert models.WalkSegment.objects.filter(code__startswith="BULK").count() == 3
    assert stamp("walk_segment") == bumped(before, by=1)


@pytest.mark.django_db
def test_copy_from_stdin_bumps_the_layer():
    before = stamp("walk_segment")
    now = db_now().isoformat()
    geom = line(A, B)
    n = copy_rows(
        models.WalkSegment._meta.db_table,
        [
            "code",
            "kind",
            "name",
            "is_barrier",
            "is_crossing",
            "geom",
            "version",
            "source_crs",
            "source_file",
            "created_at",
            "updated_at",
        ],
        [
            (f"COPY{i}", "footway", "", False, False, geom.hexewkb.decode(), 1, "", "")
            + (now, now)
            for i in range(2)
        ],
    )
    assert n == 2
    assert models.WalkSegment.objects.filter(code__startswith="COPY").count() == 2
    assert stamp("walk_segment") == bumped(before)


@pytest.mark.django_db
def test_truncate_of_a_layer_bumps_it():
    factories.segment(A, B)
    before = stamp("walk_segment")
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {models.WalkSegment._meta.db_table}")
    assert not models.WalkSegment.objects.exists()
    assert stamp("walk_segment") == bumped(before)


@pytest.mark.django_db
def test_truncated_stamp_table_restarts_with_a_new_epoch():
    """Django's test flush truncates every table in one statement, stamps included."""
    before = stamp("walk_segment")
    table = models.LayerStamp._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {table}")
    assert stamps.layer_stamps(["walk_segment", "amenity"]) == {
        "walk_segment": (None, 0, None),
        "amenity": (None, 0, None),
    }
    factories.segment(A, B)
    epoch, version, changed_at = stamp("walk_segment")
    assert epoch is not None and epoch != before[0]
    assert (version, changed_at) == (1, db_now())
    # flush-like: the stamp table and a layer in one TRUNCATE; the AFTER trigger runs
    # once all tables are empty, so the layer gets a fresh row, not a lost one
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {table}, {models.WalkSegment._meta.db_table}")
    fresh = stamp("walk_segment")
    assert fresh[0] not in (None, epoch, before[0])
    assert fresh[1:] == (1, db_now())
    assert stamp("amenity") == (None, 0, None)


@pytest.mark.django_db
def test_a_statement_touching_no_row_still_bumps():
    """The documented manual bump (and the harmless false positive)."""
    before = stamp("vacant_housing")
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {models.VacantHousing._meta.db_table} SET id = id WHERE false"
        )
    assert stamp("vacant_housing") == bumped(before)


@pytest.mark.django_db
def test_another_layers_edit_leaves_the_stamp_alone():
    before = stamps.layer_stamps()
    factories.segment(A, B)
    after = stamps.layer_stamps()
    assert after["walk_segment"] != before["walk_segment"]
    del before["walk_segment"], after["walk_segment"]
    assert after == before


# ---------------------------------------------------------------- transactions


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_leaves_the_stamp_unchanged():
    before = stamp("walk_segment")

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        factories.segment(A, B)
        assert stamp("walk_segment")[1] == before[1] + 1  # seen inside
        raise Abort
    assert not models.WalkSegment.objects.exists()
    assert stamp("walk_segment") == before
    # the same write, committed, does count
    factories.segment(A, B)
    assert stamp("walk_segment")[:2] == (before[0], before[1] + 1)


@pytest.fixture
def other_connection():
    """A second connection to the test database (another session, autocommit)."""
    other = connections.create_connection("default")
    yield other
    other.close()


@pytest.mark.django_db(transaction=True)
def test_stamp_becomes_visible_with_the_data_and_serialises_writers(other_connection):
    before = stamp("walk_segment")
    table = models.WalkSegment._meta.db_table
    with other_connection.cursor() as cur:
        cur.execute("SET lock_timeout = '200ms'")
    with transaction.atomic():
        factories.segment(A, B)
        with other_connection.cursor() as cur:
            # another session sees neither the row nor the new stamp yet
            cur.execute(f"SELECT count(*) FROM {table}")
            assert cur.fetchone()[0] == 0
            cur.execute(
                "SELECT version FROM layers_layerstamp WHERE layer = 'walk_segment'"
            )
            assert cur.fetchone()[0] == before[1]
            # a writer of the same layer waits for the stamp row lock
            with pytest.raises(OperationalError, match="lock timeout"):
                cur.execute(f"UPDATE {table} SET id = id WHERE false")
            # a writer of another layer does not
            cur.execute("UPDATE layers_district SET id = id WHERE false")
    with other_connection.cursor() as cur:
        cur.execute(
            "SELECT version FROM layers_layerstamp WHERE layer = 'walk_segment'"
        )
        assert cur.fetchone()[0] == before[1] + 1


# ---------------------------------------------------------------- reading


@pytest.mark.django_db
def test_reading_all_stamps_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        got = stamps.layer_stamps()
    assert (
        len(got) == len(stamps.LAYERS) == 11
    )  # + basemap (0006), special works (0009)


@pytest.mark.django_db
def test_result_keeps_the_requested_order_and_unknown_names_raise():
    assert list(stamps.layer_stamps(["street", "amenity"])) == ["street", "amenity"]
    with pytest.raises(ValueError, match="'walk_segments'"):
        stamps.layer_stamps(["walk_segment", "walk_segments"])
    with pytest.raises(TypeError):
        stamps.layer_stamps("community")


@pytest.mark.django_db
def test_data_time_is_the_newest_change_among_the_analysed_layers(
    django_assert_num_queries,
):
    def at(year: int) -> datetime:
        return datetime(year, 1, 1, tzinfo=UTC)

    with connection.cursor() as cur:
        cur.execute("UPDATE layers_layerstamp SET changed_at = NULL")
    assert stamps.data_time() is None
    for layer, year in [("community", 2020), ("idle_land", 2022), ("district", 2030)]:
        models.LayerStamp.objects.filter(layer=layer).update(changed_at=at(year))
    # district is not read by the analyses: its later change does not count
    assert stamps.data_time() == at(2022)
    factories.segment(A, B)
    assert stamps.data_time() == db_now()
    # from stamps already read: no query
    read = stamps.layer_stamps()
    with django_assert_num_queries(0):
        got = stamps.data_time(read)
    assert got == read["walk_segment"][2]
    with pytest.raises(ValueError, match="idle_land"):
        stamps.data_time({k: read[k] for k in ("community", "amenity")})


@pytest.mark.django_db
def test_admin_shows_the_stamps_read_only(client):
    root = get_user_model().objects.create_superuser("root", "r@example.org", "pw-1")
    client.force_login(root)
    base = f"/{settings.ADMIN_URL}layers/layerstamp/"
    page = client.get(base)
    assert page.status_code == 200 and "walk_segment" in page.content.decode()
    assert client.get(base + "add/").status_code == 403
    change = client.get(base + "walk_segment/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
