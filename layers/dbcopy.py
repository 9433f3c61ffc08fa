"""Bulk writes with PostgreSQL ``COPY … FROM STDIN`` (text format) for the large tables.

COPY is an order of magnitude faster than ``bulk_create`` for 10⁵ rows; the table's
constraints (geometry validity, unique keys, foreign keys) are checked as for INSERT, in
the caller's transaction. No simple_history rows are written (as with ``bulk_create``).
"""

from __future__ import annotations

import datetime
import io
import itertools
import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.utils import timezone
from psycopg2 import sql


def copy_text(v: Any) -> str:
    """One value in COPY text format (``\\N`` for NULL, escapes applied)."""
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, float):
        if math.isfinite(v):
            return repr(v)
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    s = str(v)
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        s = (
            s.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return s


def copy_supported() -> bool:
    return connection.vendor == "postgresql"


def _copy_statement(table: str, columns: Sequence[str]) -> sql.Composed:
    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )


def _copy_from(
    table: str, columns: Sequence[str], source: Any, size: int = 8192
) -> None:
    """``COPY table (columns) FROM STDIN`` of the text-format rows ``source`` gives
    (a file: its ``read(size)`` until it returns nothing)."""
    with connection.cursor() as cur:
        raw = getattr(cur, "cursor", cur)
        raw.copy_expert(_copy_statement(table, columns).as_string(raw), source, size)


def _copy_buffer(table: str, columns: Sequence[str], buf: io.StringIO) -> None:
    """``COPY table (columns) FROM STDIN`` of the text-format rows in ``buf``."""
    buf.seek(0)
    _copy_from(table, columns, buf)


# characters of COPY text read per chunk by copy_rows (about 50 rows of a life-circle run)
_STREAM_CHUNK = 64 * 1024


