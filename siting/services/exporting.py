"""A siting run's candidates as a download (GeoJSON, GeoPackage, CSV or XLSX) in the
user's language, through the one export path (:func:`layers.tables.table_export`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from layers import tables
from layers.models import IdleLand, VacantHousing
from layers.selectors import category_labels
from layers.tables import Column
from runs.models import AnalysisRun
from siting.models import CandidateKind, SitingCandidateResult
from siting.services.reads import siting_result_records

EXPORT_FORMATS = ("geojson", "gpkg", "csv", "xlsx")


def kind_labels() -> dict[str, str]:
    """A candidate's ``kind``: the idle plot's kind, 闲置公房 for a vacant house."""
    return {
        **{str(k): str(v) for k, v in IdleLand.Kind.choices},
        **{str(k): str(v) for k, v in CandidateKind.choices},
    }


def owner_labels() -> dict[str, str]:
    """A candidate's ``owner``: a vacant house's owner kind in words (an idle plot's
    owner is a name, kept as it is)."""
    return {str(k): str(v) for k, v in VacantHousing.OwnerKind.choices}


def consent_labels() -> dict[str, str]:
    return {
        **{str(k): str(v) for k, v in IdleLand.Consent.choices},
        "not_required": _("无需征询（公房）"),
    }


def area_basis_labels() -> dict[str, str]:
    return {"site": _("用地面积"), "floor": _("建筑面积")}


def _served(served: list[dict]) -> str:
    return tables.joined(
        _("%(name)s（%(residents)s人，%(walk)s m）")
        % {
            "name": s.get("name") or s.get("code"),
            "residents": s.get("residents"),
            "walk": round(float(s.get("walk_m") or 0)),
        }
        for s in served
    )


def candidate_columns(fields: list[str]) -> list[Column]:
    """The columns of the candidates: labels from the model, values as names."""
    formats: dict[str, Callable[[Any], Any]] = {
        "category": tables.name_of(category_labels()),
        "candidate_kind": tables.name_of(
            {str(k): str(v) for k, v in CandidateKind.choices}
        ),
        "kind": tables.name_of(kind_labels()),
        "owner": tables.name_of(owner_labels()),
        "consent": tables.name_of(consent_labels()),
        "area_basis": tables.name_of(area_basis_labels()),
        "area_m2": lambda v: round(float(v), 1),
        "chosen_greedy": tables.yes_no,
        "chosen_exact": tables.yes_no,
        "reachable": tables.yes_no,
        "served": _served,
    }
    meta = SitingCandidateResult._meta
    return [Column(f, meta.get_field(f).verbose_name, formats.get(f)) for f in fields]


def _summary(run: AnalysisRun) -> list[dict]:
    summary = run.summary or {}
    labels = category_labels()
    rows = [
        {"item": _("分析编号"), "value": run.pk},
        {
            "item": _("设施类别"),
            "value": tables.joined(
                labels.get(c, c) for c in summary.get("categories", [])
            ),
        },
        {"item": _("生活圈分析编号"), "value": run.parameters.get("lifecircle_run")},
        {"item": _("选址数量 k"), "value": run.parameters.get("k")},
        {"item": _("求解方法"), "value": run.parameters.get("method")},
    ]
    for m, obj in (summary.get("objectives") or {}).items():
        for key, v in obj.items():
            rows.append({"item": f"{m}.{key}", "value": v})
    for key, v in (summary.get("timings") or {}).items():
        rows.append({"item": f"time.{key}", "value": v})
    return rows


SUMMARY_COLUMNS = (
    Column("item", gettext_noop("条目")),
    Column(
        "value",
        gettext_noop("值"),
        lambda v: v if isinstance(v, int | float | str) else str(v),
    ),
)
EXPLANATION_FIELDS = (
    ("method", gettext_noop("求解方法")),
    ("category", gettext_noop("设施类别")),
    ("candidate_code", gettext_noop("候选编码")),
    ("candidate_name", gettext_noop("候选名称")),
    ("community", gettext_noop("小区编码")),
    ("community_name", gettext_noop("小区名称")),
    ("residents", gettext_noop("居民人数")),
    ("walk_m", gettext_noop("步行距离（m）")),
)


def _explanation(run: AnalysisRun) -> list[dict]:
    out = []
    for m, recs in ((run.summary or {}).get("explanation") or {}).items():
        for rec in recs:
            for g in rec.get("gains", []):
                out.append(
                    {
                        "method": m,
                        "category": rec.get("category"),
                        "candidate_code": rec.get("code"),
                        "candidate_name": rec.get("name"),
                        "community": g["community"],
                        "community_name": g["name"],
                        "residents": g["residents"],
                        "walk_m": g["walk_m"],
                    }
                )
    return out


def siting_export(
    *, run: AnalysisRun, fmt: str, private: bool = True
) -> tuple[bytes, str, str]:
    """A run's candidates and chosen sites as GeoJSON (EPSG:4326), GPKG, CSV or XLSX
    (``private=False``: without owner and consent).

    Returns ``(body, content type, file name)``. GPKG has layers ``candidates``,
    ``chosen_greedy`` and ``chosen_exact`` in EPSG:4326; XLSX has the candidates, the
    chosen sites of each method, a summary (objectives, times), the explanation and the
    column legend; CSV the candidates.
    """
    if fmt not in EXPORT_FORMATS:
        msg = f"format must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}"
        raise ValueError(msg)
    fields, rows, geoms = siting_result_records(run, private=private)
    columns = candidate_columns(fields)
    name = f"siting_run{run.pk}.{fmt}"
    greedy = [i for i, r in enumerate(rows) if r["chosen_greedy"]]
    exact = [i for i, r in enumerate(rows) if r["chosen_exact"]]
    labels = category_labels()
    summary_cols = [Column(c.code, _(c.label), c.format) for c in SUMMARY_COLUMNS]
    explanation_cols = [
        Column(code, _(label), tables.name_of(labels) if code == "category" else None)
        for code, label in EXPLANATION_FIELDS
    ]
    body, ctype = tables.table_export(
        rows,
        columns,
        fmt,
        sheet=_("候选地块") if fmt == "xlsx" else "candidates",
        geometry=geoms,
        crs=f"EPSG:{settings.SRID}",
        sheets={
            _("贪心方案入选"): ([rows[i] for i in greedy], columns),
            _("精确方案入选"): ([rows[i] for i in exact], columns),
            _("概要"): (_summary(run), summary_cols),
            _("入选说明"): (_explanation(run), explanation_cols),
        },
        geo_layers={
            "chosen_greedy": ([rows[i] for i in greedy], [geoms[i] for i in greedy]),
            "chosen_exact": ([rows[i] for i in exact], [geoms[i] for i in exact]),
        },
    )
    return body, ctype, name
