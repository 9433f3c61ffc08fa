"""A siting run's candidates as GeoJSON, GeoPackage or XLSX."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from layers.io.writers import table_xlsx_bytes
from runs.models import AnalysisRun
from siting.services.reads import _frame

EXPORT_FORMATS = ("geojson", "gpkg", "xlsx")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def siting_export(
    *, run: AnalysisRun, fmt: str, private: bool = True
) -> tuple[bytes, str, str]:
    """A run's candidates and chosen sites as GeoJSON (EPSG:4326), GPKG or XLSX
    (``private=False``: without owner and consent).

    Returns ``(body, content type, file name)``. GPKG has layers ``candidates``,
    ``chosen_greedy`` and ``chosen_exact`` in EPSG:4326; XLSX has the same sheets (WKT
    geometry) plus ``summary`` (objectives, gaps and times) and ``explanation``.
    """
    if fmt not in EXPORT_FORMATS:
        msg = f"format must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}"
        raise ValueError(msg)
    gdf = _frame(run, private=private).to_crs(4326)
    name = f"siting_run{run.pk}.{fmt}"
    layers = {
        "candidates": gdf,
        "chosen_greedy": gdf[gdf["chosen_greedy"]],
        "chosen_exact": gdf[gdf["chosen_exact"]],
    }
    if fmt == "geojson":
        return gdf.to_json(drop_id=True).encode(), "application/geo+json", name
    if fmt == "gpkg":
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            for layer, frame in layers.items():
                if len(frame) or layer == "candidates":
                    frame.to_file(path, driver="GPKG", layer=layer)
            return path.read_bytes(), "application/geopackage+sqlite3", name
    summary = run.summary or {}
    meta = [
        ("run", run.pk),
        ("categories", ", ".join(summary.get("categories", []))),
        ("lifecircle_run", run.parameters.get("lifecircle_run")),
        ("k", str(run.parameters.get("k"))),
        ("method", run.parameters.get("method")),
    ]
    for m, obj in (summary.get("objectives") or {}).items():
        for key, v in obj.items():
            meta.append((f"{m}.{key}", str(v) if isinstance(v, dict) else v))
    for key, v in (summary.get("timings") or {}).items():
        meta.append((f"time.{key}", v))
    sheets = {"summary": pd.DataFrame(meta, columns=["item", "value"])}
    for layer, frame in layers.items():
        out = pd.DataFrame(frame.drop(columns="geometry"))
        out["wkt"] = frame.geometry.to_wkt().to_numpy()
        sheets[layer] = out
    expl = []
    for m, recs in (summary.get("explanation") or {}).items():
        for rec in recs:
            for g in rec.get("gains", []):
                expl.append(
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
    sheets["explanation"] = pd.DataFrame(
        expl,
        columns=[
            "method",
            "category",
            "candidate_code",
            "candidate_name",
            "community",
            "community_name",
            "residents",
            "walk_m",
        ],
    )
    return table_xlsx_bytes(sheets), XLSX, name
