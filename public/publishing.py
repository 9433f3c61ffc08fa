"""Publishing: the planners' data reaches the public map when a city administrator says so.

Imports and map edits write the live layer tables (``layers``) at once; the public map,
tiles, cards, statistics and OGC API read the published snapshot (:mod:`public.models`).
:func:`pending_changes` compares the two per layer (added / changed / removed, by the
live row's id and the public columns only: an edit of an internal note is no change to
publish); :func:`publish` replaces every snapshot with the live data and records a
:class:`~public.models.Publication` in **one transaction**, so the public sees the old
state or the new one, never a mix. The new publication changes
:func:`public.selectors.data_version` (it counts ``public_publication``), which keys every
public ETag, cache entry and tile.

Who publishes: a city administrator only (``accounts.permissions.ADMINS``). The public
map is one city-wide product; a district planner sees the changes waiting, the whole
city's included, and asks the city to publish. (Per-district publishing would let a
district push a neighbour's half-done edits, or publish a community moved across a
boundary without the other district's review.) Management commands publish as
:data:`accounts.permissions.SYSTEM` (``make_demo``, the first publication in migration
0004).

Publishing locks the publication table (``SHARE ROW EXCLUSIVE``: one publisher at a
time; public readers are not blocked) and copies each live layer into a temporary table
first, in one statement, so the counts recorded are exactly those of the rows published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from layers import stamps as layer_stamps

from .models import Publication, PublishedAmenity, PublishedCommunity, PublishedDistrict


@dataclass(frozen=True)
class Snapshot:
    """One public layer: its snapshot table and the SELECT of the live rows it copies."""

    key: str
    label: Promise
    model: type[models.Model]
    #: snapshot column -> SQL expression over the live table ``l`` (and its joins)
    columns: dict[str, str]
    source: str

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def live_select(self) -> str:
        cols = ", ".join(f"{expr} AS {name}" for name, expr in self.columns.items())
        return f"SELECT {cols} FROM {self.source}"


#: in publishing order; the SQL names are constants of this module, never input
SNAPSHOTS: tuple[Snapshot, ...] = (
    Snapshot(
        "district",
        gettext_lazy("区县"),
        PublishedDistrict,
        {"source_id": "l.id", "code": "l.code", "name": "l.name", "geom": "l.geom"},
        "layers_district l",
    ),
    Snapshot(
        "community",
        gettext_lazy("小区"),
        PublishedCommunity,
        {
            "source_id": "l.id",
            "code": "l.code",
            "name": "l.name",
            "district_code": "d.code",
            "district_name": "d.name",
            "street_name": "s.name",
            "geom": "l.geom",
            "completion_year": "l.completion_year",
            "households": "l.households",
            "buildings": "l.buildings",
            "lifts": "l.lifts",
            "stage": "l.stage",
            "public_notes": "l.public_notes",
            "dangerous_c": "l.dangerous_c",
            "dangerous_d": "l.dangerous_d",
            "land_tenure": "l.land_tenure",
            "property_management": "l.property_management",
        },
        "layers_community l JOIN layers_district d ON d.id = l.district_id"
        " LEFT JOIN layers_street s ON s.id = l.street_id",
    ),
    Snapshot(
        "amenity",
        gettext_lazy("配套设施"),
        PublishedAmenity,
        {
            "source_id": "l.id",
            "code": "l.code",
            "name": "l.name",
            "geom": "l.geom",
            "source": "l.source",
            "created_at": "l.created_at",
        },
        "layers_amenity l",
    ),
)
BY_KEY = {s.key: s for s in SNAPSHOTS}
#: the live tables the snapshots read (layers.stamps): the street gives its name
STAMPED = ("district", "street", "community", "amenity")
#: how many changed features :func:`pending_changes` lists per layer (the counts are all)
LIST_LIMIT = 200


def _compared(snap: Snapshot, alias: str) -> str:
    """The row of public values compared between live and snapshot (geometry as EWKB)."""
    cols = [
        f"ST_AsEWKB({alias}.{c})" if c == "geom" else f"{alias}.{c}"
        for c in snap.columns
        if c != "source_id"
    ]
    return "ROW(" + ", ".join(cols) + ")"


def _diff_sql(snap: Snapshot, live: str) -> str:
    """Rows (change, code, name) of ``live`` (a table or sub-select) against the snapshot."""
    return f"""
