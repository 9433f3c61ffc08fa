"""Public reads run as a database role that cannot read private data (SECURITY.md E2).

``public_query()`` switches to ``settings.PUBLIC_DB_ROLE`` with ``SET LOCAL ROLE``; the
``public`` migration grants that role ``SELECT`` on the allowlisted columns only. So a
bug that selects a private column (or a private table) inside a public read is refused
by PostgreSQL itself, and the rest of tests/public, which all read through
``public_query()``, proves that the grants are enough.
"""

from __future__ import annotations

import importlib
from contextlib import contextmanager
from types import SimpleNamespace

import psycopg2.errors
import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import DataError, ProgrammingError, connection, transaction

from public import db_role, selectors
from public.checks import check_public_db_role

from .conftest import SENTINEL

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("public.migrations.0001_public_db_role")
#: later grants (each a migration with its own frozen PUBLIC_COLUMNS)
LATER_GRANTS = [
    importlib.import_module("public.migrations.0002_basemap_grants"),
    importlib.import_module("public.migrations.0003_scope_version_columns"),
    importlib.import_module("public.migrations.0005_first_publication"),
    # residents' voice: the view of published suggestions only (no contact)
    importlib.import_module("voice.migrations.0002_public_view"),
    importlib.import_module("public.migrations.0006_funding_mix_grants"),
]
#: PostGIS's own metadata, readable by PUBLIC in every PostGIS database
POSTGIS_PUBLIC = {"geometry_columns", "geography_columns", "spatial_ref_sys"}

PRIVATE_READS = [
    "SELECT internal_notes FROM layers_community",
    "SELECT fund_balance_yuan FROM layers_community",
    "SELECT fund_standard_yuan FROM layers_community",
    "SELECT * FROM layers_community",
    # the live layers: the public reads only their published snapshot (public.models)
    "SELECT name, public_notes FROM layers_community",
    "SELECT name FROM layers_district",
    "SELECT name FROM layers_street",
    "SELECT geom FROM layers_amenity",
    "SELECT published_by_id, counts FROM public_publication",
    "SELECT internal_notes FROM layers_historicalcommunity",
    "SELECT history_user_id, history_change_reason FROM layers_historicalcommunity",
    "SELECT password FROM auth_user",
    "SELECT count(*) FROM auth_user",
    "SELECT session_data FROM django_session",
    "SELECT budget, unit_cost, final_account FROM programme_projectitem",
    "SELECT funding_plan FROM programme_project",
    "SELECT documents FROM programme_project",
    "SELECT reasons FROM programme_vote",
    "SELECT total_area_m2, consent_area_m2 FROM programme_vote",
    "SELECT recorded_by_id FROM programme_vote",
    "SELECT * FROM programme_stagetransition",
    "SELECT * FROM programme_publicrevenue",
    "SELECT project_id, amount, note FROM programme_fundingsource",
    "SELECT * FROM programme_projectutility",
    "SELECT parameters, created_by_id FROM geoapp_analysisrun",
    "SELECT distances_m FROM geoapp_coverageresult",
    "SELECT * FROM layers_idleland",
    "SELECT * FROM accounts_profile",
    "SELECT contact FROM voice_suggestion",
    "SELECT text FROM voice_suggestion WHERE status = 'pending'",
    "SELECT text FROM voice_historicalsuggestion",
]
WRITES = [
    "UPDATE layers_community SET name = name",
    "DELETE FROM layers_communityphoto",
    "DELETE FROM public_publishedcommunity",
    "INSERT INTO django_session (session_key, session_data, expire_date)"
    " VALUES ('x', 'y', now())",
]


def _one(sql: str, params=None):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


