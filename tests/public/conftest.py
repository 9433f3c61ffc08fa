"""Public-map fixtures: a small city with sentinel private values everywhere."""

from __future__ import annotations

import datetime as dt
import math
import struct
import zlib

import pytest
from django.apps import apps
from django.contrib.gis.geos import MultiPolygon
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.permissions import SYSTEM
from layers.models import CommunityPhoto, Stage
from lifecircle.models import CoverageResult
from public import publishing
from public.caching import clear_all
from runs.models import AnalysisRun
from tests import factories

SENTINEL = "SENTINEL-7Q"
SENTINEL_NUMBER = "987654321"  # fund balance 987654321.12 yuan
SENTINELS = (SENTINEL, SENTINEL_NUMBER)


def png_bytes() -> bytes:
    """A valid 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    lr = math.radians(lat)
    y = int((1 - math.log(math.tan(lr) + 1 / math.cos(lr)) / math.pi) / 2 * n)
    return x, y


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    clear_all()
    yield
    cache.clear()
    clear_all()


@pytest.fixture
def city(db, django_user_model, settings, tmp_path, reference_data):
    """Two districts, three communities (one renovated), history, photos, runs."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    user = django_user_model.objects.create_user(
        username=f"{SENTINEL}-planner", password="x", first_name=SENTINEL
    )
    d1 = factories.district(code="330203", name="海曙区")
    d2 = factories.district(code="330205", name="江北区")
    s1 = factories.street(district=d1, name="月湖街道")
    s2 = factories.street(district=d2, name="白沙街道")
    target = factories.community(
        street=s1,
        code="CPUB1",
        name="月湖新村",
        completion_year=1990,
        households=500,
        dangerous_c=2,
        dangerous_d=1,
        lifts=0,
        internal_notes=f"{SENTINEL} internal note: resident 张三 13800000000",
        fund_balance_yuan="987654321.12",
        public_notes="公开说明：2024 年实施",
    )
    target._history_user = user  # who changed it: must never reach the public
    target.stage = Stage.UNDER_CONSTRUCTION
    target.save()
    target.stage = Stage.ACCEPTED
    target.lifts = 2
    target.save()
    # recorded 40 days ago, works started 15 days ago, accepted 2 days ago: the
    # renovation started between the two runs below (30 and 1 days ago)
    for stage, days in (
        (Stage.NOT_STARTED, 40),
        (Stage.UNDER_CONSTRUCTION, 15),
        (Stage.ACCEPTED, 2),
    ):
        target.history.filter(stage=stage).update(
            history_date=timezone.now() - dt.timedelta(days=days)
        )
    other = factories.community(
        street=s2,
        code="CPUB2",
        name="白沙小区",
        geom=MultiPolygon(factories.square(121.552, 29.877, 150), srid=settings.SRID),
        completion_year=1998,
        households=300,
        dangerous_c=1,
        internal_notes=f"{SENTINEL} other",
        fund_balance_yuan="987654321.12",
    )
    newer = factories.community(
        street=s2,
        code="CPUB3",
        name="江北新苑",
        geom=MultiPolygon(factories.square(121.548, 29.873, 150), srid=settings.SRID),
        completion_year=2008,
        households=200,
        internal_notes=SENTINEL,
    )
    photos = [
        CommunityPhoto.objects.create(
            community=target,
            kind=kind,
            image=SimpleUploadedFile(f"{kind}.png", png_bytes(), "image/png"),
            caption=f"{kind} 外立面",
            taken_on=dt.date(2024, 5, 1),
        )
        for kind in ("before", "after")
    ]
    runs = []
    for i, score in enumerate((40.0, 75.0)):
        run = AnalysisRun.objects.create(
            kind=AnalysisRun.Kind.LIFECIRCLE,
            status=AnalysisRun.Status.DONE,
            created_by=user,
            finished_at=timezone.now() - dt.timedelta(days=30 - i * 29),
        )
        CoverageResult.objects.create(
            run=run,
            community=target,
            score=score,
            tiers_met={"5": i == 1, "10": i == 1, "15": False},
            missing={"5": ["kindergarten"] if i == 0 else [], "15": ["kindergarten"]},
            distances_m={"kindergarten": 1200},
        )
        runs.append(run)
    data = {
        "user": user,
        "districts": (d1, d2),
        "target": target,
        "other": other,
        "newer": newer,
        "photos": photos,
        "runs": runs,
    }
    if apps.is_installed("programme"):
        data.update(_programme_rows(target, d1, user))
    # the public sees what was published: publish the city as it stands
    data["publication"] = publishing.publish(SYSTEM)
    return data