SELECT CASE WHEN s.source_id IS NULL THEN 'added'
            WHEN l.source_id IS NULL THEN 'removed' ELSE 'changed' END AS change,
       coalesce(l.code, s.code) AS code, coalesce(l.name, s.name) AS name
FROM {live} l FULL JOIN {snap.table} s ON s.source_id = l.source_id
WHERE s.source_id IS NULL OR l.source_id IS NULL
   OR {_compared(snap, "l")} IS DISTINCT FROM {_compared(snap, "s")}"""


def _summarise(snap: Snapshot, rows: list[tuple], limit: int) -> dict[str, Any]:
    counts = {"added": 0, "changed": 0, "removed": 0}
    for change, *_rest in rows:
        counts[change] += 1
    order = {"added": 0, "changed": 1, "removed": 2}
    items = sorted(rows, key=lambda r: (order[r[0]], r[1]))[:limit]
    return {
        "key": snap.key,
        "label": str(snap.label),
        **counts,
        "pending": sum(counts.values()),
        "items": [{"change": c, "code": code, "name": name} for c, code, name in items],
    }


def pending_changes(limit: int = LIST_LIMIT) -> list[dict[str, Any]]:
    """Per public layer what publishing now would add, change and remove.

    Each entry: ``key``, ``label``, ``added``, ``changed``, ``removed``, ``pending``
    (their sum) and ``items`` (at most ``limit``: change, code, name; added first).
    """
    out = []
    with connection.cursor() as cur:
        for snap in SNAPSHOTS:
            cur.execute(_diff_sql(snap, f"({snap.live_select()})"))
            out.append(_summarise(snap, cur.fetchall(), limit))
    return out


def _stamps_now() -> dict[str, list]:
    return {k: [s[0], s[1]] for k, s in layer_stamps.layer_stamps(STAMPED).items()}


#: (publication id, stamps) -> pending count, for the workspace's link (a few entries)
_TOTALS: dict[tuple, int] = {}


def pending_total() -> int:
    """How many features wait to be published, cheaply: none while the stamps of the
    live tables are those read when the last publication began (one query); else
    counted once per change of the stamps (the workspace shows it on every load)."""
    last = latest()
    now = _stamps_now()
    if last is not None and last.stamps == now:
        return 0
    key = (last.pk if last else None, repr(sorted(now.items())))
    if any(epoch is None for epoch, _v in now.values()):  # stamps truncated: count
        return sum(layer["pending"] for layer in pending_changes(limit=0))
    if key not in _TOTALS:
        if len(_TOTALS) > 32:
            _TOTALS.clear()
        _TOTALS[key] = sum(layer["pending"] for layer in pending_changes(limit=0))
    return _TOTALS[key]


def latest() -> Publication | None:
    return Publication.objects.order_by("-published_at", "-id").first()


def check_publish(user: Any) -> permissions.Actor:
    """The actor if they may publish (city administrators); PermissionDenied otherwise."""
    return permissions.require(user, permissions.ADMINS, _("发布数据到公众地图"))


def publish(user: Any, *, note: str = "") -> Publication:
    """Replace every public snapshot with the live data and record the publication.

    One transaction: the public sees the previous publication until it commits. Raises
    ``PermissionDenied`` unless ``user`` is a city administrator (or the system).
    """
    actor = check_publish(user)
    counts: dict[str, dict[str, int]] = {}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"LOCK TABLE {Publication._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"
        )
        stamps = _stamps_now()  # before the data (layers.stamps: never stale)
        for snap in SNAPSHOTS:
            new = f"publishing_{snap.key}"
            cur.execute(f"DROP TABLE IF EXISTS {new}")
            cur.execute(
                f"CREATE TEMP TABLE {new} ON COMMIT DROP AS {snap.live_select()}"
            )
            cur.execute(_diff_sql(snap, new))
            summary = _summarise(snap, cur.fetchall(), 0)
            cols = ", ".join(snap.columns)
            cur.execute(f"DELETE FROM {snap.table}")
            cur.execute(f"INSERT INTO {snap.table} ({cols}) SELECT {cols} FROM {new}")
            counts[snap.key] = {
                "added": summary["added"],
                "changed": summary["changed"],
                "removed": summary["removed"],
                "total": cur.rowcount,
            }
            # every row is new: fresh statistics keep the public queries on their
            # indexes (readers are not blocked; autovacuum would come later)
            cur.execute(f"ANALYZE {snap.table}")
        return Publication.objects.create(
            published_by_id=actor.user_id,
            counts=counts,
            stamps=stamps,
            note=note[:255],
        )
