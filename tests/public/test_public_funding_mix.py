"""The public funding mix (三, 六(二)): money by source per district and year, from the
projects whose funding is public, read as the public role from a database view.

A project still in the will vote (a draft) counts nowhere; notes, projects and the
rows behind the sums never reach the anonymous visitor; an edit changes the ETag.
"""

from decimal import Decimal

import pytest
from django.db import ProgrammingError, connection

from accounts.models import Role
from accounts.permissions import SYSTEM
from programme import services
from programme.models import Project
from public import publishing, selectors
from tests import factories

pytestmark = pytest.mark.django_db

DRAFT_AMOUNT = "765432109"


@pytest.fixture
def projects(db):
    admin = factories.user("admin-mix", Role.CITY_ADMIN)
    haishu = factories.district(code="330203", name="海曙区")
    jiangbei = factories.district(code="330205", name="江北区")
    out = {}
    for key, district, stage in (
        ("hs1", haishu, "construction"),
        ("hs2", haishu, "annual_plan"),
        ("jb", jiangbei, "handover"),
        ("draft", jiangbei, "will_vote"),
    ):
        c = factories.community(street=factories.street(district=district))
        p = services.project_create(
            user=admin, name=f"{key}改造", year=2022, community=c
        )
        Project.objects.filter(pk=p.pk).update(stage=stage)
        out[key] = p
    rows = {
        "hs1": [("city_subsidy", "400000", 2022), ("district_special", "600000", 2022)],
        "hs2": [("city_subsidy", "100000", 2022), ("owners_direct", "50000", 2023)],
        "jb": [("special_bonds", "300000", 2021), ("bank_insurance", "200000", 2021)],
        "draft": [("district_special", f"{DRAFT_AMOUNT}.00", 2022)],
    }
    for key, lines in rows.items():
        for source, amount, year in lines:
            services.funding_source_save(
                user=admin,
                project=out[key],
                source=source,
                amount=amount,
                year=year,
                note="PRIVATE-NOTE",
            )
    publishing.publish(SYSTEM)
    out["admin"] = admin
    return out


def test_mix_sums_public_projects_per_district_year_and_source(client, projects):
    resp = client.get("/api/public/funding-mix/")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert DRAFT_AMOUNT not in body and "PRIVATE-NOTE" not in body
    assert "hs1" not in body  # no project names
    data = resp.json()
    rows = {(r["district_name"], r["year"]): r for r in data["rows"]}
    assert set(rows) == {("海曙区", 2022), ("海曙区", 2023), ("江北区", 2021)}
    hs = rows[("海曙区", 2022)]
    assert hs["by_source"]["city_subsidy"] == "500000.00"  # two projects summed
    assert hs["total_yuan"] == "1100000.00"
    assert hs["by_group"]["government"] == "1100000.00"
    jb = rows[("江北区", 2021)]
    assert jb["by_group"]["social_capital"] == "200000.00"
    # the draft's 2022 money is in no row and no city total
    city = {r["year"]: r for r in data["city"]}
    assert city[2022]["total_yuan"] == "1100000.00"
    assert sum(Decimal(r["total_yuan"]) for r in data["city"]) == Decimal("1650000.00")


def test_role_reads_the_view_but_not_the_rows(projects):
    with selectors.public_query(), connection.cursor() as cur:
        cur.execute("SELECT sum(amount_yuan) FROM programme_public_funding_mix")
        assert cur.fetchone()[0] == Decimal("1650000.00")
    denied = pytest.raises(ProgrammingError, match="permission denied")
    with denied, selectors.public_query(), connection.cursor() as cur:
        cur.execute("SELECT amount FROM programme_fundingsource")


def test_an_edit_changes_the_etag_and_the_numbers(client, projects):
    first = client.get("/api/public/funding-mix/")
    etag = first["ETag"]
    assert (
        client.get("/api/public/funding-mix/", HTTP_IF_NONE_MATCH=etag).status_code
        == 304
    )
    services.funding_source_save(
        user=projects["admin"],
        project=projects["hs1"],
        source="city_subsidy",
        amount="450000",
        year=2022,
    )
    again = client.get("/api/public/funding-mix/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag
    rows = {(r["district_name"], r["year"]): r for r in again.json()["rows"]}
    assert rows[("海曙区", 2022)]["by_source"]["city_subsidy"] == "550000.00"


def test_stats_page_shows_the_mix_table_and_chart(client, projects):
    html = client.get("/public/stats/").content.decode()
    assert 'id="funding-mix-table"' in html
    assert "中央补助资金" in html and "银行、保险融资" in html
    assert "1100000.00" in html
    assert DRAFT_AMOUNT not in html and "PRIVATE-NOTE" not in html
    assert 'id="funding-mix-chart"' in html and "<svg" in html
