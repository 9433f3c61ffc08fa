"""A bundling run's blocks as a download (CSV, XLSX, GeoJSON, GeoPackage) in the
user's language, through the one export path (:func:`layers.tables.table_export`):
members and shared gaps by name, status and lock in words, money in 万元."""

from __future__ import annotations

import shapely
from django.conf import settings
from django.utils.translation import gettext as _

from layers import tables
from layers.selectors import category_labels
from layers.tables import Column
from runs.models import AnalysisRun

from .. import selectors
from ..models import RenovationBlock

EXPORT_FORMATS = ("csv", "xlsx", "geojson", "gpkg")


def _years(row) -> str:
    lo, hi = row.get("completion_year_min"), row.get("completion_year_max")
    if lo and hi:
        return f"{lo}–{hi}" if lo != hi else str(lo)
    return ""


def block_columns(*, private: bool) -> list[Column]:
    labels = category_labels()
    field = RenovationBlock._meta.get_field
    status = {str(k): str(v) for k, v in RenovationBlock.Status.choices}
    cols = [
        Column("code", field("code").verbose_name),
        Column("name", field("name").verbose_name),
        Column("status", _("状态"), tables.name_of(status)),
        Column("locked", field("locked").verbose_name, tables.yes_no),
        Column("n_communities", field("n_communities").verbose_name),
        Column("member_names", _("成员小区"), tables.joined),
        Column("member_codes", _("成员小区编码"), tables.joined),
        Column("households", field("households").verbose_name),
        Column("residents", field("residents").verbose_name),
        Column("floor_area_m2", field("floor_area_m2").verbose_name, round),
        Column("completion_years", _("建成年份")),
        Column("dangerous_buildings", field("dangerous_buildings").verbose_name),
        Column("gaps_most", _("共同缺失设施"), tables.names(labels)),
        Column("gaps_all", field("gaps_all").verbose_name, tables.names(labels)),
        Column("idle_land", _("300 m 内闲置用地"), tables.joined),
        Column("vacant_housing", _("300 m 内闲置公房"), tables.joined),
        Column("below_floor", field("below_floor").verbose_name, tables.yes_no),
    ]
    if private:
        cols.append(
            Column("cost_estimate_yuan", _("基础类改造估算（万元）"), tables.wan_yuan)
        )
    return cols


def blocks_export(
    *, run: AnalysisRun, fmt: str, private: bool = True
) -> tuple[bytes, str, str]:
    """The run's active blocks as ``fmt``: ``(body, content type, file name)``.
    ``private=False`` leaves out the cost estimate (as the API does)."""
    if fmt not in EXPORT_FORMATS:
        msg = f"format must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}"
        raise ValueError(msg)
    blocks = list(
        selectors.block_list(run=run).annotate(member_names=selectors.member_names())
    )
    columns = block_columns(private=private)
    rows = []
    for b in blocks:
        row = {c.code: getattr(b, c.code, None) for c in columns}
        row["member_names"] = list(b.member_names or [])
        row["completion_years"] = _years(row)
        cost = row.get("cost_estimate_yuan")
        if cost is not None:
            row["cost_estimate_yuan"] = float(cost)
        rows.append(row)
    geoms = [shapely.from_wkb(bytes(b.geom.wkb)) for b in blocks]
    body, ctype = tables.table_export(
        rows,
        columns,
        fmt,
        sheet=_("连片改造片区") if fmt == "xlsx" else "blocks",
        geometry=geoms,
        crs=f"EPSG:{settings.SRID}",
    )
    return body, ctype, f"blocks_run{run.pk}.{fmt}"
