"""Import page for planners and export downloads (docs/IMPORT.md).

Uploads are written into a private (0700) directory under
``settings.GEOAPP_UPLOAD_TMP_DIR`` (default: the system temp dir), parsed in the
sandbox by :func:`layers.importing.layer_import` and deleted when the request
ends, whatever happened. Nothing is kept under MEDIA_ROOT.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import actor_of
from layers.files import is_write_error
from public.publishing import BY_KEY as PUBLISHED_LAYERS

from . import exporting
from .forms import ImportForm
from .importing import LAYER_MODELS, ImportRefused, layer_import, osm_import
from .importing.report_text import report_text, result_text, sentence
from .io.errors import ImportRejected
from .io.mapping import FieldMapping
from .io.schemas import LAYERS
from .mapping_templates import mapping_template_mapping, mapping_template_save

#: the posted mapping table: one (source, target) pair per column of the file
MAX_POSTED_COLUMNS = 500


def upload_root() -> Path:
    root = Path(
        getattr(settings, "GEOAPP_UPLOAD_TMP_DIR", None) or tempfile.gettempdir()
    )
    root.mkdir(parents=True, exist_ok=True)
    return root


def safe_name(name: str) -> str:
    """A file name safe to create in our own dir, keeping its (double) suffix."""
    base = re.sub(r"[^\w.\-]", "_", Path(name.replace("\\", "/")).name).lstrip(".")
    base = re.sub(r"\.{2,}", ".", base)
    return (base[-100:] or "upload").lstrip(".") or "upload"


def _save_upload(upload, folder: Path) -> Path:
    dest = folder / safe_name(upload.name)
    written = 0
    cap = settings.GEOAPP_UPLOAD_MAX_BYTES
    with open(dest, "xb") as fh:
        for chunk in upload.chunks():
            written += len(chunk)
            if written > cap:
                raise ImportRejected(
                    f"upload larger than {cap} bytes", code="upload_too_large"
                )
            fh.write(chunk)
    dest.chmod(0o600)
    return dest


def _posted_mapping(post, layer: str) -> FieldMapping | None:
    """The mapping table of the page as the planner left it, or None.

    Only a table shown for the same layer counts; targets outside the layer's columns
    are refused by the service (``bad_mapping``), never used as identifiers.
    """
    if post.get("map_layer") != layer or post.get("action") == "detect":
        return None
    sources = post.getlist("map_source")[:MAX_POSTED_COLUMNS]
    targets = post.getlist("map_target")[:MAX_POSTED_COLUMNS]
    if not sources or len(sources) != len(targets):
        return None
    fields = {s: t for s, t in zip(sources, targets) if t}
    return FieldMapping(
        fields=fields,
        ignore=[s for s, t in zip(sources, targets) if not t],
        how=dict.fromkeys(fields, "planner"),
    )


def _target_choices(layer: str) -> list[tuple[str, str]]:
    """(column, label) of the layer's importable columns, labelled in Chinese."""
    model = LAYER_MODELS[layer]
    fk = {"district_code": "district", "street_code": "street"}
    out = []
    for column in LAYERS[layer]["columns"]:
        label = model._meta.get_field(fk.get(column, column)).verbose_name
        out.append((column, f"{label}（{column}）"))
    return out


def _mapping_context(preview, layer: str) -> dict:
    if preview is None or layer not in LAYERS:
        return {}
    samples = list(zip(*preview.rows)) if preview.rows else []
    rows = [
        {
            "source": c,
            "target": t,
            "how": h,
            "samples": " | ".join(v for v in samples[i][:3] if v) if samples else "",
        }
        for i, (c, t, h) in enumerate(
            zip(preview.columns, preview.targets, preview.how)
        )
    ]
    return {
        "mapping_rows": rows,
        "preview_columns": preview.columns,
        "preview_rows": preview.rows,
        "target_choices": _target_choices(layer),
        "mapping_layer": layer,
    }


def _chosen_mapping(request, d) -> FieldMapping | str | None:
    """The planner's table, else the mapping file, else the template, else None (auto)."""
    posted = _posted_mapping(request.POST, d["layer"])
    if posted is not None:
        return posted
    if d["mapping"]:
        return d["mapping"]
    if d["template"] is not None:
        if d["template"].layer != d["layer"]:
            msg = (
                f"the template {d['template'].name!r} is for the layer "
                f"{d['template'].layer}, not {d['layer']}"
            )
            raise ImportRejected(msg, code="bad_mapping")
        return mapping_template_mapping(d["template"])
    return None