class _LineReader:
    """A file for ``copy_expert`` whose ``read`` formats the next lines on demand.

    The rows are built while the server parses the chunks already sent (PostgreSQL
    reads COPY data as it arrives), so the caller's formatting and the server's
    parsing overlap instead of following each other. ``read`` returns whole lines,
    about ``size`` characters of them (psycopg2 takes a chunk of any length).
    """

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines

    def read(self, size: int = -1) -> str:
        parts: list[str] = []
        n = 0
        for line in self._lines:
            parts.append(line)
            n += len(line)
            if 0 <= size <= n:
                break
        return "".join(parts)


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY ``rows`` (sequences of Python values in ``columns`` order) into ``table``.

    ``rows`` may be an iterator that builds each row when it is asked for: the rows
    are formatted and sent in chunks while PostgreSQL parses the earlier ones.
    """
    it = iter(rows)
    first = next(it, None)
    if first is None:
        return 0
    n = 0

    def lines() -> Iterator[str]:
        nonlocal n
        for row in itertools.chain((first,), it):
            n += 1
            yield "\t".join([copy_text(v) for v in row]) + "\n"

    _copy_from(table, columns, _LineReader(lines()), _STREAM_CHUNK)
    return n


def db_value(v: Any) -> Any:
    """A model attribute as COPY takes it: geometries as hex EWKB, JSON as text."""
    if isinstance(v, GEOSGeometry):
        return v.hexewkb.decode()
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, datetime.date | datetime.time):
        return v.isoformat()
    return v


def _columns(model, names: Sequence[str] | None):
    """Concrete, writable fields (no primary key, no generated column)."""
    out = []
    for f in model._meta.concrete_fields:
        if f.primary_key or getattr(f, "generated", False):
            continue
        if names is None or f.name in names or f.attname in names:
            out.append(f)
    return out


def insert_history(
    model, objs: Sequence[Any], *, update: bool, user: Any = None, reason: str = ""
) -> int:
    """django-simple-history rows for ``objs`` with one COPY.

    The same rows as ``model.history.bulk_history_create(objs, update=…,
    default_user=user, default_change_reason=reason)``: every tracked field as it
    is on the instance, ``history_type`` ``+`` (new) or ``~`` (updated), one
    ``history_date`` for the batch.
    """
    if not objs:
        return 0
    hist = model.history.model
    tracked = hist.tracked_fields
    meta = hist._meta
    cols = [
        meta.get_field("history_date").column,
        meta.get_field("history_user").column,
        meta.get_field("history_change_reason").column,
        meta.get_field("history_type").column,
    ] + [meta.get_field(f.name).column for f in tracked]
    head = [
        timezone.now().isoformat(),
        getattr(user, "pk", None),
        reason,
        "~" if update else "+",
    ]
    return copy_rows(
        meta.db_table,
        cols,
        (head + [db_value(getattr(o, f.attname)) for f in tracked] for o in objs),
    )


# --------------------------------------------------------------- frames to COPY
def frame_value(v: Any, default: Any = None) -> Any:
    """pandas missing values (NaN, NA, None) → ``default``; numpy scalars → Python."""
    if v is None:
        return default
    try:
        if v != v:  # NaN / NA
            return default
    except (TypeError, ValueError):
        if str(v) == "<NA>":
            return default
    return v.item() if hasattr(v, "item") else v


def frame_column(
    frame, name: str, default: Any = None, cast: Callable | None = None
) -> list:
    """A frame column as Python values (missing → ``default``), optionally cast."""
    if name not in frame.columns:
        return [default] * len(frame)
    out = []
    for v in frame[name].tolist():
        v = frame_value(v, default)
        out.append(cast(v) if (cast is not None and v is not None) else v)
    return out


def ewkb_hex(geoms: Sequence[Any]) -> list[str | None]:
    """shapely geometries → hex EWKB with settings.SRID (``None`` stays ``None``)."""
    arr = np.asarray(list(geoms), dtype=object)
    if arr.size == 0:
        return []
    arr = np.array(
        [
            None if (g is None or (isinstance(g, float) and math.isnan(g))) else g
            for g in arr
        ],
        dtype=object,
    )
    out = shapely.to_wkb(
        shapely.set_srid(arr, settings.SRID), hex=True, include_srid=True
    )
    return out.tolist()


def copy_columns(
    model, columns: Sequence[str], data: dict[str, Sequence[Any]], progress=None
) -> int:
    """Insert rows with one ``COPY … FROM STDIN`` (text format) per batch of 50 000.

    Much faster than ``bulk_create`` for the big layers; the table's constraints (geometry
    validity and type, unique codes, foreign keys) are checked by PostgreSQL as for
    INSERT, inside the caller's transaction. No history rows are written (as with
    ``bulk_create``). ``data``: column name → values (hex EWKB for geometries).
    """
    n = len(data[columns[0]]) if columns else 0
    if n == 0:
        return 0
    now = timezone.now()
    cols = [*columns, "created_at", "updated_at", "version"]
    const = {
        "created_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "version": "1",
    }
    text_cols = [[copy_text(v) for v in data[c]] for c in columns]
    db_cols = [model._meta.get_field(c).column for c in columns] + [
        "created_at",
        "updated_at",
        "version",
    ]
    tail = "\t" + "\t".join(const[c] for c in cols[len(columns) :])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(map(sql.Identifier, db_cols)),
    )
    with connection.cursor() as cur:
        raw = getattr(cur, "cursor", cur)
        step = 50_000
        for lo in range(0, n, step):
            hi = min(n, lo + step)
            buf = io.StringIO()
            buf.writelines(
                "\t".join(vals) + tail + "\n"
                for vals in zip(*(c[lo:hi] for c in text_cols), strict=True)
            )
            buf.seek(0)
            raw.copy_expert(statement.as_string(raw), buf)
            if progress:
                progress(hi - lo)
    return n


# ------------------------------------------------------- field columns to COPY
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _escaped(s: str) -> str:
    """``s`` with COPY's escapes (one ``translate``, only when it needs one: a
    translate goes character by character, the four searches do not)."""
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        return s.translate(_ESCAPES)
    return s


_INT_KINDS = (
    "IntegerField",
    "SmallIntegerField",
    "BigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "ForeignKey",
    "AutoField",
    "BigAutoField",
)


def text_column(f, values: Sequence[Any]) -> list[str]:
    """One model field's values in COPY text format, a column at a time.

    Geometries are shapely or GEOS (hex EWKB with settings.SRID), strings are
    escaped (:func:`_escaped`), integers are ``str``, floats ``repr``; anything else goes
    through :func:`db_value` and :func:`copy_text` as in :func:`copy_rows`. A
    column of one object (the batch's time, all None) is converted once.
    """
    if len(values) > 1 and all(v is values[0] for v in values):  # one time, None…
        return text_column(f, values[:1]) * len(values)
    if isinstance(f, GeometryField):
        arr = np.empty(len(values), dtype=object)
        for i, g in enumerate(values):
            if isinstance(g, GEOSGeometry):
                g = shapely.from_wkb(bytes(g.wkb))
            arr[i] = g
        out = shapely.to_wkb(
            shapely.set_srid(arr, settings.SRID), hex=True, include_srid=True
        )
        return ["\\N" if h is None else h for h in out.tolist()]
    kind = f.get_internal_type()
    if kind in ("CharField", "TextField") and all(
        v is None or type(v) is str for v in values
    ):
        return ["\\N" if v is None else _escaped(v) for v in values]
    if kind in _INT_KINDS and all(v is None or type(v) is int for v in values):
        return ["\\N" if v is None else str(v) for v in values]
    if kind == "FloatField" and all(type(v) is float for v in values):
        isfinite = math.isfinite
        return [repr(v) if isfinite(v) else copy_text(v) for v in values]
    return [copy_text(db_value(v)) for v in values]


def _copy_text_columns(table: str, columns: Sequence[str], text: list[list[str]]):
    if not text or not text[0]:
        return 0
    buf = io.StringIO()
    buf.writelines("\t".join(r) + "\n" for r in zip(*text, strict=True))
    _copy_buffer(table, columns, buf)
    return len(text[0])


def copy_field_columns(table: str, fields: Sequence[Any], columns: dict) -> int:
    """COPY rows given column-wise (``columns``: field name → values) into ``table``."""
    return _copy_text_columns(
        table,
        [f.column for f in fields],
        [text_column(f, columns[f.name]) for f in fields],
    )


def copy_instances(model, objs: Sequence[Any]) -> int:
    """INSERT unsaved ``model`` instances with one COPY, as ``bulk_create`` would
    store them (the writable fields of :func:`_columns`, from the instances'
    attributes; ``auto_now`` / ``auto_now_add`` times set to now). No signals, no
    history rows (as ``bulk_create``); the instances get no primary key."""
    if not objs:
        return 0
    now = timezone.now()
    fields = _columns(model, None)
    columns: dict[str, list] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            columns[f.name] = [now] * len(objs)
        else:
            columns[f.name] = [getattr(o, f.attname) for o in objs]
    return copy_field_columns(model._meta.db_table, fields, columns)


def update_field_columns(
    model, pks: Sequence[int], fields: Sequence[Any], columns: dict
) -> int:
    """Write ``fields`` of the rows ``pks`` (values column-wise: field name → values)
    with one COPY into a temporary table and one ``UPDATE … FROM`` it."""
    if not pks or not fields:
        return 0
    pk = model._meta.pk
    table = model._meta.db_table
    tmp = f"_upd_{table}"[:63]
    cols = [pk.column] + [f.column for f in fields]
    ident = sql.Identifier
    with connection.cursor() as cur:
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ident(tmp)))
        cur.execute(
            sql.SQL(
                "CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA"
            ).format(ident(tmp), sql.SQL(", ").join(map(ident, cols)), ident(table))
        )
    _copy_text_columns(
        tmp,
        cols,
        [[str(p) for p in pks]] + [text_column(f, columns[f.name]) for f in fields],
    )
    sets = sql.SQL(", ").join(
        sql.SQL("{} = s.{}").format(ident(f.column), ident(f.column)) for f in fields
    )
    with connection.cursor() as cur:
        cur.execute(
            sql.SQL("UPDATE {} AS t SET {} FROM {} AS s WHERE t.{} = s.{}").format(
                ident(table), sets, ident(tmp), ident(pk.column), ident(pk.column)
            )
        )
        n = cur.rowcount
        cur.execute(sql.SQL("DROP TABLE {}").format(ident(tmp)))
    return n


def history_from_rows(
    model, codes: Sequence[str], *, update: bool, user: Any = None, reason: str = ""
) -> int:
    """:func:`insert_history` for rows just written, read back by their ``code``.

    One ``INSERT … SELECT``: every tracked field as the row is stored, in the order
    of ``codes``, with one ``history_date``, the user and the reason.
    """
    if not codes:
        return 0
    hist = model.history.model
    meta = hist._meta
    tracked = hist.tracked_fields
    ident = sql.Identifier
    head = [
        meta.get_field("history_date").column,
        meta.get_field("history_user").column,
        meta.get_field("history_change_reason").column,
        meta.get_field("history_type").column,
    ]
    statement = sql.SQL(
        "INSERT INTO {} ({}) SELECT %s, %s, %s, %s, {} FROM {} AS t "
        "JOIN unnest(%s::text[]) WITH ORDINALITY AS k(code, n) ON t.{} = k.code "
        "ORDER BY k.n"
    ).format(
        ident(meta.db_table),
        sql.SQL(", ").join(
            map(ident, head + [meta.get_field(f.name).column for f in tracked])
        ),
        sql.SQL(", ").join(sql.SQL("t.{}").format(ident(f.column)) for f in tracked),
        ident(model._meta.db_table),
        ident(model._meta.get_field("code").column),
    )
    with connection.cursor() as cur:
        cur.execute(
            statement,
            [
                timezone.now(),
                getattr(user, "pk", None),
                reason,
                "~" if update else "+",
                list(codes),
            ],
        )
        return cur.rowcount
