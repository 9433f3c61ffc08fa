"""A life-circle run's per-community results as a download, in the user's language.

The records are :func:`lifecircle.services.outputs.lifecircle_result_records`; here
each key gets its label and formatter (:class:`layers.tables.Column`): facility
names instead of codes, 是/否 instead of True/False, lists joined with "、". The
command line keeps the codes (``manage.py lifecircle --output``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from layers import tables
from layers.selectors import category_labels
from layers.tables import Column
from lifecircle.services.outputs import lifecircle_result_records
from runs.models import AnalysisRun

EXPORT_FORMATS = ("csv", "xlsx", "geojson", "gpkg")


def _minutes(tiers) -> str:
    return tables.joined(_("%(t)s分钟") % {"t": t} for t in tiers)


def result_columns(rows: list[dict], labels: dict[str, str]) -> list[Column]:
    """One column per key of ``rows`` (in first-seen order), labelled."""
    names = tables.names(labels)
    fixed = {
        "code": Column("code", _("小区编码")),
        "name": Column("name", _("小区名称")),
        "district": Column("district", _("区县")),
        "street": Column("street", _("街道")),
        "residents": Column("residents", _("居民人数")),
        "score": Column("score", _("得分")),
        "tiers_met": Column("tiers_met", _("达标的生活圈层级"), _minutes),
        "district_code": Column("district_code", _("区县编码")),
        "street_code": Column("street_code", _("街道编码")),
        "reachable": Column("reachable", _("接入路网"), tables.yes_no),
        "capacity_score": Column("capacity_score", _("得分（按容量）")),
    }
    tiers: set[str] = set()
    cats: set[str] = set()
    for row in rows:
        for key in row:
            if key.startswith("tier_") and key.endswith("min"):
                tiers.add(key[5:-3])
            elif key.startswith("missing_"):
                tiers.add(key.split("_")[1].removesuffix("min"))
    for t in tiers:
        fixed[f"tier_{t}min"] = Column(
            f"tier_{t}min", _("%(t)s分钟生活圈达标") % {"t": t}, tables.yes_no
        )
        fixed[f"missing_{t}min"] = Column(
            f"missing_{t}min", _("%(t)s分钟生活圈缺失设施") % {"t": t}, names
        )
        fixed[f"missing_{t}min_capacity"] = Column(
            f"missing_{t}min_capacity",
            _("%(t)s分钟生活圈容量不足的设施") % {"t": t},
            names,
        )
    for row in rows:
        cats.update(k[:-2] for k in row if k.endswith("_m"))
    for code in cats:
        n = {"name": labels.get(code, code)}
        for suffix, label, fmt in (
            ("_m", _("%(name)s：步行距离（m）"), _round),
            ("_within_reach", _("%(name)s：步行可达"), tables.yes_no),
            ("_demand", _("%(name)s：需求"), _round),
            ("_ratio", _("%(name)s：供需比"), None),
            ("_shortfall", _("%(name)s：缺口"), _round),
            ("_enough", _("%(name)s：满足需求"), tables.yes_no),
        ):
            fixed[code + suffix] = Column(code + suffix, label % n, fmt)
    seen: dict[str, Column] = {}
    for row in rows:
        for key in row:
            if key not in seen:
                seen[key] = fixed.get(key, Column(key, key))
    return list(seen.values())


def _round(value):
    if value != value:  # NaN: nothing within reach, an empty cell
        return None
    return round(float(value), 1)


def lifecircle_export(run: AnalysisRun, fmt: str) -> tuple[bytes, str, str]:
    """The run's results as ``fmt``: ``(body, content type, file name)``."""
    if fmt not in EXPORT_FORMATS:
        msg = f"format must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}"
        raise ValueError(msg)
    rows, geoms = lifecircle_result_records(run)
    columns = result_columns(rows, category_labels())
    body, ctype = tables.table_export(
        rows,
        columns,
        fmt,
        sheet=str(_("生活圈分析")),
        geometry=geoms,
        crs=f"EPSG:{settings.SRID}",
    )
    return body, ctype, f"lifecircle_run{run.pk}.{fmt}"
