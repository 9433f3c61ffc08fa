"""layers.dbcopy: COPY-based insert/update/history give what the ORM would write."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString, MultiPoint, MultiPolygon, Point
from django.utils import timezone

from layers import dbcopy, models
from tests import factories

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in type(obj)._meta.concrete_fields
        if f.attname not in ("id", "created_at", "updated_at")
    }


def _community(code: str, street, **kw) -> models.Community:
    values = {
        "code": code,
        "name": "测试\t小区\\一\n期",  # COPY escapes
        "district": street.district,
        "street": street,
        "geom": MultiPolygon(factories.square(121.55, 29.875, 120)),
        "entrances": MultiPoint(factories.lonlat(121.5501, 29.8751)),
        "completion_year": 1995,
        "households": 321,
        "residents": None,
        "floor_area_m2": 12345.5,
        "fund_balance_yuan": Decimal("1234.56"),
    }
    values.update(kw)
    obj = models.Community(**values)
    obj.geom.srid = obj.entrances.srid = obj.geom.srid or 4549
    return obj


def _writable(model):
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not getattr(f, "generated", False)
    ]


def test_copy_field_columns_equals_bulk_create() -> None:
    street = factories.street()
    a = _community("ORM1", street)
    b = _community("COPY1", street)
    models.Community.objects.bulk_create([a])
    fields = _writable(models.Community)
    now = a.created_at
    columns = {
        f.name: [
            now if f.attname in ("created_at", "updated_at") else getattr(b, f.attname)
        ]
        for f in fields
    }
    assert (
        dbcopy.copy_field_columns(models.Community._meta.db_table, fields, columns) == 1
    )
    got_a = models.Community.objects.get(code="ORM1")
    got_b = models.Community.objects.get(code="COPY1")
    fa, fb = _fields(got_a), _fields(got_b)
    assert fa.pop("code") == "ORM1" and fb.pop("code") == "COPY1"
    assert fa == fb  # every stored value the same, geometries included
    assert got_b.name == "测试\t小区\\一\n期" and got_b.residents is None


def test_copy_instances_equals_bulk_create() -> None:
    """copy_instances stores unsaved instances as bulk_create does: every value the
    same, the generated columns computed by the database, the times set."""
    street = factories.street()
    models.Community.objects.bulk_create([_community("ORM2", street)])
    before = timezone.now()
    assert dbcopy.copy_instances(models.Community, [_community("COPY2", street)]) == 1
    got_a = models.Community.objects.get(code="ORM2")
    got_b = models.Community.objects.get(code="COPY2")
    fa, fb = _fields(got_a), _fields(got_b)
    assert fa.pop("code") == "ORM2" and fb.pop("code") == "COPY2"
    assert fa == fb
    assert got_b.created_at == got_b.updated_at and got_b.created_at >= before
    seg = models.WalkSegment(
        code="COPYSEG",
        kind="footway",
        geom=LineString((600_000.0, 3_300_000.0), (600_030.0, 3_300_040.0), srid=4549),
    )
    assert dbcopy.copy_instances(models.WalkSegment, [seg]) == 1
    # length_m is a generated column: the database computed it (50 m)
    assert models.WalkSegment.objects.get(code="COPYSEG").length_m == pytest.approx(50)
    assert dbcopy.copy_instances(models.WalkSegment, []) == 0


def test_update_field_columns_writes_only_the_named_fields() -> None:
    c = factories.community(name="旧名", households=100)
    geom = MultiPolygon(factories.square(121.56, 29.88, 150))
    geom.srid = 4549
    fields = [models.Community._meta.get_field(n) for n in ("name", "geom")]
    assert (
        dbcopy.update_field_columns(
            models.Community, [c.pk], fields, {"name": ["新名"], "geom": [geom]}
        )
        == 1
    )
    got = models.Community.objects.get(pk=c.pk)
    assert got.name == "新名" and got.households == 100
    assert got.geom.equals_exact(geom, 1e-6)


def test_insert_history_equals_bulk_history_create() -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("copy-history")
    c = factories.community()
    hist = models.Community.history.model
    hist.objects.all().delete()
    models.Community.history.bulk_history_create(
        [c], update=True, default_user=user, default_change_reason="orm"
    )
    dbcopy.insert_history(models.Community, [c], update=True, user=user, reason="copy")
    orm, cp = hist.objects.order_by("history_id")
    assert (orm.history_type, cp.history_type) == ("~", "~")
    assert (orm.history_change_reason, cp.history_change_reason) == ("orm", "copy")
    assert orm.history_user_id == cp.history_user_id == user.pk
    skip = {"history_id", "history_date", "history_change_reason"}
    assert {
        f.attname: getattr(orm, f.attname)
        for f in hist._meta.concrete_fields
        if f.attname not in skip
    } == {
        f.attname: getattr(cp, f.attname)
        for f in hist._meta.concrete_fields
        if f.attname not in skip
    }
    dbcopy.insert_history(models.Community, [c], update=False)
    assert hist.objects.order_by("-history_id").first().history_type == "+"


def test_db_value() -> None:
    p = Point(1.5, 2.5, srid=4549)
    assert dbcopy.db_value(p) == p.hexewkb.decode()
    assert dbcopy.db_value({"a": [1, "二"]}) == '{"a": [1, "二"]}'
    assert dbcopy.db_value(None) is None and dbcopy.db_value(3) == 3


def test_copy_rows_streams_an_iterator_in_chunks_of_whole_lines(monkeypatch) -> None:
    """copy_rows takes rows built on demand: COPY reads them in chunks of whole
    lines while they are built (not all first), and stores every one as given."""
    reads: list[tuple[int, int]] = []  # (rows built so far, characters in the chunk)
    built = 0
    real_read = dbcopy._LineReader.read

    def read(self, size=-1):
        text = real_read(self, size)
        reads.append((built, len(text)))
        return text

    monkeypatch.setattr(dbcopy._LineReader, "read", read)
    monkeypatch.setattr(dbcopy, "_STREAM_CHUNK", 2000)
    a, b = factories.lonlat(121.55, 29.875), factories.lonlat(121.551, 29.875)
    geom = LineString(a, b, srid=a.srid).hexewkb.decode()
    now = timezone.now().isoformat()

    def rows():
        nonlocal built
        for i in range(300):
            built += 1
            name = f"路\t{i}\\"  # COPY escapes
            yield (
                f"S{i:03d}",
                "footway",
                name,
                False,
                False,
                geom,
                1,
                "",
                "",
                now,
                now,
            )

    n = dbcopy.copy_rows(
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
        rows(),
    )
    assert n == 300
    stored = dict(
        models.WalkSegment.objects.filter(code__startswith="S").values_list(
            "code", "name"
        )
    )
    assert stored == {f"S{i:03d}": f"路\t{i}\\" for i in range(300)}
    chunks = [r for r in reads if r[1]]
    assert len(chunks) > 5
    # the first chunk went out after a few rows, not after all of them
    assert chunks[0][0] < 300 // 5
    # each chunk is whole lines, about the chunk size (at most one line more)
    assert all(c[1] < 2000 + 2 * len(geom) for c in chunks)
    assert dbcopy.copy_rows(models.WalkSegment._meta.db_table, ["code"], iter([])) == 0
