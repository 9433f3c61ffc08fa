"""Bulk writes with PostgreSQL ``COPY … FROM STDIN`` (text format) for the large tables.

COPY is an order of magnitude faster than ``bulk_create`` for 10⁵ rows; the table's
constraints (geometry validity, unique keys, foreign keys) are checked as for INSERT, in
the caller's transaction. No simple_history rows are written (as with ``bulk_create``).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
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


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY ``rows`` (sequences of Python values in ``columns`` order) into ``table``."""
    buf = io.StringIO()
    n = 0
    for row in rows:
        buf.write("\t".join(copy_text(v) for v in row))
        buf.write("\n")
        n += 1
    if n == 0:
        return 0
    buf.seek(0)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.cursor() as cur:
        raw = getattr(cur, "cursor", cur)
        raw.copy_expert(statement.as_string(raw), buf)
    return n
