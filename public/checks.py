"""System checks of the public app (``manage.py check --database default``, ``migrate``).

E2 (SECURITY.md): the role of :func:`public.selectors.public_query` must exist, be
usable by the application's database user, be able to read the public allowlist, and
be unable to read private columns. Until the ``public`` migration has run, nothing is
checked (the migration creates the role and its grants).
"""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError, connections
from django.db.migrations.recorder import MigrationRecorder

from . import db_role

#: (table, column) pairs the public role must never read; tables that do not exist in
#: this database are skipped
PRIVATE_COLUMNS = (
    ("layers_community", "internal_notes"),
    ("layers_community", "fund_balance_yuan"),
    ("layers_historicalcommunity", "history_user_id"),
    ("auth_user", "password"),
    ("django_session", "session_data"),
    ("programme_project", "funding_plan"),
    ("programme_projectitem", "budget"),
    ("programme_vote", "reasons"),
    # residents' voice: the public reads the view voice_publishedsuggestion only
    ("voice_suggestion", "contact"),
    ("voice_suggestion", "text"),
    ("voice_historicalsuggestion", "text"),
    ("programme_fundingsource", "amount"),
    ("programme_projectutility", "amount"),
)
#: a table the role must be able to read (granted by the public migration)
SAMPLE_PUBLIC_TABLE = "public_publishedcommunity"
_REAPPLY = (
    "re-apply the grants with `manage.py migrate public zero --skip-checks && "
    "manage.py migrate public`"
)


@checks.register(checks.Tags.database)
def check_public_db_role(app_configs=None, databases=None, **kwargs):
    role = db_role.configured_role()
    if not role or not databases or "default" not in databases:
        return []
    connection = connections["default"]
    try:
        recorder = MigrationRecorder(connection)
        if not recorder.has_table() or not any(
            app == "public" for app, _name in recorder.applied_migrations()
        ):
            return []
        with connection.cursor() as cur:
            return _problems(cur, role)
    except DatabaseError as exc:
        return [
            checks.Warning(
                f"Could not check the public database role {role!r}: {exc}",
                id="public.W001",
            )
        ]


def _problems(cur, role: str) -> list[checks.CheckMessage]:
    cur.execute(
        "SELECT current_user, r.rolsuper OR r.rolbypassrls"
        " FROM (SELECT 1) one LEFT JOIN pg_roles r ON r.rolname = %s",
        [role],
    )
    user, powerful = cur.fetchone()
    if powerful is None:
        return [
            checks.Error(
                f"The database role {role!r} (PUBLIC_DB_ROLE) does not exist, so every "
                "public page fails.",
                hint="A DBA runs once per cluster: "
                f"{db_role.dba_statements(role, user)} Then {_REAPPLY}.",
                id="public.E001",
            )
        ]
    cur.execute(f"SELECT pg_has_role(current_user, %s, {db_role.CAN_SET_ROLE})", [role])
    if not cur.fetchone()[0]:
        return [
            checks.Error(
                f"The database user {user!r} cannot SET ROLE to {role!r} "
                "(PUBLIC_DB_ROLE): it is not a member.",
                hint=f"A DBA runs: GRANT {db_role.quoted(role)} TO {db_role.quoted(user)};",
                id="public.E002",
            )
        ]
    problems: list[checks.CheckMessage] = []
    cur.execute(
        "SELECT has_any_column_privilege(%s, c.oid, 'SELECT')"
        " FROM pg_class c WHERE c.oid = to_regclass(%s)",
        [role, SAMPLE_PUBLIC_TABLE],
    )
    row = cur.fetchone()
    if row is not None and not row[0]:
        problems.append(
            checks.Error(
                f"The role {role!r} (PUBLIC_DB_ROLE) has no grant on "
                f"{SAMPLE_PUBLIC_TABLE} in this database, so every public page fails.",
                hint=f"The grants of public/migrations are missing (restored "
                f"database?): {_REAPPLY}.",
                id="public.E003",
            )
        )
    tables, columns = zip(*PRIVATE_COLUMNS, strict=True)
    cur.execute(
        "SELECT s.t || '.' || s.c FROM unnest(%s::text[], %s::text[]) AS s(t, c)"
        " JOIN pg_attribute a ON a.attrelid = to_regclass(s.t) AND a.attname = s.c"
        " AND NOT a.attisdropped"
        " WHERE has_column_privilege(%s, a.attrelid, a.attnum, 'SELECT')",
        [list(tables), list(columns), role],
    )
    leaks = [r[0] for r in cur.fetchall()]
    if powerful or role == user or leaks:
        what = ", ".join(leaks) if leaks else "everything"
        problems.append(
            checks.Error(
                f"The role {role!r} (PUBLIC_DB_ROLE) can read private data ({what}).",
                hint="Use a plain NOLOGIN role that is neither the application's user "
                f"nor a superuser, revoke the extra grants, then {_REAPPLY}.",
                id="public.E004",
            )
        )
    return problems
