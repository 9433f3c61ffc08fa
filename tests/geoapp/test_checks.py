"""The storage-SRID system check (geoapp.checks) against the migrated test database."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test import override_settings

from geoapp import checks

pytestmark = pytest.mark.django_db


def test_default_setting_matches_the_migrated_columns(settings):
    assert checks.check_storage_srid(databases=["default"]) == []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT srid FROM geometry_columns WHERE f_table_name = ANY(%s)",
            [checks.spatial_tables()],
        )
        assert [r[0] for r in cur.fetchall()] == [settings.SRID]


def test_every_spatial_table_is_checked():
    tables = checks.spatial_tables()
    assert {"layers_community", "layers_historicalcommunity", "blocks_barrier"} <= set(
        tables
    )
    assert "auth_user" not in tables


def test_other_setting_is_refused_naming_the_columns():
    with override_settings(SRID=4548):
        found = checks.check_storage_srid(databases=["default"])
        assert [m.id for m in found] == ["geoapp.E001"]
        assert "blocks_barrier.geom (4549)" in found[0].msg  # alphabetical, first 8
        assert " more." in found[0].msg
        assert "GEOAPP_SRID=4549" in found[0].hint
        with pytest.raises(SystemCheckError, match="geoapp.E001"):
            call_command("check", databases=["default"])


def test_without_database_nothing_is_queried():
    with override_settings(SRID=4548):
        assert checks.check_storage_srid(databases=None) == []


def test_no_migration_hard_codes_an_srid():
    """makemigrations writes the current setting as a literal: it must be edited back."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    literal = re.compile(r"srid=\d")
    offenders = [
        str(p.relative_to(root))
        for p in root.glob("*/migrations/*.py")
        if literal.search(p.read_text("utf-8"))
    ]
    assert offenders == []