def _programme_rows(community, district, user) -> dict:
    Project = apps.get_model("programme", "Project")
    ProjectItem = apps.get_model("programme", "ProjectItem")
    Vote = apps.get_model("programme", "Vote")
    WorksItem = apps.get_model("programme", "WorksItem")
    project = Project.objects.create(
        name="月湖新村改造",
        community=community,
        district=district,
        year=2024,
        plan_design=f"{SENTINEL} plan",
        funding_plan=f"{SENTINEL} funding",
        long_term_management=f"{SENTINEL} mgmt",
        documents={"written_application": SENTINEL},
        created_by=user,
    )
    items = list(WorksItem.objects.order_by("code")[:2])
    for wi in items:
        ProjectItem.objects.create(
            project=project,
            works_item=wi,
            quantity=10,
            unit_cost="100.00",
            budget="1000.00",
        )
    Vote.objects.create(
        project=project,
        kind="will",
        matter="other_major",
        total_owners=300,
        total_area_m2=30000,
        participants_owners=250,
        participants_area_m2=25000,
        consent_owners=240,
        consent_area_m2=24000,
        held_on=dt.date(2021, 3, 1),
        passed=True,
        law=SENTINEL,
        reasons=[f"{SENTINEL} vote reason"],
        recorded_by=user,
    )
    return {"project": project, "works_items": items}


# --- a minimal Mapbox Vector Tile decoder (protobuf wire format) -------------------
def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def _fields(buf: bytes):
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            val, i = _varint(buf, i)
        elif wire == 2:
            n, i = _varint(buf, i)
            val, i = buf[i : i + n], i + n
        elif wire == 1:
            val, i = buf[i : i + 8], i + 8
        elif wire == 5:
            val, i = buf[i : i + 4], i + 4
        else:  # pragma: no cover - not used by MVT
            raise ValueError(wire)
        yield num, wire, val


def _number(vnum: int, val) -> float | int | None:
    """A non-string MVT value (float, double, int, uint, sint, bool), else None."""
    if vnum == 2:
        return struct.unpack("<f", val)[0]
    if vnum == 3:
        return struct.unpack("<d", val)[0]
    if vnum in (4, 5, 7):
        return val
    if vnum == 6:
        return (val >> 1) ^ -(val & 1)
    return None


def decode_mvt(data: bytes) -> dict[str, dict]:
    """{layer name: {"keys": [...], "strings": [...], "numbers": [...], "features": n}}."""
    layers: dict[str, dict] = {}
    for num, _w, layer in _fields(data):
        if num != 3:
            continue
        name, keys, strings, numbers, nfeat = "", [], [], [], 0
        for lnum, _lw, val in _fields(layer):
            if lnum == 1:
                name = val.decode()
            elif lnum == 2:
                nfeat += 1
            elif lnum == 3:
                keys.append(val.decode())
            elif lnum == 4:
                for vnum, _vw, v in _fields(val):
                    if vnum == 1:
                        strings.append(v.decode())
                    elif (number := _number(vnum, v)) is not None:
                        numbers.append(number)
        entry = layers.setdefault(
            name, {"keys": [], "strings": [], "numbers": [], "features": 0}
        )
        entry["keys"] += keys
        entry["strings"] += strings
        entry["numbers"] += numbers
        entry["features"] += nfeat
    return layers
