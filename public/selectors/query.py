"""Every public read: under the public database role with a statement timeout, and the data version that keys the caches."""

from __future__ import annotations

import hashlib
import time
from contextlib import contextmanager

from django.apps import apps
from django.db import connection, transaction

from public.db_role import configured_role

#: Statement timeout of every public query (SECURITY.md G2: ≤ 5 s).
STATEMENT_TIMEOUT_MS = 5000


class PublicQueryTimeout(Exception):
    """A public query hit the statement timeout (answered with 503)."""


#: remember the current settings, then SET LOCAL the timeout (and the role) at once;
#: ``OFFSET 0`` keeps the sub-select unflattened, so it is read before set_config runs
_ENTER_SQL = (
    "SELECT prev.role, prev.timeout, set_config('statement_timeout', %s, true){role}"
    " FROM (SELECT current_setting('role') AS role,"
    " current_setting('statement_timeout') AS timeout OFFSET 0) AS prev"
)


_ENTER_WITH_ROLE = _ENTER_SQL.format(role=", set_config('role', %s, true)")


_ENTER_WITHOUT_ROLE = _ENTER_SQL.format(role="")


_LEAVE_SQL = (
    "SELECT set_config('role', %s, true), set_config('statement_timeout', %s, true)"
)


@contextmanager
def public_query(timeout_ms: int | None = None):
    """A transaction whose statements run as the public role, cancelled after ``timeout_ms``.

    Both are ``SET LOCAL`` (``set_config(..., true)``, parameterised): the role
    ``settings.PUBLIC_DB_ROLE`` may read only the allowlisted columns (SECURITY.md E2,
    granted by ``public/migrations``), the timeout bounds every query (G2). Outside a
    transaction the COMMIT ends both. Inside an outer one (tests, a caller's atomic
    block) a released savepoint would keep them until the outer transaction ends, so
    the success path puts the previous values back; a rolled-back savepoint reverts
    them by itself. Nothing inside may write: the role cannot.
    """
    from django.db.utils import OperationalError

    timeout_ms = timeout_ms or STATEMENT_TIMEOUT_MS
    role = configured_role()
    outer = connection.in_atomic_block or not connection.get_autocommit()
    try:
        with transaction.atomic():
            with connection.cursor() as cur:
                if role:
                    cur.execute(_ENTER_WITH_ROLE, [str(int(timeout_ms)), role])
                else:
                    cur.execute(_ENTER_WITHOUT_ROLE, [str(int(timeout_ms))])
                prev_role, prev_timeout = cur.fetchone()[:2]
            yield
            if outer and not connection.needs_rollback:
                with connection.cursor() as cur:
                    cur.execute(_LEAVE_SQL, [prev_role, prev_timeout])
    except OperationalError as exc:
        if "statement timeout" in str(exc) or "canceling statement" in str(exc):
            raise PublicQueryTimeout(str(exc)) from exc
        raise


# ---------------------------------------------------------------------------
# Versioning (ETag / cache key)
# ---------------------------------------------------------------------------
_TABLES_CHECKED: dict[str, tuple[float, bool]] = {}


def _programme_installed() -> bool:
    """``programme`` installed *and* migrated (it is being written: tables may lag)."""
    if not apps.is_installed("programme"):
        return False
    now = time.monotonic()
    hit = _TABLES_CHECKED.get(connection.alias)
    if hit and now - hit[0] < 60:
        return hit[1]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL"
            " AND to_regclass(%s) IS NOT NULL",
            ["programme_project", "programme_projectitem", "programme_vote"],
        )
        ok = bool(cur.fetchone()[0])
    _TABLES_CHECKED[connection.alias] = (now, ok)
    return ok


_MIX_CHECKED: dict[str, tuple[float, bool]] = {}


def _funding_mix_installed() -> bool:
    """The programme's funding sources and their public view exist (programme 0010)."""
    if not _programme_installed():
        return False
    now = time.monotonic()
    hit = _MIX_CHECKED.get(connection.alias)
    if hit and now - hit[0] < 60:
        return hit[1]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
            ["programme_fundingsource", "programme_public_funding_mix"],
        )
        ok = bool(cur.fetchone()[0])
    _MIX_CHECKED[connection.alias] = (now, ok)
    return ok


def data_version() -> str:
    """A short hash of max(updated_at) and row counts of every table public data comes from.

    One query; any edit (update, insert, delete) of a public table changes it, which
    changes every public ETag and cache key.
    """
    parts: list[tuple[str, str | None, *tuple[str, ...]]] = [
        # the public layers change only by a publication (public.publishing), which
        # adds a row here: imports and edits of the live layers change no public answer
        ("public_publication", "published_at"),
        ("layers_communityphoto", "created_at"),
        # finished runs only: queueing or starting a run changes no public answer
        ("geoapp_analysisrun", "finished_at", "finished_at IS NOT NULL"),
    ]
    if _programme_installed():
        parts += [("programme_project", "updated_at")]
        parts += [("programme_projectitem", None), ("programme_vote", None)]
        # the programme's scope (the targets): recorded decisions and 片区 membership
        parts += [
            ("programme_scopedecision", "decided_at"),
            ("blocks_renovationblock", "updated_at"),
        ]
    if _funding_mix_installed():
        # the funding mix (money by source per district and year)
        parts += [("programme_fundingsource", "updated_at")]
    selects = []
    for table, col, *where in parts:
        tbl = connection.ops.quote_name(table)
        cond = f" WHERE {where[0]}" if where else ""
        if col:
            selects.append(
                f"(SELECT concat(count(*), ':', max(id), ':', max({col}))"
                f" FROM {tbl}{cond})"
            )
        else:
            selects.append(f"(SELECT concat(count(*), ':', max(id)) FROM {tbl}{cond})")
    # the basemap can hold 10^5-10^6 building outlines: its change stamp (kept by a
    # trigger, layers/stamps.py), not a scan
    selects.append(
        "(SELECT concat(epoch, ':', version) FROM layers_layerstamp"
        " WHERE layer = 'basemap')"
    )
    # identifiers are constants from this module, nothing from the request
    sql = "SELECT " + ", ".join(selects)
    with connection.cursor() as cur:
        cur.execute(sql)
        row = cur.fetchone()
    return hashlib.sha1("|".join(map(str, row)).encode()).hexdigest()[:16]
