"""osm_import: an OpenStreetMap extract into the walk network, amenities and candidates."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from layers.candidates import candidate_rows, candidates_store
from layers.importing.direct_writes import basemap_replace
from layers.importing.results import ImportResult
from layers.importing.rows import (
    _check_permission,
    _finish_report,
    _prepare_rows,
    _recount,
    _refuse_or_skip,
    _Resolver,
    _write,
)
from layers.io import osm, sandbox
from layers.io.geometry import ImportReport
from layers.io.mapping import FieldMapping


def _skip_outside(report: ImportReport, extent) -> None:
    """An OSM export holds whole ways crossing its box: those outside are skipped."""
    outside = [i for i in report.issues if i.reason == "outside the city extent"]
    if outside:
        report.issues = [i for i in report.issues if i not in outside]
        report.warnings.append(
            f"{len(outside)} feature(s) outside the extent {extent} skipped"
        )


def osm_import(
    *,
    path,
    extent: tuple[float, float, float, float] | None = None,
    dry_run: bool = False,
    user=None,
    skip_invalid: bool = False,
    source_name: str | None = None,
) -> ImportResult:
    """Import an OSM extract: walk segments, amenities, community candidates and the
    basemap, in one transaction.

    Features outside ``extent`` (default ``settings.CITY_EXTENT``) are skipped and
    counted (an OSM export includes whole ways crossing its box). ``landuse=
    residential`` areas become community *candidates* (layers.candidates) with the
    district containing them and a household estimate from the buildings inside:
    OSM has no completion year or household count, so a planner confirms each before
    it is a community. Water, rivers, parks, main roads and buildings replace the
    basemap features of the same codes (a display layer: unusable outlines are left
    out and counted, not refused).
    """
    source_name = Path(source_name or Path(path).name).name
    extent = tuple(extent or settings.CITY_EXTENT)
    res = sandbox.run_sandboxed(
        "read_osm", path, extent=list(extent), target_crs=f"EPSG:{settings.SRID}"
    )
    resolver = _Resolver()
    prepared = []
    reports = {}
    for layer in ("walk_segment", "amenity"):
        rep = res.report[layer]
        rep.source_file = source_name
        _skip_outside(rep, extent)
        gdf = getattr(res, layer)
        p = _prepare_rows(
            layer,
            gdf,
            rep,
            mapping=FieldMapping(),
            source_crs="EPSG:4326",
            source_file=source_name,
            resolver=resolver,
        )
        _finish_report(rep, len(p.objects))
        rep.read = rep.read or len(gdf)
        prepared.append(p)
        reports[layer] = p.report
    # community candidates: stored for review (layers.candidates), not communities
    crep = res.report["community"]
    crep.source_file = source_name
    crep.issues = [i for i in crep.issues if i.reason != "outside the city extent"]
    candidates = candidate_rows(res.community, res.basemap, resolver.district_at)
    crep.info["candidates"] = [
        f"{c['name'] or '(unnamed)'} ({c['code']}): "
        + (f"district {c['district'].code}" if c["district"] else "no district")
        + (
            f", ~{c['households_estimate']} households estimated from "
            f"{c['buildings']} buildings"
            if c["households_estimate"] is not None
            else ", no buildings mapped inside"
        )
        for c in candidates
    ]
    crep.imported = 0
    crep.warnings.append(
        f"{len(candidates)} residential area(s) kept as community candidates for "
        "review (/planner/candidates/): a planner confirms each with its completion "
        "year and households before it enters the analyses"
    )
    _recount(crep)
    reports["community"] = crep
    # basemap: water, rivers, parks, main roads, buildings (display only)
    brep = res.report["basemap"]
    brep.source_file = source_name
    _skip_outside(brep, extent)
    skipped = [i for i in brep.issues if i.status == "rejected"]
    if skipped:
        # a display layer: a broken building outline is left out, never a refusal
        brep.warnings.append(
            f"{len(skipped)} basemap feature(s) with unusable geometry left out"
        )
        for i in skipped:
            i.status = "skipped"
    _recount(brep)
    brep.imported = len(res.basemap)
    reports["basemap"] = brep
    _refuse_or_skip(prepared, skip_invalid)
    for p in prepared:
        _check_permission(user, p.layer, p)
    counts = {}
    for p in prepared:
        c = sum(1 for o in p.objects if o[2])
        counts[p.layer] = {"created": c, "updated": len(p.objects) - c}
    totals = {
        "created": sum(c["created"] for c in counts.values()),
        "updated": sum(c["updated"] for c in counts.values()),
    }
    total = ImportReport(
        source_file=source_name,
        read=sum(r.read for r in reports.values()),
        imported=sum(len(p.objects) for p in prepared),
    )
    result = ImportResult(
        report=total,
        created=totals["created"],
        updated=totals["updated"],
        layer="osm",
        dry_run=dry_run,
        reports=reports,
        counts=counts,
    )
    # candidates and basemap are counted apart: they are not source-layer rows
    counts["basemap"] = {"written": len(res.basemap)}
    if dry_run:
        cc = candidates_store(candidates, source_file=source_name, dry_run=True)
        counts["community"] = cc.as_dict()
        total.warnings.append("dry run: nothing was written")
        return result
    with transaction.atomic():
        for p in prepared:
            _write(p, user=user, reason=f"import {source_name}"[:100])
        cc = candidates_store(candidates, source_file=source_name)
        basemap_replace(res.basemap, source_file=source_name, source_crs="EPSG:4326")
    counts["community"] = cc.as_dict()
    return result


def osm_tag_table_markdown() -> str:
    """The OSM tag → category table of docs/IMPORT.md, generated from layers.io.osm."""
    rules = {
        "_school": "primary_school (name 小学/primary or isced:level 1), "
        "middle_school (中学/初中/高中/middle or isced:level 2–3), else none",
        "_clinic": "health_station (name 卫生服务站/卫生室), "
        "health_center (卫生服务中心), else clinic",
    }
    lines = ["| OSM tag | category |", "| --- | --- |"]
    for (key, value), rule in osm.AMENITY_TABLE.items():
        text = rules.get(rule.__name__, rule.__name__) if callable(rule) else rule
        lines.append(f"| `{key}={value}` | {text or '(ignored)'} |")
    lines += ["", "| OSM highway | walk_segment.kind |", "| --- | --- |"]
    lines += [f"| `{k}` | {v} |" for k, v in osm.HIGHWAY_KIND.items()]
    return "\n".join(lines)
