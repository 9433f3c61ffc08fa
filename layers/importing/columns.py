"""An import's rows column by column: values, vectorised checks, COPY writes.

:func:`build` turns the mapped frame of :func:`layers.importing.rows._prepare_rows`
into one list per model field, holding each row's value *as the model instance
would hold it* (the file's value, else the stored value of an updated row, else the
field's default). The checks are derived from the model, never written twice:

* every field's ``null`` / ``blank``, ``choices`` and validators
  (``MinValueValidator`` / ``MaxValueValidator`` / ``MaxLengthValidator`` compared
  with numpy; any other validator, e.g. ``DecimalValidator``, called per value);
* the geometries ``LayerModel.clean`` checks (``geometry_checks()``), through
  :func:`layers.validation.geometries_certainly_valid` (shapely 2 array functions);
* foreign keys resolved once per distinct value (:class:`~layers.importing.rows._Resolver`).

A row they cannot accept for certain is *not* rejected here: ``ok`` is False and
``rows.py`` builds that row's model instance and runs ``full_clean`` as before, so
its report lines are exactly those of the per-row path. A model whose ``clean``
does more than ``LayerModel.clean`` sends every row to that path.

:func:`write` inserts the new rows with one COPY, updates the others through a COPY
into a temporary table and one ``UPDATE … FROM``, and writes the simple_history rows
(``+`` / ``~``, user, reason) with ``INSERT … SELECT`` from the written rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import GEOSGeometry
from django.core import validators as dv
from django.core.exceptions import ValidationError
from django.db import connection
from django.db import models as djmodels
from django.db.models.expressions import RawSQL
from django.utils import timezone
from psycopg2 import sql

from layers import dbcopy, models
from layers.io.errors import ImportRejected
from layers.models.base import LayerModel
from layers.validation import geometries_certainly_valid

UNSET = object()  # a row leaves the field as it is (default or stored value)
FK_TARGETS = {"district": models.District, "street": models.Street}


def blank(v: Any) -> bool:
    if v is None:
        return True
    try:
        if v != v:  # NaN / NA
            return True
    except (TypeError, ValueError):
        return str(v) == "<NA>"
    return isinstance(v, str) and not v.strip()


def py(v: Any) -> Any:
    """A frame cell as the model takes it: missing or blank → None, numpy → Python."""
    if blank(v):
        return None
    return v.item() if hasattr(v, "item") else v


def writable_fields(model) -> list:
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not getattr(f, "generated", False)
    ]


class RowView:
    """What the permission check reads of a prepared row (code, geometry, district)."""

    __slots__ = ("_geom", "code", "district_id")

    def __init__(self, code: str, geom, district_id) -> None:
        self.code, self._geom, self.district_id = code, geom, district_id

    @property
    def geom(self) -> GEOSGeometry:
        return GEOSGeometry(memoryview(shapely.to_wkb(self._geom)), srid=settings.SRID)


class StoredStates:
    """row → (stored geometry, stored district id) of updated rows, read on first use."""

    def __init__(self, model, pk_by_row: dict[int, int]) -> None:
        self.model, self.pk_by_row = model, pk_by_row
        self._data: dict[int, tuple[Any, Any]] | None = None

    def get(self, row: int, default=None):
        if self._data is None:
            names = ["pk", "geom"]
            has_district = any(f.name == "district" for f in self.model._meta.fields)
            names.append("district_id" if has_district else "pk")
            got = {
                r[0]: (r[1], r[2] if has_district else None)
                for r in self.model.objects.filter(
                    pk__in=_pk_array(list(self.pk_by_row.values()))
                ).values_list(*names)
            }
            self._data = {row: got[pk] for row, pk in self.pk_by_row.items()}
        return self._data.get(row, default)


@dataclass
class Batch:
    model: type[djmodels.Model]
    fields: list
    rows: list[int]
    codes: list[str]
    is_new: np.ndarray
    pks: list
    #: field name → the row's value as the model instance holds it (geometries shapely)
    values: dict[str, list]
    #: field names any row sets (what an update writes)
    assigned: set[str]
    #: rows the vectorised checks accept (the others go through full_clean)
    ok: np.ndarray
    versions: list = field(default_factory=list)


def _column(frame, name: str) -> list:
    return [py(v) for v in frame[name].tolist()]


def _limit(v):
    lim = v.limit_value
    return lim() if callable(lim) else lim


_INTS = {
    "IntegerField",
    "SmallIntegerField",
    "BigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
}


def field_ok(f, vals: list) -> np.ndarray:
    """Where ``f.clean(value)`` (as ``clean_fields`` calls it) certainly passes."""
    n = len(vals)
    if n == 0:
        return np.zeros(0, dtype=bool)
    kind = f.get_internal_type()
    if isinstance(f, GeometryField):
        typed = [v is None or isinstance(v, shapely.Geometry) for v in vals]
    elif kind in ("CharField", "TextField"):
        typed = [v is None or isinstance(v, str) for v in vals]
    elif kind in _INTS:
        typed = [v is None or type(v) is int for v in vals]
    elif kind == "FloatField":
        typed = [v is None or type(v) in (int, float) for v in vals]
    elif kind == "DecimalField":  # an int default (0) is what to_python makes Decimal
        vals = [Decimal(v) if type(v) is int else v for v in vals]
        typed = [v is None or isinstance(v, Decimal) for v in vals]
    elif kind == "BooleanField":
        typed = [v is None or type(v) is bool for v in vals]
    elif kind == "DateTimeField":
        typed = [v is None or isinstance(v, datetime.datetime) for v in vals]
    elif kind == "DateField":
        typed = [
            v is None
            or (isinstance(v, datetime.date) and not isinstance(v, datetime.datetime))
            for v in vals
        ]
    elif kind == "ForeignKey":
        typed = [v is None or type(v) is int for v in vals]  # resolved or stored ids
    else:
        return np.zeros(n, dtype=bool)  # a field type the checks do not know
    ok = np.asarray(typed, dtype=bool)
    # clean_fields skips blank-allowed empties; otherwise empty values are errors
    empty = np.fromiter(
        (v is None or (isinstance(v, str) and v == "") for v in vals), bool, n
    )
    if not f.blank:
        ok &= ~empty
    check = ok & ~empty
    if f.choices and check.any():
        keys = {k for k, _label in f.flatchoices}
        ok &= ~check | np.fromiter((v in keys for v in vals), bool, n)
    if isinstance(f, djmodels.ForeignKey | GeometryField):
        return ok
    idx = np.flatnonzero(check & ok)
    if idx.size == 0:
        return ok
    sub = [vals[i] for i in idx]
    good = np.ones(idx.size, dtype=bool)
    for v in f.validators:
        if type(v) in (dv.MinValueValidator, dv.MaxValueValidator) and kind in (
            *_INTS,
            "FloatField",
        ):
            a = np.asarray(sub, dtype=float if kind == "FloatField" else object)
            lim = _limit(v)
            bad = a < lim if type(v) is dv.MinValueValidator else a > lim
            good &= ~np.asarray(bad, dtype=bool)
        elif type(v) is dv.MaxLengthValidator:
            good &= np.fromiter(map(len, sub), int, len(sub)) <= _limit(v)
        else:  # any other validator decides value by value
            for j, value in enumerate(sub):
                if good[j]:
                    try:
                        v(value)
                    except ValidationError:
                        good[j] = False
    ok[idx] = good
    return ok


def _pk_array(pks: list[int]) -> RawSQL:
    """``pk__in`` of many keys as one array parameter (not one placeholder each)."""
    return RawSQL("SELECT unnest(%s::bigint[])", [list(pks)])


def _existing(model, codes: list) -> dict[str, tuple[int, int]]:
    """code → (pk, version) of the stored rows, one query with an array parameter
    (``code__in`` with 20 000 values costs the ORM a second to compile)."""
    meta = model._meta
    statement = sql.SQL("SELECT {}, {}, {} FROM {} WHERE {} = ANY(%s)").format(
        sql.Identifier(meta.get_field("code").column),
        sql.Identifier(meta.pk.column),
        sql.Identifier(meta.get_field("version").column),
        sql.Identifier(meta.db_table),
        sql.Identifier(meta.get_field("code").column),
    )
    with connection.cursor() as cur:
        cur.execute(statement, [[c for c in codes if c is not None]])
        return {c: (pk, v) for c, pk, v in cur.fetchall()}


def _auto_time(f) -> bool:
    return getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)


def _stored_values(model, names: list[str], pks: list[int]) -> dict[int | None, tuple]:
    if not pks or not names:
        return {}
    out = {}
    for r in model.objects.filter(pk__in=_pk_array(pks)).values_list("pk", *names):
        out[r[0]] = r[1:]
    return out


def build(
    model,
    layer: str,
    mapped,
    present: list[str],
    resolver,
    *,
    foreign_keys: dict[str, str],
    source_crs: str,
    source_file: str,
    now,
) -> Batch:
    """The column values and the vectorised verdict of every mapped row."""
    n = len(mapped)
    rows = [int(r) for r in mapped.index]
    codes = [str(c) for c in mapped["code"].tolist()]
    existing = _existing(model, codes)
    is_new = np.array([c not in existing for c in codes], dtype=bool)
    pks = [existing[c][0] if c in existing else None for c in codes]
    fields = writable_fields(model)
    byname = {f.name: f for f in fields}
    ok = np.ones(n, dtype=bool)
    vals: list[Any] | None
    given: dict[str, list] = {
        "code": codes,
        "geom": list(mapped.geometry.to_numpy()),
        "source_crs": [source_crs[:64]] * n,
        "source_file": [source_file[:255]] * n,
    }
    for col in present:
        if col == "code":
            continue
        raw = _column(mapped, col)
        if col in foreign_keys:
            fk = foreign_keys[col]
            target = FK_TARGETS[fk]
            refs = {v: resolver.get(target, str(v)) for v in set(raw) if v is not None}
            vals = []
            for i, v in enumerate(raw):
                if v is None:
                    keep_null = model is models.Community and fk == "street"
                    vals.append(None if keep_null else UNSET)
                elif refs[v] is None:
                    ok[i] = False
                    vals.append(UNSET)
                else:
                    vals.append(refs[v].pk)
            given[fk] = vals
            continue
        if layer == "amenity" and col == "category":
            cats = {k: c.pk for k, c in resolver.categories.items()}
            vals = [cats.get(v, UNSET) for v in raw]
            ok &= np.array([v is not UNSET for v in vals], dtype=bool)
            given["category"] = vals
            continue
        f = model._meta.get_field(col)
        char = f.get_internal_type() in ("CharField", "TextField")
        missing: object
        if f.null:
            missing = None
        elif f.blank and char:
            missing = ""
        else:
            missing = UNSET
        if f.get_internal_type() == "DecimalField":
            vals = [
                missing if v is None else Decimal(str(round(float(v), 2))) for v in raw
            ]
        else:
            vals = [missing if v is None else v for v in raw]
        given[col] = vals
    assigned = {k for k, vals in given.items() if any(v is not UNSET for v in vals)}
    updated = [pk for pk in pks if pk is not None]
    # the values an updated row keeps: every field the file does not set for all rows
    keep_names = [
        f.name
        for f in fields
        if f.name not in ("code", "geom", "source_crs", "source_file", "version")
        and not _auto_time(f)
        and (f.name not in given or any(v is UNSET for v in given[f.name]))
    ]
    stored = _stored_values(model, [byname[k].attname for k in keep_names], updated)
    keep_at = {k: j for j, k in enumerate(keep_names)}
    values: dict[str, list] = {}
    for f in fields:
        vals = given.get(f.name)
        if f.name == "version":
            vals = [1 if new else existing[c][1] + 1 for c, new in zip(codes, is_new)]
        elif _auto_time(f):  # set when written (new rows), updated_at now (updates)
            auto = getattr(f, "auto_now", False)
            vals = [None if new else (now if auto else UNSET) for new in is_new]
        default = f.get_default()
        if vals is None:
            vals = [UNSET] * n
        j = keep_at.get(f.name)
        out = []
        for i, v in enumerate(vals):
            if v is UNSET:
                if pks[i] is None:
                    v = default
                elif j is not None:
                    v = stored[pks[i]][j]
                else:
                    v = None
            out.append(v)
        values[f.name] = out
    if not is_new.all():
        assigned |= {"version", "updated_at"}
    district: list[Any] = values.get("district") or []
    if layer == "community":
        street_district = dict(models.Street.objects.values_list("pk", "district_id"))
        street = values["street"]
        for i in range(n):
            if not ok[i]:
                continue
            sid, did = street[i], district[i]
            if sid and not did:
                did = district[i] = street_district[sid]
                assigned.add("district")
            if not did:
                geom = RowView(codes[i], given["geom"][i], None).geom
                d = resolver.district_at(geom)
                if d is None:
                    ok[i] = False
                    continue
                did = district[i] = d.pk
                assigned.add("district")
            if sid and did and street_district[sid] != did:
                ok[i] = False
    if layer == "street":
        ok &= np.array([bool(d) for d in district], dtype=np.bool_)
    # the checks full_clean would run, column by column
    if model.clean is not LayerModel.clean:
        ok[:] = False
    for f in fields:
        vals = values[f.name]
        if isinstance(f, GeometryField) and f.name != "geom":
            vals = values[f.name] = [
                g if g is None or isinstance(g, shapely.Geometry) else _shapely(g)
                for g in vals
            ]
        if _auto_time(f):
            continue  # auto_now(_add): blank, None or a datetime
        ok &= field_ok(f, vals)
    for name, allowed in model.geometry_checks().items():
        ok &= geometries_certainly_valid(values[name], allowed=allowed)
    return Batch(
        model=model,
        fields=fields,
        rows=rows,
        codes=codes,
        is_new=is_new,
        pks=pks,
        values=values,
        assigned=assigned,
        ok=ok,
    )


def _shapely(g):
    return shapely.from_wkb(bytes(g.wkb))


def take_instance(batch: Batch, i: int, obj, fields_set: set[str]) -> None:
    """Row ``i`` as the instance ``obj`` that passed ``full_clean`` holds it."""
    for f in batch.fields:
        if f.name == "geom":
            continue
        v = getattr(obj, f.attname)
        if isinstance(v, GEOSGeometry):
            v = _shapely(v)
        batch.values[f.name][i] = v
    batch.assigned |= fields_set
    batch.ok[i] = True


def write(batch: Batch, keep: np.ndarray, *, user, reason: str) -> tuple[int, int]:
    """Insert / update the rows ``keep`` marks, with their history (caller's transaction)."""
    model = batch.model

    new = np.flatnonzero(keep & batch.is_new)
    old = np.flatnonzero(keep & ~batch.is_new)
    has_history = hasattr(model, "history")
    now = timezone.now()
    if new.size:
        cols = {}
        for f in batch.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                cols[f.name] = [now] * new.size
            else:
                vals = batch.values[f.name]
                cols[f.name] = [vals[i] for i in new]
        dbcopy.copy_field_columns(model._meta.db_table, batch.fields, cols)
        if has_history:
            dbcopy.history_from_rows(
                model,
                [batch.codes[i] for i in new],
                update=False,
                user=user,
                reason=reason,
            )
    if old.size:
        pks = [batch.pks[i] for i in old]
        stored = dict(
            model.objects.select_for_update()
            .filter(pk__in=_pk_array(pks))
            .values_list("pk", "version")
        )
        changed = sorted(
            batch.codes[i]
            for i in old
            if stored.get(batch.pks[i]) != batch.values["version"][i] - 1
        )
        if changed:
            msg = (
                f"import refused: {len(changed)} row(s) were changed while the file "
                f"was being read ({', '.join(changed[:10])}); nothing written, import "
                "again to apply the file over the new versions"
            )
            raise ImportRejected(msg, code="conflict")
        fields = [f for f in batch.fields if f.name in batch.assigned]
        cols = {f.name: [batch.values[f.name][i] for i in old] for f in fields}
        dbcopy.update_field_columns(model, pks, fields, cols)
        if has_history:
            dbcopy.history_from_rows(
                model,
                [batch.codes[i] for i in old],
                update=True,
                user=user,
                reason=reason,
            )
    return int(new.size), int(old.size)
