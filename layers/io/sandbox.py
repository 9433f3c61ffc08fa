"""Parse uploads in a separate, resource-limited process (SECURITY.md A9).

The parent runs ``python -m layers.io.sandbox`` with a JSON request on stdin. The
child first sets ``RLIMIT_AS`` (address space, default 2 GB), ``RLIMIT_CPU``
(default 60 s), ``RLIMIT_FSIZE`` and ``RLIMIT_CORE=0``, then imports GDAL with the
safe configuration, reads the file, and writes its result into the job's temp dir
as data, never code: a GeoPackage (vector layers; the source row number goes in
``__row__``) or a ``.npy`` array (raster, loaded with ``allow_pickle=False``) plus
a JSON file with the report. Nothing is unpickled in the parent, so a child taken
over through a GDAL bug cannot run code in the web process.

A crash (signal), an out-of-memory, a CPU-limit kill or the wall timeout becomes
``ImportRejected("file could not be parsed: …")``; the parent keeps running.
Refusals raised inside the child (``NeedsInput``, ``UnsafeFile``...) are re-raised
in the parent with the same class, code and message.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from layers.io import errors, readers
from layers.io.errors import ImportRejected
from layers.io.geometry import ImportReport, RowIssue
from layers.io.osm import OsmLayers, read_osm
from layers.io.readers import read_raster, read_vector
from layers.io.safety import GDAL_SAFE_CONFIG, gdal_self_check

GB = 1024**3
ROW = "__row__"
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class SandboxLimits:
    memory_bytes: int = 2 * GB
    cpu_seconds: int = 60
    wall_seconds: float = 120.0
    max_output_bytes: int = 2 * GB


def _child_env(workdir: Path) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONPATH": str(REPO_ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "PROJ_NETWORK": "OFF",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }
    for key in ("PROJ_DATA", "PROJ_LIB", "GDAL_DATA"):
        if key in os.environ:
            env[key] = os.environ[key]
    env.update(GDAL_SAFE_CONFIG)
    return env


def run_sandboxed(
    op: str,
    path: str | os.PathLike[str],
    *,
    limits: SandboxLimits = SandboxLimits(),
    **kwargs,
):
    """Run ``op`` (``read_vector``, ``read_raster``, ``read_osm``) on ``path`` in a child.

    Returns what the op returns in-process (``ReadResult``, ``RasterResult``,
    ``OsmLayers``). ``kwargs`` must be JSON-serialisable.
    """
    workdir = Path(tempfile.mkdtemp(prefix="sbx-"))
    try:
        src = Path(path)
        # the child sees only a copy inside its own dir
        inp = workdir / ("input" + "".join(src.suffixes[-2:])[:20])
        shutil.copyfile(src, inp, follow_symlinks=False)
        request = {
            "op": op,
            "path": str(inp),
            "name": src.name,
            "kwargs": kwargs,
            "out": str(workdir / "out"),
            "limits": {
                "memory_bytes": limits.memory_bytes,
                "cpu_seconds": limits.cpu_seconds,
                "max_output_bytes": limits.max_output_bytes,
            },
        }
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "layers.io.sandbox"],
                input=json.dumps(request).encode(),
                capture_output=True,
                timeout=limits.wall_seconds,
                env=_child_env(workdir),
                cwd=str(workdir),
                start_new_session=True,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            msg = f"file could not be parsed: timed out after {limits.wall_seconds:g} s"
            raise errors.ImportRejected(msg, code="parse_failed") from exc
        return _collect(proc, workdir / "out", op, src.name)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _collect(proc, out: Path, op: str, name: str):
    status_file = out / "status.json"
    status = None
    if status_file.is_file() and status_file.stat().st_size < 50_000_000:
        try:
            status = json.loads(status_file.read_text("utf-8"))
        except ValueError:
            status = None
    if proc.returncode < 0:
        try:
            sig = signal.Signals(-proc.returncode).name
        except ValueError:
            sig = str(-proc.returncode)
        why = {"SIGXCPU": "CPU time limit", "SIGKILL": "killed (memory or time)"}.get(
            sig, f"crashed ({sig})"
        )
        msg = f"file could not be parsed: {why}"
        raise errors.ImportRejected(msg, code="parse_failed")
    if status is None:
        msg = f"file could not be parsed: worker exited with status {proc.returncode}"
        raise errors.ImportRejected(msg, code="parse_failed")
    if not status.get("ok"):
        cls = getattr(errors, status.get("class", ""), None)
        if not (isinstance(cls, type) and issubclass(cls, errors.ImportRejected)):
            msg = f"file could not be parsed: {status.get('message', 'error')}"
            raise errors.ImportRejected(msg, code="parse_failed")
        raise cls(status["message"], code=status.get("code"))
    return _load_result(op, out, status)


#: the layers of layers.io.osm.OsmLayers that travel back from the child
OSM_LAYERS = ("walk_segment", "amenity", "community", "basemap")


def _report_from(d: dict) -> ImportReport:
    c = d.get("counts", {})
    return ImportReport(
        source_file=d.get("source_file", ""),
        read=c.get("read", 0),
        imported=c.get("imported", 0),
        repaired=c.get("repaired", 0),
        rejected=c.get("rejected", 0),
        issues=[RowIssue(**i) for i in d.get("issues", [])],
        warnings=list(d.get("warnings", [])),
        info=dict(d.get("info", {})),
        columns=dict(d.get("columns", {})),
    )


def _read_layer(gpkg: Path, layer: str, crs: str):
    import pyogrio

    gdf = pyogrio.read_dataframe(gpkg, layer=layer)
    if ROW in gdf.columns:
        gdf = gdf.set_index(ROW)
        gdf.index.name = None
    return gdf.set_crs(crs, allow_override=True) if gdf.crs is None else gdf


def _load_result(op: str, out: Path, status: dict):
    if op == "read_vector":
        r = status["result"]
        gdf = _read_layer(out / "result.gpkg", "result", r["crs"])
        if r.get("columns"):
            gdf = gdf[
                [c for c in r["columns"] if c in gdf.columns] + [gdf.geometry.name]
            ]
        return readers.ReadResult(
            gdf=gdf,
            source_crs=r["source_crs"],
            source_file=r["source_file"],
            report=_report_from(r["report"]),
            layer=r.get("layer"),
            encoding=r.get("encoding"),
            info=r.get("info", {}),
        )
    if op == "read_raster":
        import numpy as np
        from affine import Affine

        r = status["result"]
        arr = np.load(out / "array.npy", allow_pickle=False)
        return readers.RasterResult(
            array=arr,
            transform=Affine(*r["transform"][:6]),
            crs=r["crs"],
            nodata=r["nodata"],
            source_file=r["source_file"],
            info=r.get("info", {}),
        )
    if op == "read_osm":
        r = status["result"]
        layers = {k: _read_layer(out / "result.gpkg", k, r["crs"]) for k in OSM_LAYERS}
        return OsmLayers(
            **layers,
            report={k: _report_from(v) for k, v in r["report"].items()},
            counts=r["counts"],
        )
    msg = f"unknown sandbox op {op!r}"
    raise ValueError(msg)


# ---------------------------------------------------------------------------
# child side


def _set_limits(limits: dict) -> None:
    import resource

    mem = int(limits["memory_bytes"])
    cpu = int(limits["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    fsize = int(limits["max_output_bytes"])
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))


def _write_layer(gdf, gpkg: Path, layer: str) -> None:
    import pyogrio

    g = gdf.copy()
    g[ROW] = list(g.index)
    pyogrio.write_dataframe(g, gpkg, layer=layer, driver="GPKG", promote_to_multi=False)


def _selftest(op: str) -> None:
    """Misbehaviours used by the tests (they only ever hurt this child)."""
    if op == "selftest:crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif op == "selftest:sleep":
        import time

        time.sleep(3600)
    elif op == "selftest:alloc":
        blocks = []
        while True:
            blocks.append(bytearray(256 * 1024 * 1024))
    elif op == "selftest:spin":
        while True:
            pass


def _child_main() -> int:
    request = json.loads(sys.stdin.buffer.read(1_000_000))
    _set_limits(request["limits"])
    out = Path(request["out"])
    out.mkdir(mode=0o700)
    status_file = out / "status.json"
    op = request["op"]
    try:
        if op.startswith("selftest:"):
            _selftest(op)
        gdal_self_check()
        kwargs = request["kwargs"]
        path = Path(request["path"])
        safe = re.sub(r"[^\w.\-]", "_", request["name"]).lstrip(".")[-100:]
        if safe and not path.with_name(safe).exists():
            path = path.rename(path.with_name(safe))
        if op == "read_vector":
            if kwargs.get("lonlat_columns"):
                kwargs["lonlat_columns"] = tuple(kwargs["lonlat_columns"])
            if kwargs.get("extent"):
                kwargs["extent"] = tuple(kwargs["extent"])
            r = read_vector(path, **kwargs)
            _write_layer(r.gdf, out / "result.gpkg", "result")
            result = {
                "crs": r.gdf.crs.to_wkt(),
                "source_crs": r.source_crs,
                "source_file": request["name"],
                "report": {**r.report.to_dict(), "source_file": request["name"]},
                "layer": r.layer,
                "encoding": r.encoding,
                "info": r.info,
                "columns": [c for c in r.gdf.columns if c != r.gdf.geometry.name],
            }
        elif op == "read_raster":
            import numpy as np

            ras = read_raster(path, **kwargs)
            np.save(out / "array.npy", ras.array, allow_pickle=False)
            result = {
                "transform": list(ras.transform),
                "crs": ras.crs,
                "nodata": ras.nodata,
                "source_file": request["name"],
                "info": ras.info,
            }
        elif op == "read_osm":
            if kwargs.get("extent"):
                kwargs["extent"] = tuple(kwargs["extent"])
            osm = read_osm(path, **kwargs)
            for name in OSM_LAYERS:
                _write_layer(getattr(osm, name), out / "result.gpkg", name)
            result = {
                "crs": osm.walk_segment.crs.to_wkt(),
                "counts": osm.counts,
                "report": {k: v.to_dict() for k, v in osm.report.items()},
            }
        else:
            msg = f"unknown op {op!r}"
            raise ImportRejected(msg, code="parse_failed")
        status = {"ok": True, "result": result}
    except MemoryError:
        status = {
            "ok": False,
            "class": "ImportRejected",
            "code": "parse_failed",
            "message": "file could not be parsed: memory limit reached",
        }
    except errors.ImportRejected as exc:
        status = {
            "ok": False,
            "class": type(exc).__name__,
            "code": exc.code,
            "message": str(exc),
        }
    except Exception as exc:  # anything else: no traceback leaves the child
        status = {
            "ok": False,
            "class": "",
            "code": "parse_failed",
            "message": type(exc).__name__,
        }
    status_file.write_text(json.dumps(status, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(_child_main())