def _readable_columns(role: str) -> dict[str, set[str]]:
    """{table: readable columns} of every relation in schema public, per PostgreSQL."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname, a.attname FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'"
            " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
            " AND NOT a.attisdropped"
            " WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')"
            " AND has_column_privilege(%s, c.oid, a.attnum, 'SELECT')",
            [role],
        )
        out: dict[str, set[str]] = {}
        for table, column in cur.fetchall():
            out.setdefault(table, set()).add(column)
    return out


def _expected_columns() -> dict[str, set[str]]:
    out = {t: set(cols) for t, cols in MIGRATION.PUBLIC_COLUMNS.items() if cols}
    for m in LATER_GRANTS:
        for t, cols in m.PUBLIC_COLUMNS.items():
            out.setdefault(t, set()).update(cols)
        for t in getattr(m, "REVOKED_TABLES", ()):
            out.pop(t, None)
    return out


def _readable_outside_postgis(role: str) -> dict[str, set[str]]:
    return {
        t: cols
        for t, cols in _readable_columns(role).items()
        if t not in POSTGIS_PUBLIC
    }


@pytest.fixture
def role(settings) -> str:
    assert settings.PUBLIC_DB_ROLE, "the test settings keep the public role on"
    return settings.PUBLIC_DB_ROLE


# --- (a) private data is refused inside public_query, the allowlist is readable ----
@pytest.mark.parametrize("sql", PRIVATE_READS + WRITES)
def test_private_tables_and_columns_are_refused(city, sql):
    refused = pytest.raises(ProgrammingError, match="permission denied")
    with refused as info, selectors.public_query():
        _one(sql)
    assert isinstance(info.value.__cause__, psycopg2.errors.InsufficientPrivilege)


def test_the_same_reads_work_without_the_role(city):
    """The refusals above come from the role, not from a missing table or column."""
    for sql in PRIVATE_READS:
        _one(sql)
    assert (
        SENTINEL
        in _one(
            "SELECT internal_notes FROM layers_community WHERE code = %s", ["CPUB1"]
        )[0]
    )


def test_allowlisted_columns_are_readable(city):
    with selectors.public_query(), connection.cursor() as cur:
        for table, cols in _expected_columns().items():
            cur.execute(
                "SELECT "
                + ", ".join(f'"{c}"' for c in sorted(cols))
                + f' FROM "{table}"'
            )
            cur.fetchall()
        cur.execute(
            "SELECT name, public_notes FROM public_publishedcommunity WHERE code = %s",
            ["CPUB1"],
        )
        assert cur.fetchone() == ("月湖新村", "公开说明：2024 年实施")


def test_role_reads_exactly_the_allowlist(role):
    """Column by column, the role reads what the migration grants and nothing else."""
    assert _readable_outside_postgis(role) == _expected_columns()


def test_public_card_is_built_under_the_role(client, city):
    """A card reads communities, history, photos, runs and programme under the role."""
    card = client.get(f"/api/public/communities/{city['target'].code}/").json()
    assert card["name"] == "月湖新村"
    assert card["coverage"]["after"]["score"] == 75.0
    if "project" in city:
        assert card["votes"][0]["consent_ratio"] == 0.96


# --- (b) the connection is back to the application's user afterwards --------------
def _private_read_works() -> bool:
    return (
        SENTINEL
        in _one("SELECT internal_notes FROM layers_community WHERE code = 'CPUB1'")[0]
    )


def test_role_is_reset_after_the_block(city):
    user = _one("SELECT current_user")[0]
    timeout = _one("SHOW statement_timeout")[0]
    with selectors.public_query():
        pass
    assert _one("SELECT current_user")[0] == user
    assert _one("SHOW statement_timeout")[0] == timeout
    assert _private_read_works()


def test_role_is_reset_inside_an_outer_atomic_block(city):
    user = _one("SELECT current_user")[0]
    with transaction.atomic():
        with selectors.public_query():
            assert _one("SELECT current_user")[0] != user
        assert _one("SELECT current_user")[0] == user
        assert _private_read_works()
        with transaction.atomic():  # and nested one more level
            with selectors.public_query():
                pass
            assert _private_read_works()
    assert _one("SELECT current_user")[0] == user


def test_role_is_reset_after_an_error_in_the_block(city):
    user = _one("SELECT current_user")[0]
    with pytest.raises(ProgrammingError), selectors.public_query():
        _one("SELECT internal_notes FROM layers_community")
    assert _one("SELECT current_user")[0] == user
    assert _private_read_works()


def test_nested_public_query_keeps_the_outer_role(role):
    with selectors.public_query():
        with selectors.public_query(timeout_ms=100):
            assert _one("SHOW statement_timeout")[0] == "100ms"
        assert _one("SELECT current_user")[0] == role
        assert _one("SHOW statement_timeout")[0] == "5s"


@pytest.mark.django_db(transaction=True)
def test_role_ends_with_the_transaction_when_outermost(role):
    """Without an outer transaction (a real request), COMMIT ends the role."""
    assert not connection.in_atomic_block
    user = _one("SELECT current_user")[0]
    with selectors.public_query():
        assert _one("SELECT current_user")[0] == role
    assert _one("SELECT current_user")[0] == user
    _one("SELECT count(*) FROM auth_user")


# --- (c) current_user is the role inside the block ----------------------------------
def test_current_user_inside_is_the_role(role):
    app_user = _one("SELECT session_user")[0]
    with selectors.public_query():
        current, session = _one("SELECT current_user, session_user")
    assert current == role
    assert session == app_user != role


def test_empty_setting_switches_the_role_off(settings, city):
    """The documented (not recommended) off switch: statements run as the app user."""
    settings.PUBLIC_DB_ROLE = ""
    with selectors.public_query():
        assert _one("SELECT current_user")[0] == _one("SELECT session_user")[0]
        assert _private_read_works()


def test_unknown_role_fails_closed(settings):
    settings.PUBLIC_DB_ROLE = "geoapp_public_does_not_exist"
    with pytest.raises(DataError, match="does not exist"), selectors.public_query():
        pass


# --- the migration: re-runnable, reversible, identifiers quoted ---------------------
def _run(fn) -> None:
    fn(None, SimpleNamespace(connection=connection))


def _grant_all() -> None:
    """The public migrations' grants in order (0001 revokes everything first), as
    ``migrate public zero && migrate public`` re-applies them."""
    _run(MIGRATION.grant)
    for m in LATER_GRANTS:
        _run(m.grant)


def test_migration_is_rerunnable_and_reversible(role):
    _grant_all()  # again, as in every new (test) database
    assert _readable_outside_postgis(role) == _expected_columns()
    _run(MIGRATION.revoke)
    assert _readable_outside_postgis(role) == {}
    with connection.cursor() as cur:
        assert db_role.role_exists(cur, role)  # kept: other databases use it
    _grant_all()
    assert _readable_outside_postgis(role) == _expected_columns()
    # (the test transaction rolls every grant and revoke back)


def test_migration_revokes_grants_made_by_hand(role):
    with connection.cursor() as cur:
        (qrole,) = db_role.quote_idents(cur, [role])
        cur.execute(f"GRANT SELECT ON auth_user, layers_community TO {qrole}")
    assert "password" in _readable_columns(role)["auth_user"]
    _grant_all()
    assert _readable_outside_postgis(role) == _expected_columns()


def test_role_name_is_an_identifier_not_sql(settings):
    """A hostile name is created verbatim and used safely (rolled back with the test)."""
    if not _one(
        "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
    )[0]:
        pytest.skip("the test user may not create roles")
    name = 'geoapp public"; DROP TABLE auth_user; --'
    settings.PUBLIC_DB_ROLE = name
    _grant_all()
    assert _one("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", [name]) == (
        False,
    )
    with selectors.public_query():
        assert _one("SELECT current_user")[0] == name
    assert _one("SELECT to_regclass('auth_user')")[0] is not None
    assert _readable_outside_postgis(name) == _expected_columns()


def test_migration_refuses_a_role_that_would_read_everything(settings):
    settings.PUBLIC_DB_ROLE = _one("SELECT current_user")[0]
    with pytest.raises(db_role.PublicRoleError, match="own database user"):
        _grant_all()


def _need_superuser() -> None:
    if not _one("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")[0]:
        pytest.skip("acting as another application user needs a superuser")


@pytest.fixture
def as_app_user():
    """Act as a temporary non-superuser app user (all rolled back after the test)."""
    _need_superuser()

    @contextmanager
    def act(name: str, *attributes: str):
        with transaction.atomic(), connection.cursor() as cur:
            (qname,) = db_role.quote_idents(cur, [name])
            cur.execute(f"CREATE ROLE {qname} NOLOGIN {' '.join(attributes)}")
            cur.execute("SELECT set_config('role', %s, true)", [name])
            yield cur
            transaction.set_rollback(True)

    return act


def test_migration_without_createrole_says_what_a_dba_must_run(as_app_user):
    new = "geoapp_public_not_yet"
    with pytest.raises(db_role.PublicRoleError) as info, as_app_user("app_x") as cur:
        db_role.ensure_role(cur, new)
    msg = str(info.value)
    assert f'CREATE ROLE "{new}" NOLOGIN; GRANT "{new}" TO "app_x";' in msg
    assert "CREATEROLE" in msg and "migrate" in msg


def test_existing_role_the_user_cannot_join_is_explained(as_app_user, role):
    refused = pytest.raises(db_role.PublicRoleError, match="DBA")
    with refused as info, as_app_user("app_y") as cur:
        db_role.ensure_role(cur, role)
    assert isinstance(info.value.__cause__, ProgrammingError)  # GRANT was refused


def test_createrole_user_creates_the_role_and_may_set_it(as_app_user):
    new = "geoapp_public_fresh"
    with as_app_user("app_z", "CREATEROLE") as cur:
        db_role.ensure_role(cur, new)
        cur.execute(
            "SELECT rolcanlogin, pg_has_role('app_z', rolname, 'MEMBER')"
            " FROM pg_roles WHERE rolname = %s",
            [new],
        )
        assert cur.fetchone() == (False, True)


def test_dba_message_names_the_statements():
    msg = db_role._dba_message('pub"lic', "app", "create")
    assert 'CREATE ROLE "pub""lic" NOLOGIN; GRANT "pub""lic" TO "app";' in msg
    assert "CREATEROLE" in msg


# --- (e) the system check -----------------------------------------------------------
def _ids(messages) -> list[str]:
    return [m.id for m in messages if m.level >= checks.WARNING]


def test_check_passes_with_the_migrated_role():
    assert _ids(check_public_db_role(databases=["default"])) == []


def test_check_reports_a_missing_role(settings):
    settings.PUBLIC_DB_ROLE = "geoapp_public_does_not_exist"
    messages = check_public_db_role(databases=["default"])
    assert _ids(messages) == ["public.E001"]
    assert 'CREATE ROLE "geoapp_public_does_not_exist" NOLOGIN' in messages[0].hint
    with pytest.raises(SystemCheckError, match="public.E001"):
        call_command("check", "--database", "default")


def test_check_reports_missing_grants(role):
    _run(MIGRATION.revoke)  # as in a database restored without its grants
    assert _ids(check_public_db_role(databases=["default"])) == ["public.E003"]


def test_check_reports_a_role_that_reads_private_data(role, settings):
    with connection.cursor() as cur:
        (qrole,) = db_role.quote_idents(cur, [role])
        cur.execute(f"GRANT SELECT ON django_session TO {qrole}")
    messages = check_public_db_role(databases=["default"])
    assert _ids(messages) == ["public.E004"]
    assert "django_session.session_data" in messages[0].msg
    settings.PUBLIC_DB_ROLE = _one("SELECT current_user")[0]  # a superuser
    assert "public.E004" in _ids(check_public_db_role(databases=["default"]))


def test_check_is_silent_when_switched_off(settings):
    settings.PUBLIC_DB_ROLE = ""
    assert check_public_db_role(databases=["default"]) == []