@require_http_methods(["GET", "POST"])
def import_view(request):
    """Upload, see the detected mapping and first rows, change it, import, save it.

    Who may import is the policy's (planners); where, the import service's."""
    context: dict = {"result": None, "report": None, "error": None}
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            layer = d["layer"] or None
            if layer is None and d["template"] is not None:
                layer = d["template"].layer  # a template names its layer
                d["layer"] = layer
            folder = Path(tempfile.mkdtemp(prefix="import-", dir=upload_root()))
            preview = None
            try:
                path = _save_upload(d["file"], folder)
                if d["layer"] == "osm":
                    result = osm_import(
                        path=path,
                        dry_run=d["dry_run"],
                        user=request.user,
                        skip_invalid=d["skip_invalid"],
                        source_name=d["file"].name,
                    )
                else:
                    result = layer_import(
                        layer=layer,
                        path=path,
                        mapping=_chosen_mapping(request, d),
                        crs=d["crs"],
                        from_gcj02=d["from_gcj02"],
                        from_bd09=d["from_bd09"],
                        encoding=d["encoding"],
                        gpkg_layer=d["gpkg_layer"],
                        dry_run=d["dry_run"],
                        user=request.user,
                        skip_invalid=d["skip_invalid"],
                        source_name=d["file"].name,
                    )
                    preview = result.preview
                    layer = result.layer
                    if d["save_template"] and preview is not None:
                        context["saved_template"] = mapping_template_save(
                            user=request.user,
                            layer=layer,
                            name=d["save_template"],
                            mapping=preview.mapping,
                        )
                context["result"] = result
                context["report"] = result_text(result)
                # the public map shows what was published (public.publishing)
                context["awaits_publication"] = (
                    not result.dry_run
                    and result.layer in PUBLISHED_LAYERS
                    and bool(result.created or result.updated)
                )
            except ImportRefused as exc:
                context["error"] = _(
                    "导入被拒绝：有行未通过检查，未写入任何数据（见下方报告）。"
                )
                context["report"] = report_text(exc.report)
                preview = getattr(exc, "preview", None)
                layer = getattr(exc, "layer", None) or layer
                status = 400
            except ImportRejected as exc:
                context["error"] = sentence(str(exc))
                context["error_code"] = exc.code
                preview = getattr(exc, "preview", None)
                layer = getattr(exc, "layer", None) or layer
                status = 400
            except PermissionDenied as exc:
                context["error"] = str(exc) or "permission denied"
                status = 403
            except OSError as exc:
                if not is_write_error(exc):
                    raise
                # the upload (or the sandbox's copy) could not be written: the folder
                # goes below, and the import had not started writing to the database
                context["error"] = _(
                    "服务器磁盘已满或写入失败，文件未能保存，未导入任何内容；"
                    "请联系管理员后重试。"
                )
                status = 507
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            context.update(_mapping_context(preview, layer))
            if layer and layer != d["layer"]:
                # the layer chosen from the file's geometries, shown in the form
                data = request.POST.copy()
                data["layer"] = layer
                form = ImportForm(data, request.FILES)
                form.is_valid()
        else:
            status = 400
    else:
        form = ImportForm()
    context["form"] = form
    context["max_bytes"] = settings.GEOAPP_UPLOAD_MAX_BYTES
    response = render(request, "layers/import.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def export_view(request, layer: str, fmt: str):
    """Download a layer (signed-in users). Viewers: public layers, public fields only."""
    fmt = {"json": "geojson", "zip": "shp"}.get(fmt, fmt)
    if layer not in exporting.LAYER_MODELS or fmt not in exporting.FORMATS:
        raise Http404
    full = actor_of(request.user).sees_private
    if not full and layer not in exporting.PUBLIC_LAYERS:
        raise Http404
    bbox = None
    if request.GET.get("bbox"):
        try:
            bbox = tuple(float(v) for v in request.GET["bbox"].split(","))
            if len(bbox) != 4 or any(v != v or abs(v) > 1000 for v in bbox):
                raise ValueError
        except ValueError:
            from django.http import HttpResponseBadRequest

            return HttpResponseBadRequest("bbox must be minlon,minlat,maxlon,maxlat")
    folder = Path(tempfile.mkdtemp(prefix="export-"))
    try:
        out = folder / f"{layer}.{exporting.SUFFIX[fmt]}"
        try:
            exporting.layer_export(
                layer=layer, fmt=fmt, path=out, bbox=bbox, public=not full
            )
        except exporting.ExportError as exc:
            from django.http import HttpResponseBadRequest

            return HttpResponseBadRequest(str(exc))
        fh = open(out, "rb")  # noqa: SIM115  (FileResponse closes it)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the open handle stays readable
    response = FileResponse(
        fh,
        as_attachment=True,
        filename=out.name,
        content_type=exporting.CONTENT_TYPE[fmt],
    )
    patch_vary_headers(response, ("Cookie",))
    if full:
        patch_cache_control(response, private=True, no_store=True)
    return response
