"""Two districts side by side, every kind of object in each, private sentinels everywhere.

The street of ``tests.lifecircle.city`` runs 3 km east from 三江口; district A
(code 330203) holds its first 1 km either side, district B (330205) the next 2 km::

    |<-------- A: x < 1000 m -------->|<------------ B: x >= 1000 m ------------>|
     A1(0) A2(90) K(200) IA(300) VA(400)   B1(1500) B2(1590) KB(1600) IB(1700) VB(1800)

Each district has one street office (SA, SB); communities A1, A2 (street SA) and B1,
B2 (street SB) are 10 m apart in pairs, so bundling makes one block per street. The
life circle, bundling and siting (elderly day care, missing everywhere) are run by the
city administrator, so usernames appear in run records. Every private value carries
:data:`SENTINEL` or one of the sentinel numbers.
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from accounts.permissions import SYSTEM
from blocks.services import bundle_run
from layers import models
from layers.models import CommunityPhoto, Stage
from lifecircle.services import lifecircle_run
from planner import services as planner_services
from programme import services as programme
from programme.models import Project, Vote
from public import publishing
from runs.models import AnalysisRun
from siting.services import scenario_create, siting_run, whatif_scenario_create
from tests import factories
from tests.lifecircle.city import community, street_line, xy
from tests.public.conftest import png_bytes, tile_xy
from voice import services as voice

SENTINEL = "SENTINEL-7Q"
FUND = "987654321"  # fund balance 987654321.12 yuan
COST = "876543210"  # budget of a draft works item
VOTE_AREA = "7654321"  # area of a vote below the publication threshold
SENTINELS = (SENTINEL, FUND, COST, VOTE_AREA)
#: keys that are private wherever they appear in an anonymous response
PRIVATE_KEYS = (
    "owner",
    "consent",
    "internal_notes",
    "fund_balance_yuan",
    "fund_standard_yuan",
    "in_expropriation_plan",
    "in_shanty_plan",
    "created_by",
    "recorded_by",
    "history_user",
    "username",
    "notes",
    "cost_estimate_yuan",
    "error_detail",
    "contact",
    "replied_by",
)
PASSWORD = "pw-123456"


def box(x0: float, x1: float) -> MultiPolygon:
    _, y = xy(0)
    x, _ = xy(0)
    poly = Polygon(
        (
            (x + x0, y - 1000),
            (x + x1, y - 1000),
            (x + x1, y + 1000),
            (x + x0, y + 1000),
            (x + x0, y - 1000),
        ),
        srid=settings.SRID,
    )
    return MultiPolygon(poly, srid=settings.SRID)


def plot(code: str, dx: float) -> models.IdleLand:
    x, y = xy(dx, -30)
    return models.IdleLand.objects.create(
        code=code,
        name=f"地块{code}",
        kind="idle",
        owner=f"{SENTINEL} 权属单位",
        consent="granted",
        geom=Polygon(
            ((x - 15, y - 15), (x + 15, y - 15), (x + 15, y + 15), (x - 15, y + 15))
            + ((x - 15, y - 15),),
            srid=settings.SRID,
        ),
    )


def house(code: str, dx: float) -> models.VacantHousing:
    x, y = xy(dx, -20)
    return models.VacantHousing.objects.create(
        code=code,
        name=f"公房{code}",
        floor_area_m2=500,
        owner_kind="public",
        geom=Point(x, y, srid=settings.SRID),
    )


def whatif_site_a() -> dict:
    """A hypothetical day-care site on the street in district A (at 300 m)."""
    p = Point(*xy(300), srid=settings.SRID).transform(4326, clone=True)
    return {"category": "elderly_daycare", "lon": p.x, "lat": p.y}


def build() -> dict:
    out: dict = {}
    a = factories.district(code="330203", name="海曙区", geom=box(-1000, 1000))
    b = factories.district(code="330205", name="江北区", geom=box(1000, 3000))
    sa = factories.street(code="SA", name="月湖街道", district=a, geom=a.geom)
    sb = factories.street(code="SB", name="白沙街道", district=b, geom=b.geom)
    out.update(a=a, b=b, sa=sa, sb=sb)
    street_line(30)
    for code, street, dx in (
        ("A1", sa, 0),
        ("A2", sa, 90),
        ("B1", sb, 1500),
        ("B2", sb, 1590),
    ):
        c = community(street, code, dx, 1000)
        c.internal_notes = f"{SENTINEL} internal note: resident 张三 13800000000"
        c.fund_balance_yuan = f"{FUND}.12"
        c.in_expropriation_plan = code == "B2"
        c.save()
        out[code] = c
    for code, cat, dx in (("K", "kindergarten", 200), ("KB", "kindergarten", 1600)):
        x, y = xy(dx)
        out[code] = factories.amenity(
            cat, code=code, name=f"{code} 幼儿园", geom=Point(x, y, srid=settings.SRID)
        )
    out.update(IA=plot("IA", 300), IB=plot("IB", 1700))
    x, y = xy(600)  # an OSM residential area in district A, waiting for review
    out["candidate_a"] = models.CommunityCandidate.objects.create(
        code="osm-w1",
        name="候选小区甲",
        district=a,
        geom=MultiPolygon(
            Polygon.from_bbox((x - 40, y + 10, x + 40, y + 90)), srid=settings.SRID
        ),
        households_estimate=120,
    )
    out.update(VA=house("VA", 400), VB=house("VB", 1800))
    users = {
        "admin": factories.user(f"{SENTINEL}-admin", Role.CITY_ADMIN, is_staff=True),
        "planner_a": factories.user(
            f"{SENTINEL}-pa", Role.DISTRICT_PLANNER, district=a
        ),
        "planner_b": factories.user(
            f"{SENTINEL}-pb", Role.DISTRICT_PLANNER, district=b
        ),
        "street_a": factories.user(f"{SENTINEL}-sa", Role.STREET_STAFF, street=sa),
        "viewer": factories.user(f"{SENTINEL}-viewer", Role.VIEWER),
    }
    out["users"] = users
    admin = users["admin"]
    for code, dx in (("PA", 500), ("PB", 2000)):
        geom = factories.square(121.55 + dx / 96_200, 29.875 + 200 / 110_900, 20)
        geom.transform(4326)
        out[code] = planner_services.feature_create(
            kind="planning_area",
            data={"name": f"规划范围{code}", "notes": f"{SENTINEL} notes"},
            geometry=json.loads(geom.geojson),
            user=admin,
        ).obj
    photo = CommunityPhoto.objects.create(
        community=out["A1"],
        kind="before",
        image=SimpleUploadedFile("before.png", png_bytes(), "image/png"),
        caption="改造前",
        taken_on=dt.date(2024, 5, 1),
    )
    out["photo"] = photo
    out["lifecircle"] = lifecircle_run(user=admin)
    out["bundling"] = bundle_run(
        user=admin,
        selected=None,
        min_households=0,
        max_households=100_000,
        use_gaps=False,
    )
    out["blocks"] = {
        b.member_codes[0][0]: b for b in out["bundling"].blocks.filter(is_active=True)
    }
    out["siting"] = siting_run(user=admin, category="elderly_daycare", k=1)
    out["siting_a"] = siting_run(
        user=users["planner_a"], category="elderly_daycare", k=1, districts=[a.code]
    )
    # a failed bundling run of district A (worker lost), to re-queue
    out["failed_a"] = AnalysisRun.objects.create(
        kind="bundling",
        status="failed",
        request={
            "district": a.code,
            "selected": "all",
            "min_households": 0,
            "max_households": 100_000,
            "use_gaps": False,
        },
        created_by=users["planner_a"],
    )
    # a pending bundling run of district A (no worker took it yet), to cancel
    out["pending_a"] = AnalysisRun.objects.create(
        kind="bundling",
        status="pending",
        request={"district": a.code, "selected": "all"},
        created_by=users["planner_a"],
    )
    out["scenario"] = scenario_create(
        run=out["siting"], method="greedy", notes=f"{SENTINEL} notes", user=admin
    )
    # a what-if scenario of district A, placed on the map by its planner
    out["whatif"] = whatif_scenario_create(
        lifecircle_run=out["lifecircle"],
        sites=[whatif_site_a()],
        user=users["planner_a"],
    )
    for code in ("A1", "B1"):
        p = programme.project_create(
            user=admin, name=f"{code}改造", year=2024, community=out[code]
        )
        programme.project_item_add(
            user=admin,
            project=p,
            works_item="road",
            quantity=1,
            # B1's project stays a draft: its budget must never reach the public
            budget=f"{COST}.00" if code == "B1" else "100000.00",
        )
        # money by source (issue 19 part 6): B1's draft amount and every note stay
        # private; only A1's aggregate reaches the public funding mix
        programme.funding_source_save(
            user=admin,
            project=p,
            source="district_special",
            amount=f"{COST}.00" if code == "B1" else "100000.00",
            year=2024,
            note=f"{SENTINEL} funding note",
        )
        programme.project_utility_save(
            user=admin, project=p, utility="power", amount=0, note=SENTINEL
        )
        Vote.objects.create(
            project=p,
            kind="will",
            matter="ordinary",
            total_owners=5,  # below the publication threshold (VOTE_MIN_OWNERS)
            total_area_m2=int(VOTE_AREA) + 1,
            participants_owners=5,
            participants_area_m2=int(VOTE_AREA) + 1,
            consent_owners=5,
            consent_area_m2=VOTE_AREA,
            held_on=dt.date(2024, 3, 1),
            passed=True,
            law=SENTINEL,
            reasons=[f"{SENTINEL} reason"],
            recorded_by=admin,
        )
        out[f"project_{code}"] = p
    # one project public (in the annual plan): its funding card is on the surface
    Project.objects.filter(pk=out["project_A1"].pk).update(stage="annual_plan")
    models.Community.objects.filter(pk=out["A1"].pk).update(stage=Stage.IN_ANNUAL_PLAN)
    publishing.publish(SYSTEM)  # the public surface shows what was published
    out.update(voice_suggestions(admin))
    return out


#: the reply published on A1's card (the one public text of residents' voice here)
VOICE_REPLY = "已纳入改造方案，增设停车位 40 个。"


def voice_suggestions(admin) -> dict:
    """Residents' voice: on A1 one published (with a sentinel contact), one pending and
    one rejected with sentinel texts; one pending on B1."""
    contact = f"{SENTINEL} 13900000000"

    def post(code: str, text: str) -> object:
        return voice.submit(
            {
                "community": code,
                "topic": "parking",
                "kind": "suggestion",
                "text": text,
                "contact": contact,
            }
        )

    published = post("A1", "小区停车位不够，建议利用闲置地块增加车位。")
    voice.publish(admin, published, reply=VOICE_REPLY)
    rejected = post("A1", f"{SENTINEL} 不予公开的留言")
    voice.reject(admin, rejected, reason=f"{SENTINEL} 含个人信息")
    return {
        "voice_published": published,
        "voice_rejected": rejected,
        "suggestion_A1": post("A1", f"{SENTINEL} 待审核的留言"),
        "suggestion_B1": post("B1", f"{SENTINEL} 待审核的江北留言"),
    }


def url_args(city) -> dict[str, dict]:
    """Path arguments per URL name: objects of district A and street SA."""
    x, y = tile_xy(121.55, 29.875, 14)
    a1, b_a = city["A1"], city["blocks"]["A"]
    lc, sr, sc = city["lifecircle"], city["siting_a"], city["scenario"]
    project = city["project_A1"]
    return {
        "public-community": {"code": a1.code},
        "public-tile": {"z": "14", "x": str(x), "y": str(y)},
        "public-basemap-tile": {"z": "14", "x": str(x), "y": str(y)},
        "lifecircle-islands": {"pk": city["lifecircle"].pk},
        "planner-candidate-confirm": {"pk": city["candidate_a"].pk},
        "planner-candidate-dismiss": {"pk": city["candidate_a"].pk},
        "public-photo": {"code": a1.code, "photo_id": city["photo"].pk},
        "ogc-collection": {"cid": "communities"},
        "ogc-items": {"cid": "communities"},
        "ogc-item": {"cid": "communities", "fid": a1.code},
        "programme-eligibility": {"code": a1.code},
        "programme-funding": {"pk": project.pk},
        "programme-community-card": {"code": a1.code},
        "programme-project-card": {"pk": project.pk},
        "programme-project-detail": {"pk": project.pk},
        "programme-project-advance": {"pk": project.pk},
        "programme-project-items": {"pk": project.pk},
        "programme-project-transitions": {"pk": project.pk},
        "programme-project-votes": {"pk": project.pk},
        "programme-project-page": {"pk": project.pk},
        "programme-scope-decision": {"code": a1.code},
        "programme-community-fund": {"code": a1.code},
        "programme-reserve-pool": {"code": city["a"].code},
        "programme-annual-plan": {"code": city["a"].code, "year": 2028},
        "blocks-run": {"pk": city["bundling"].pk},
        "blocks-run-geojson": {"pk": city["bundling"].pk},
        "blocks-run-export": {"pk": city["bundling"].pk, "fmt": "csv"},
        "blocks-block": {"code": b_a.code},
        "blocks-block-action": {"code": b_a.code, "action": "lock"},
        "siting-run": {"pk": sr.pk},
        "siting-candidates": {"pk": sr.pk},
        "siting-export": {"pk": sr.pk, "fmt": "xlsx"},
        "siting-scenario": {"pk": sc.pk},
        "siting-scenario-what-if": {"pk": sc.pk},
        "siting-whatif-scenario": {"pk": city["whatif"].pk},
        "analysis-run": {"pk": lc.pk},
        "analysis-run-requeue": {"pk": city["failed_a"].pk},
        "analysis-run-cancel": {"pk": city["pending_a"].pk},
        "lifecircle-run": {"pk": lc.pk},
        "lifecircle-communities": {"pk": lc.pk},
        "lifecircle-export": {"pk": lc.pk, "fmt": "csv"},
        "lifecircle-distance-tiff": {"pk": lc.pk},
        "lifecircle-unreachable": {"pk": lc.pk},
        "lifecircle-supply": {"pk": lc.pk},
        "lifecircle-what-if": {"pk": lc.pk},
        "planner-features": {"kind": "idle_land"},
        "planner-feature": {"kind": "community", "code": a1.code},
        "planner-feature-undo": {"kind": "community", "code": a1.code},
        "planner-feature-history": {"kind": "community", "code": a1.code},
        "planner-analysis": {"kind": "lifecircle"},
        # the layer sets the maps ask for (one request per tile for all of them)
        "planner-tile": {
            "layer": "communities+idle_land+vacant_housing+walk_network",
            "z": "14",
            "x": str(x),
            "y": str(y),
        },
        "planner-run-tile": {
            "pk": lc.pk,
            "layer": "islands+results",
            "z": "14",
            "x": str(x),
            "y": str(y),
        },
        "layers:export": {"layer": "community", "fmt": "geojson"},
        "public-voice": {"code": a1.code},
        "voice-moderate": {"pk": city["suggestion_A1"].pk},
    }
