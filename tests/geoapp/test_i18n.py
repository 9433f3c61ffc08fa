"""Chinese by default, English on request: the header switcher (Django's set_language),
the translated templates, the JavaScript catalog and complete English .po/.mo files."""

import gettext as gnu_gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from geoapp.catalogs import DOMAINS, messages, parse_po
from tests.e2e.conftest import login

REPO = Path(__file__).resolve().parents[2]
LOCALE = REPO / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")


# ---------------------------------------------------------------- pages


@pytest.fixture
def planner_user(db):
    return get_user_model().objects.create_superuser(
        "i18n-root", "i18n@example.org", "pw-123456"
    )


def switch_to_english(client):
    resp = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert resp.status_code == 302
    assert client.cookies["django_language"].value == "en"


@pytest.mark.django_db
def test_home_is_chinese_by_default_even_for_english_browsers(client):
    html = client.get(reverse("public-map"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "宁波城镇老旧小区改造 GIS" in html
    assert "规划人员登录" in html
    assert "Planner login" not in html


@pytest.mark.django_db
def test_planner_is_chinese_by_default(client, planner_user):
    client.force_login(planner_user)
    resp = client.get(reverse("planner"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert resp["Content-Language"] == "zh-hans"
    for label in ("规划工作台", "15分钟生活圈分析", "运行分析", "生成片区", "推荐选址"):
        assert label in html
    assert "Run analysis" not in html


@pytest.mark.django_db
def test_switching_to_english_translates_home_and_planner(client, planner_user):
    switch_to_english(client)
    html = client.get(
        reverse("public-map"), HTTP_ACCEPT_LANGUAGE="zh-CN"
    ).content.decode()
    assert '<html lang="en">' in html
    assert "Ningbo Old Residential Community Renovation GIS" in html
    assert "Planner login" in html
    assert "规划人员登录" not in html

    client.force_login(planner_user)
    resp = client.get(reverse("planner"))
    html = resp.content.decode()
    assert resp["Content-Language"] == "en"
    for label in (
        "Planning workspace",
        "15-minute life circle analysis",
        "Run analysis",
        "Generate blocks",
        "Recommend sites",
        "Idle land",
        "Vacant public housing",
        "Log out",
    ):
        assert label in html, label
    for label in ("规划工作台", "运行分析", "闲置公房", "退出"):
        assert label not in html, label

    # and back to Chinese
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "规划工作台" in client.get(reverse("planner")).content.decode()


@pytest.mark.django_db
def test_an_english_request_leaves_the_thread_in_the_default_language(client):
    """The language is the request's only: what the thread does next (the next test,
    a background task) speaks the default again."""
    switch_to_english(client)
    assert client.get(reverse("public-map"))["Content-Language"] == "en"
    assert translation.get_language() == settings.LANGUAGE_CODE
    assert translation.gettext("退出") == "退出"


@pytest.mark.django_db
def test_javascript_catalog_serves_english_only_when_chosen(client):
    url = reverse("javascript-catalog")
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Renovation stage" not in zh
    switch_to_english(client)
    resp = client.get(url)
    assert resp.status_code == 200
    js = resp.content.decode()
    for text in (
        "Renovation stage",
        "Life circle coverage score (analysis #%(id)s)",
        "Saved. ",
        "Vacant public housing",
    ):
        assert text in js, text


def test_base_template_loads_the_catalog_before_the_modules():
    base = (REPO / "templates" / "base.html").read_text(encoding="utf-8")
    assert base.index("{% url 'javascript-catalog' %}") < base.index(
        "{% block scripts %}"
    )


# ---------------------------------------------------------------- .po / .mo files


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_msgid_has_an_english_translation(domain):
    """The committed catalogs (tests/geoapp/test_catalogs.py checks them against the
    sources): every entry in English, no Chinese left in one, the same placeholders."""
    header = parse_po(LOCALE / f"{domain}.po")[0]
    assert header.msgid == "" and "Language: en" in header.msgstr[0]
    assert "fuzzy" not in header.flags
    entries = messages(LOCALE / f"{domain}.po")
    assert len(entries) > (100 if domain == "djangojs" else 300)
    for e in entries:
        assert e.translated, f"untranslated: {e.msgid!r}"
        assert "fuzzy" not in e.flags, f"fuzzy: {e.msgid!r}"
        for msgstr in e.msgstr:
            assert not re.search(r"[\u4e00-\u9fff]", msgstr), msgstr
            assert sorted(PLACEHOLDER.findall(e.msgid)) == sorted(
                PLACEHOLDER.findall(msgstr)
            ), e.msgid
            if "python-format" in e.flags:
                assert e.msgid.count("%%") == msgstr.count("%%"), e.msgid


@pytest.mark.parametrize("domain", DOMAINS)
def test_compiled_mo_matches_the_po(domain):
    """The .mo files are committed (compilemessages is not part of a deployment):
    they must be up to date."""
    with (LOCALE / f"{domain}.mo").open("rb") as fh:
        mo = gnu_gettext.GNUTranslations(fh)
    for e in messages(LOCALE / f"{domain}.po"):
        if e.msgid_plural:
            for n, msgstr in zip((1, 2), e.msgstr):
                assert mo.ngettext(e.msgid, e.msgid_plural, n) == msgstr, e.msgid
        else:
            assert mo.gettext(e.msgid) == e.msgstr[0], e.msgid


# ---------------------------------------------------------------- browser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_header_switcher_turns_the_planner_english(
    live_server,
    new_page,  # noqa: F811
    reference_data,
):
    get_user_model().objects.create_superuser("root", "r@example.org", "pw-123456")
    page = new_page()
    login(page, live_server, "root", "pw-123456")
    assert page.inner_text("#panel h2 >> nth=0") == "搜索"
    assert "改造阶段" in page.inner_text(".legend")

    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    page.wait_for_selector("body[data-map-ready='1']", timeout=60_000)
    assert page.url.endswith("/planner/")
    assert page.evaluate("document.documentElement.lang") == "en"
    panel = page.inner_text("#panel")
    for label in ("Search", "Draw into layer", "Run analysis", "Generate blocks"):
        assert label in panel, label
    assert "运行分析" not in panel
    # strings from the ES modules, through the JavaScript catalog
    legend = page.inner_text(".legend")
    assert "Renovation stage" in legend and "改造阶段" not in legend
    assert "District boundaries" in page.text_content(".leaflet-control-layers")
    assert page.errors == []
