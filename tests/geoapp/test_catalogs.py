"""Complete catalogs: every string the sources mark (and every data-borne name) has an
English translation, in both domains. The sources are extracted the way `manage.py
catalogs` does (geoapp.catalogs: makemessages in a scratch tree), so a string added
tomorrow without its English fails here, listed with where it is."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from geoapp import catalogs

BASE = Path(settings.BASE_DIR)

HOW_TO_FIX = (
    "Run `make messages` (manage.py catalogs), write the English of each msgid in "
    "locale/en/LC_MESSAGES/<domain>.po (no fuzzy flag) and run `make messages` again "
    "(it compiles the .mo files)."
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return catalogs.extract(tmp_path_factory.mktemp("catalogs"))


def test_every_msgid_of_the_sources_has_its_english(scratch):
    gaps = catalogs.gaps(scratch)
    listing = "\n".join(str(g) for g in gaps)
    assert not gaps, f"{len(gaps)} msgids without English:\n{listing}\n{HOW_TO_FIX}"


def test_the_committed_catalogs_are_what_the_sources_mark(scratch):
    """An entry no source marks is dropped by the next update (a string made at run
    time must be marked with gettext_noop where it is defined, or be a data string)."""
    stale = catalogs.stale(scratch)
    listing = "\n".join(f"{d}.po  {m!r}" for d, m in stale)
    assert not stale, (
        f"{len(stale)} catalog entries no source marks:\n{listing}\n"
        "Mark them in the source (gettext_noop) or list their data file in "
        "geoapp.catalogs.DATA_STRINGS, then run `make messages`."
    )


def test_the_rule_sets_category_names_are_extracted_from_the_data(scratch):
    ruleset = json.loads(
        (BASE / "fixtures/rulesets/gb50180_2018.json").read_text(encoding="utf-8")
    )
    names = {c["name"] for c in ruleset["categories"]}
    assert len(names) >= 29
    entries = {e.msgid: e for e in catalogs.messages(scratch / "django.po")}
    for name in names:
        refs = entries[name].references
        assert any(r.startswith("fixtures/rulesets/gb50180_2018.json:") for r in refs)
    # the reference is the line of the data file the name stands on
    e = entries["幼儿园"]
    ref = next(r for r in e.references if r.startswith("fixtures/"))
    line = int(ref.rsplit(":", 1)[1])
    text = (BASE / "fixtures/rulesets/gb50180_2018.json").read_text(encoding="utf-8")
    assert '"幼儿园"' in text.splitlines()[line - 1]


def test_a_string_added_without_english_fails_with_where_it_is(tmp_path):
    """The project as it is plus a template and an ES module with new strings: both
    domains report them, with their files and lines."""
    base = tmp_path / "project"
    base.mkdir()
    for name in {"manage.py", "fixtures", "locale", *catalogs.SOURCE_DIRS} - {
        "templates"
    }:
        (base / name).symlink_to(BASE / name)
    (base / "templates").mkdir()
    for child in (BASE / "templates").iterdir():
        (base / "templates" / child.name).symlink_to(child)
    (base / "templates" / "tomorrow.html").write_text(
        '{% load i18n %}\n<p>{% translate "明天新加的页面文字" %}</p>\n',
        encoding="utf-8",
    )
    (base / "templates" / "tomorrow.js").write_text(
        'const a = 1;\nconst b = gettext("明天新加的地图文字");\n', encoding="utf-8"
    )
    work = tmp_path / "work"
    work.mkdir()
    gaps = catalogs.gaps(catalogs.extract(work, base=base))
    found = {(g.domain, g.msgid, g.why, tuple(g.references)) for g in gaps}
    assert found == {
        (
            "django",
            "明天新加的页面文字",
            "untranslated",
            ("templates/tomorrow.html:2",),
        ),
        (
            "djangojs",
            "明天新加的地图文字",
            "untranslated",
            ("templates/tomorrow.js:2",),
        ),
    }
    assert "templates/tomorrow.js:2" in str(
        next(g for g in gaps if g.domain == "djangojs")
    )
    # the project's own catalogs were not touched
    assert "明天新加" not in (BASE / "locale/en/LC_MESSAGES/django.po").read_text(
        encoding="utf-8"
    )


def test_parse_po_reads_plurals_continuations_flags_and_obsolete(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1 b.html:2\n#, fuzzy, python-format\n#| msgid "旧"\n'
        'msgid "新 %(n)s"\nmsgstr "New \\"%(n)s\\""\n\n'
        '#: c.html:3\nmsgid "待审核 %(n)s 个"\nmsgid_plural "待审核 %(n)s 个"\n'
        'msgstr[0] "%(n)s awaiting"\nmsgstr[1] ""\n\n'
        'msgid ""\n"长的"\n"句子"\nmsgstr ""\n"A long "\n"sentence"\n\n'
        '#~ msgid "过时"\n#~ msgstr "Stale"\n',
        encoding="utf-8",
    )
    header, fuzzy, plural, long, obsolete = catalogs.parse_po(po)
    assert header.msgstr == ["Language: en\n"]
    assert fuzzy.msgid == "新 %(n)s" and fuzzy.msgstr == ['New "%(n)s"']
    assert fuzzy.flags == {"fuzzy", "python-format"}
    assert fuzzy.references == ["a.py:1", "b.html:2"]
    assert plural.msgid_plural and plural.msgstr == ["%(n)s awaiting", ""]
    assert not plural.translated
    assert long.msgid == "长的句子" and long.msgstr == ["A long sentence"]
    assert obsolete.obsolete and obsolete.msgid == "过时"
    assert [e.msgid for e in catalogs.messages(po)] == [
        "新 %(n)s",
        "待审核 %(n)s 个",
        "长的句子",
    ]
