"""The database role that public reads run under (SECURITY.md E2).

:func:`public.selectors.public_query` switches to ``settings.PUBLIC_DB_ROLE`` with
``SET LOCAL ROLE``, so PostgreSQL itself refuses anything outside the allowlist: the
role is ``NOLOGIN`` and may ``SELECT`` only the columns that the public migrations
grant (column-level ``GRANT SELECT (col, …)``). Roles are cluster-wide, grants belong
to one database, so the migrations create the role when it is missing and grant in
every database they run in (dev, bench and every test database).

Every role, table and column name reaches SQL through PostgreSQL's ``quote_ident``;
the role name reaches the ``DO`` block through a parameterised ``set_config``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.conf import settings
from django.db import DatabaseError

#: custom setting (placeholder GUC) that hands the role name to the ``DO`` block
_ROLE_GUC = "geoapp.public_db_role"

#: PostgreSQL 16 separates membership from the right to SET ROLE (``pg_has_role`` 'SET')
CAN_SET_ROLE = (
    "CASE WHEN current_setting('server_version_num')::int >= 160000"
    " THEN 'SET' ELSE 'MEMBER' END"
)
_ENSURE_ROLE = """
DO $$
DECLARE
  r text := current_setting('geoapp.public_db_role');
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;  -- created meanwhile by a migration of another (test) database
    END;
  END IF;
  IF NOT pg_has_role(current_user, r, CAN_SET_ROLE) THEN
    BEGIN
      EXECUTE format('GRANT %I TO %I', r, current_user);
    EXCEPTION WHEN unique_violation THEN
      NULL;  -- granted meanwhile by a parallel migration
    END;
  END IF;
END
$$""".replace("CAN_SET_ROLE", CAN_SET_ROLE)


class PublicRoleError(RuntimeError):
    """The role cannot be created or used by the application's database user."""


def configured_role() -> str:
    """``settings.PUBLIC_DB_ROLE``; empty when the feature is switched off."""
    return (getattr(settings, "PUBLIC_DB_ROLE", "") or "").strip()


def quote_idents(cursor, names: Iterable[str]) -> list[str]:
    """``quote_ident`` of each name, by PostgreSQL (one query)."""
    names = list(names)
    cursor.execute(
        "SELECT quote_ident(n) FROM unnest(%s::text[]) WITH ORDINALITY AS t(n, i)"
        " ORDER BY i",
        [names],
    )
    return [row[0] for row in cursor.fetchall()]


def quoted(name: str) -> str:
    """A quoted identifier for messages shown to people (SQL uses ``quote_ident``)."""
    return '"' + name.replace('"', '""') + '"'


def dba_statements(role: str, user: str) -> str:
    """The SQL a DBA runs once per cluster when the app's user may not create roles."""
    return (
        f"CREATE ROLE {quoted(role)} NOLOGIN; GRANT {quoted(role)} TO {quoted(user)};"
    )


def ensure_role(cursor, role: str) -> None:
    """Create ``role`` (``NOLOGIN``) if missing and make the current user a member.

    Raises :class:`PublicRoleError` with the statements a DBA must run when the user
    lacks ``CREATEROLE`` (managed databases), and when the role would defeat its
    purpose (a superuser, or the application user itself).
    """
    cursor.execute(
        "SELECT current_user, (SELECT rolsuper OR rolcreaterole FROM pg_roles"
        " WHERE rolname = current_user), r.rolsuper, r.rolbypassrls"
        " FROM (SELECT 1) one LEFT JOIN pg_roles r ON r.rolname = %s",
        [role],
    )
    user, can_create, is_super, bypass = cursor.fetchone()
    if role == user:
        raise PublicRoleError(
            f"PUBLIC_DB_ROLE ({role!r}) is the application's own database user: set "
            "GEOAPP_PUBLIC_DB_ROLE to a separate role (default geoapp_public)."
        )
    if is_super or bypass:
        raise PublicRoleError(
            f"The database role {role!r} is a superuser or bypasses row security: "
            "public reads would not be restricted. Use a plain NOLOGIN role."
        )
    exists = is_super is not None
    if not exists and not can_create:
        raise PublicRoleError(_dba_message(role, user, "create"))
    cursor.execute("SELECT set_config(%s, %s, true)", [_ROLE_GUC, role])
    try:
        cursor.execute(_ENSURE_ROLE)
    except DatabaseError as exc:
        raise PublicRoleError(_dba_message(role, user, "use")) from exc


def _dba_message(role: str, user: str, what: str) -> str:
    return (
        f"The public app cannot {what} the database role {role!r} for public reads "
        f"(SECURITY.md E2): the database user {user!r} needs CREATEROLE (or a DBA) "
        "for that, which managed databases often refuse. Ask a DBA to run, once per "
        f"cluster:\n    {dba_statements(role, user)}\n(without CREATE ROLE if the "
        "role exists), then run `manage.py migrate` again. Setting "
        "GEOAPP_PUBLIC_DB_ROLE='' switches the protection off (not recommended)."
    )


def role_exists(cursor, role: str) -> bool:
    cursor.execute("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = %s)", [role])
    return bool(cursor.fetchone()[0])


def revoke_all(cursor, role: str) -> None:
    """Take every privilege of ``role`` in this database's ``public`` schema away.

    Tables not owned by the current user only raise a warning (nothing to revoke).
    The role itself stays: it is cluster-wide and other databases may use it.
    """
    (qrole,) = quote_idents(cursor, [role])
    cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {qrole}")
    cursor.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {qrole}")
    cursor.execute(f"REVOKE ALL ON SCHEMA public FROM {qrole}")


def grant_select(
    cursor,
    role: str,
    columns: Mapping[str, Iterable[str]],
    *,
    optional: Iterable[str] = (),
) -> list[str]:
    """``GRANT SELECT (col, …) ON table TO role`` per table; returns the tables granted.

    A table listed in ``optional`` (an app that may be uninstalled) is skipped when it
    does not exist; any other missing table or column is an error.
    """
    optional = set(optional)
    (qrole,) = quote_idents(cursor, [role])
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {qrole}")
    done = []
    for table, cols in columns.items():
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        if not cursor.fetchone()[0]:
            if table in optional:
                continue
            raise PublicRoleError(f"table {table!r} to grant to {role!r} is missing")
        qtable, *qcols = quote_idents(cursor, [table, *cols])
        target = f"({', '.join(qcols)})" if qcols else ""
        cursor.execute(f"GRANT SELECT {target} ON TABLE {qtable} TO {qrole}")
        done.append(table)
    return done
