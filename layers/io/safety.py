"""Upload checks that run before any GDAL driver opens the data (SECURITY.md §A).

What this module guarantees, in order:

1. ``apply_gdal_env()`` puts :data:`GDAL_SAFE_CONFIG` into ``os.environ`` before
   pyogrio/rasterio load GDAL (``layers.io`` calls it on import), so drivers that
   open other files or the network (VRT, MRF, WMS, WFS, OAPIF, ...) are never
   registered, and also returns the same options for ``rasterio.Env`` /
   ``pyogrio.set_gdal_config_options``.
2. ``gdal_self_check()`` verifies the settings for pyogrio's and rasterio's GDAL
   (they are different libraries) and raises :class:`UnsafeEnvironment` if any is
   missing: fail closed.
3. ``prepare_upload()`` checks the size, extracts a zip/kmz into a private temp dir
   (refusing slip, symlinks, nested archives, too many entries, and bombs by
   counting the bytes actually decompressed), then sniffs every file's content
   (VRT, MRF, ``/vsi``, followed URLs, XML DOCTYPE/ENTITY) and checks shapefile
   headers (dbf record count) before GDAL sees anything.
4. ``check_vector_driver()`` / ``open_raster_checked()`` compare the driver GDAL
   actually detects with the allowlist before reading features or pixels, and
   check raster dimensions before reading any pixel.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from layers.io.errors import (
    TooLarge,
    UnsafeEnvironment,
    UnsafeFile,
    UnsupportedFormat,
)

MB = 1024 * 1024

#: Drivers that read other files, other drivers or the network. Skipped at
#: registration (``GDAL_SKIP``) in both GDALs; the allowlist below is the second wall.
SKIPPED_DRIVERS = (
    "VRT OGR_VRT MRF WMS WMTS WCS WFS OAPIF OGCAPI PLSCENES EEDA CSW NGW Carto "
    "AmigoCloud Elasticsearch HTTP GDALG GTI STACIT STACTA DAAS MBTiles PDF "
    "SQLite OSM GPSBabel PMTiles ADBC AIVector GeoRSS"
)

GDAL_SAFE_CONFIG: dict[str, str] = {
    "GDAL_SKIP": SKIPPED_DRIVERS,
    "GDAL_VRT_ENABLE_RAWRASTERBAND": "NO",
    "GDAL_VRT_RAWRASTERBAND_ALLOWED_SOURCE": "SIBLING_OR_CHILD_OF_VRT_PATH",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    # Network: curl may only touch files with an extension that cannot exist.
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".__no_network_allowed__",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_UNSAFESSL": "NO",
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "CPL_VSIL_CURL_USE_HEAD": "NO",
    "GDAL_ENABLE_DEPRECATED_DRIVER_DODS": "NO",
    # GeoPackage/SQLite: no extension loading, no external SQL functions.
    "OGR_SQLITE_LOAD_EXTENSIONS": "",
    "OGR_GPKG_INTEGRITY_CHECK": "NO",
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    # Shapefiles: never rebuild a missing .shx silently.
    "SHAPE_RESTORE_SHX": "NO",
    # GeoJSON: a single object may not be larger than 200 MB.
    "OGR_GEOJSON_MAX_OBJ_SIZE": "200",
    "GDAL_PAM_ENABLED": "NO",  # never write .aux.xml next to an upload
    "CPL_DEBUG": "OFF",
}

VECTOR_DRIVERS = frozenset(
    {"GeoJSON", "GPKG", "ESRI Shapefile", "KML", "LIBKML", "CSV"}
)
RASTER_DRIVERS = frozenset({"GTiff"})
MUST_BE_ABSENT = ("VRT", "OGR_VRT", "MRF", "WMS", "WFS", "OAPIF", "HTTP")


@dataclass(frozen=True)
class Limits:
    """Upload limits (ours, SECURITY.md A5/A7/B7)."""

    max_upload_bytes: int = 100 * MB
    max_entries: int = 1000
    max_ratio: float = 100.0
    max_total_bytes: int = 500 * MB
    max_raster_pixels: int = 200_000_000
    max_vertices: int = 100_000
    max_json_depth: int = 32

    @property
    def max_uncompressed_bytes(self) -> int:
        return min(20 * self.max_upload_bytes, self.max_total_bytes)


DEFAULT_LIMITS = Limits()


def apply_gdal_env() -> dict[str, str]:
    """Put the safe GDAL configuration into ``os.environ``; return it.

    Must run before the first import of pyogrio/rasterio, because ``GDAL_SKIP`` only
    acts when GDAL registers its drivers.
    """
    for key, value in GDAL_SAFE_CONFIG.items():
        os.environ[key] = value
    os.environ.pop("GDAL_DRIVER_PATH", None)
    os.environ["GDAL_DRIVER_PATH"] = "disable"
    return dict(GDAL_SAFE_CONFIG)


def _config_problems(get, drivers: set[str], which: str) -> list[str]:
    problems = []
    for name in MUST_BE_ABSENT:
        if name in drivers:
            problems.append(f"{which}: driver {name} is registered")
    for key in ("GDAL_VRT_ENABLE_RAWRASTERBAND", "CPL_VSIL_CURL_ALLOWED_EXTENSIONS"):
        if (get(key) or "") != GDAL_SAFE_CONFIG[key]:
            problems.append(f"{which}: {key}={get(key)!r}")
    if (get("GDAL_DRIVER_PATH") or "") != "disable":
        problems.append(f"{which}: GDAL_DRIVER_PATH may load plugins")
    if (get("GDAL_VRT_ENABLE_PYTHON") or "NO").upper() not in ("NO", "FALSE", "0"):
        problems.append(f"{which}: GDAL_VRT_ENABLE_PYTHON is on")
    return problems


def gdal_self_check() -> dict[str, str]:
    """Verify both GDALs (pyogrio's, rasterio's) are locked down; fail closed.

    Returns the GDAL versions checked. Raises :class:`UnsafeEnvironment` listing
    every problem found.
    """
    apply_gdal_env()
    import pyogrio
    import rasterio
    from rasterio.env import get_gdal_config

    pyogrio.set_gdal_config_options(dict(GDAL_SAFE_CONFIG))
    problems = _config_problems(
        pyogrio.get_gdal_config_option, set(pyogrio.list_drivers()), "pyogrio"
    )
    with rasterio.Env(**GDAL_SAFE_CONFIG) as env:
        problems += _config_problems(get_gdal_config, set(env.drivers()), "rasterio")
    if problems:
        msg = "GDAL is not configured safely (import layers.io before GDAL): " + (
            "; ".join(problems)
        )
        raise UnsafeEnvironment(msg)
    return {
        "pyogrio_gdal": pyogrio.__gdal_version_string__,
        "rasterio_gdal": rasterio.__gdal_version__,
    }


@contextmanager
def safe_rasterio_env() -> Iterator[None]:
    import rasterio

    with rasterio.Env(**GDAL_SAFE_CONFIG):
        yield


# ---------------------------------------------------------------------------
# archives

NESTED_ARCHIVE_SUFFIXES = (
    ".zip",
    ".kmz",
    ".gz",
    ".tgz",
    ".tar",
    ".7z",
    ".rar",
    ".bz2",
    ".xz",
    ".zst",
)
ARCHIVE_MAGICS = (
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
    b"BZh",
    b"\xfd7zXZ",
)
_DRIVE = re.compile(r"^[A-Za-z]:")


def _check_entry_name(name: str) -> PurePosixPath:
    if not name or "\x00" in name:
        msg = f"archive entry {name!r}: empty or NUL in name"
        raise UnsafeFile(msg, code="zip_slip")
    if "\\" in name or _DRIVE.match(name) or name.startswith("/"):
        msg = f"archive entry {name!r}: absolute path, drive letter or backslash"
        raise UnsafeFile(msg, code="zip_slip")
    parts = PurePosixPath(name).parts
    if any(p == ".." for p in parts):
        msg = f"archive entry {name!r}: '..' in path"
        raise UnsafeFile(msg, code="zip_slip")
    if len(name) > 255 or len(parts) > 8:
        msg = f"archive entry {name!r}: path too long or too deep"
        raise UnsafeFile(msg, code="zip_slip")
    return PurePosixPath(*[p for p in parts if p != "."])


def _is_ignored_entry(rel: PurePosixPath) -> bool:
    return (
        rel.parts[0] == "__MACOSX"
        or rel.name.startswith("._")
        or (rel.name in (".DS_Store", "Thumbs.db"))
    )


def safe_extract_zip(
    archive: Path, dest: Path, limits: Limits = DEFAULT_LIMITS
) -> list[Path]:
    """Extract ``archive`` into ``dest`` (a fresh private dir), refusing anything odd.

    Sizes in the zip headers are never trusted: bytes are counted as they are
    decompressed and extraction stops as soon as a limit is passed.
    """
    upload_size = archive.stat().st_size
    budget = min(limits.max_uncompressed_bytes, int(limits.max_ratio * upload_size))
    budget = max(budget, 1 * MB)  # tiny archives may still hold a small file
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        msg = f"not a readable zip archive: {exc}"
        raise UnsafeFile(msg, code="bad_archive") from exc
    out: list[Path] = []
    total = 0
    seen: set[str] = set()
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_entries:
            msg = f"archive has {len(infos)} entries (limit {limits.max_entries})"
            raise TooLarge(msg, code="too_many_entries")
        for info in infos:
            rel = _check_entry_name(info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                msg = f"archive entry {info.filename!r} is a symbolic link"
                raise UnsafeFile(msg, code="zip_symlink")
            if info.flag_bits & 0x1:
                msg = f"archive entry {info.filename!r} is encrypted"
                raise UnsafeFile(msg, code="bad_archive")
            if info.is_dir() or not rel.parts or _is_ignored_entry(rel):
                continue
            key = str(rel).lower()
            if key in seen:
                msg = f"archive entry {info.filename!r} appears twice"
                raise UnsafeFile(msg, code="bad_archive")
            seen.add(key)
            if rel.suffix.lower() in NESTED_ARCHIVE_SUFFIXES:
                msg = f"archive entry {info.filename!r} is a nested archive"
                raise UnsafeFile(msg, code="nested_archive")
            target = dest.joinpath(*rel.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            real_dest = os.path.realpath(dest)
            if os.path.commonpath([real_dest, os.path.realpath(target.parent)]) != (
                real_dest
            ):
                msg = f"archive entry {info.filename!r} escapes the target directory"
                raise UnsafeFile(msg, code="zip_slip")
            fd = os.open(
                target,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                0o600,
            )
            first = True
            try:
                with os.fdopen(fd, "wb") as fh, zf.open(info) as src:
                    while True:
                        chunk = src.read(256 * 1024)
                        if not chunk:
                            break
                        if first and chunk.startswith(ARCHIVE_MAGICS):
                            msg = f"archive entry {info.filename!r} is a nested archive"
                            raise UnsafeFile(msg, code="nested_archive")
                        first = False
                        total += len(chunk)
                        if total > budget:
                            msg = (
                                f"archive expands beyond limit ({budget} bytes, "
                                f"ratio <= {limits.max_ratio:g}:1)"
                            )
                            raise TooLarge(msg, code="zip_bomb")
                        fh.write(chunk)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
                if isinstance(exc, UnsafeFile | TooLarge):
                    raise
                msg = f"archive entry {info.filename!r} is corrupt: {exc}"
                raise UnsafeFile(msg, code="bad_archive") from exc
            out.append(target)
    return out


# ---------------------------------------------------------------------------
# content sniffing

TEXT_SUFFIXES = (
    ".json",
    ".geojson",
    ".kml",
    ".csv",
    ".txt",
    ".prj",
    ".cpg",
    ".csvt",
    ".xml",
    ".vrt",
    ".qmd",
)
_FORBIDDEN_MARKERS = (
    (b"<vrtdataset", "GDAL VRT"),
    (b"<ogrvrtdatasource", "OGR VRT"),
    (b"<mrf_meta", "MRF"),
    (b"<gdal_wms", "GDAL WMS"),
    (b"<wfs", "WFS description"),
)
_VSI = re.compile(rb"/vsi[a-z0-9_]*", re.I)
_FILE_URL = re.compile(rb"file:/", re.I)
_URL = rb"(?:https?|ftps?)://"
_FOLLOWED_URL = (
    re.compile(rb"<\s*(?:kml:)?(?:href|NetworkLink|Link)\b[^>]*>\s*" + _URL, re.I),
    re.compile(rb'"(?:href|\$ref)"\s*:\s*"' + _URL, re.I),
    re.compile(rb"<\s*NetworkLink\b", re.I),
)


def _iter_chunks(path: Path, size: int = 1 * MB, overlap: int = 64) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        tail = b""
        while True:
            chunk = fh.read(size)
            if not chunk:
                return
            yield tail + chunk
            tail = chunk[-overlap:]


def sniff_file(path: Path) -> None:
    """Refuse content that makes GDAL open other files or the network."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    lower_head = head.lower().lstrip(b"\xef\xbb\xbf \t\r\n")
    for marker, what in _FORBIDDEN_MARKERS:
        if marker in lower_head[:1024]:
            msg = f"{path.name}: {what} content is not accepted (unsupported format)"
            raise UnsupportedFormat(msg, code="forbidden_format")
    is_text = path.suffix.lower() in TEXT_SUFFIXES or not _looks_binary(head)
    is_gpkg = head.startswith(b"SQLite format 3")
    if not (is_text or is_gpkg or path.suffix.lower() in (".dbf", ".tif", ".tiff")):
        return
    for chunk in _iter_chunks(path):
        low = chunk.lower()
        for marker, what in _FORBIDDEN_MARKERS:
            if marker in low:
                msg = f"{path.name}: embedded {what} content is not accepted"
                raise UnsupportedFormat(msg, code="forbidden_format")
        if _VSI.search(chunk):
            msg = f"{path.name}: reference to a GDAL virtual file system (/vsi...)"
            raise UnsafeFile(msg, code="external_reference")
        if _FILE_URL.search(chunk):
            msg = f"{path.name}: file:// reference"
            raise UnsafeFile(msg, code="external_reference")
        if is_text:
            for pattern in _FOLLOWED_URL:
                if pattern.search(chunk):
                    msg = f"{path.name}: link to an external resource is not accepted"
                    raise UnsafeFile(msg, code="external_reference")
        if is_gpkg and (b"virtualshape" in low or b"virtualogr" in low):
            msg = f"{path.name}: SQLite virtual table reading other files"
            raise UnsafeFile(msg, code="external_reference")
    if path.suffix.lower() in (".kml", ".xml"):
        check_xml(path)


def _looks_binary(head: bytes) -> bool:
    return b"\x00" in head


def check_xml(path: Path) -> None:
    """Parse XML with defusedxml: DOCTYPE, ENTITY and external references refused."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import parse

    try:
        parse(str(path), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        msg = f"{path.name}: XML with DOCTYPE/ENTITY is not accepted ({exc})"
        raise UnsafeFile(msg, code="xml_entity") from exc
    except Exception as exc:  # ParseError
        msg = f"{path.name}: not well-formed XML ({exc})"
        raise UnsupportedFormat(msg, code="bad_xml") from exc


# ---------------------------------------------------------------------------
# shapefile header checks (SECURITY.md A8)


def check_shapefile_set(shp: Path) -> None:
    """Check the .shp/.shx/.dbf triplet headers before GDAL reads it."""
    stem = shp.with_suffix("")
    parts = {p.suffix.lower(): p for p in shp.parent.iterdir() if p.stem == stem.name}
    for need in (".shx", ".dbf"):
        if need not in parts:
            msg = f"{shp.name}: the {need} file is missing from the shapefile set"
            raise UnsupportedFormat(msg, code="shapefile_incomplete")
    shp_size = shp.stat().st_size
    if shp_size < 100:
        msg = f"{shp.name}: truncated .shp (header shorter than 100 bytes)"
        raise UnsupportedFormat(msg, code="shapefile_corrupt")
    with open(shp, "rb") as fh:
        header = fh.read(100)
    declared = int.from_bytes(header[24:28], "big") * 2
    if int.from_bytes(header[0:4], "big") != 9994 or declared > shp_size:
        msg = f"{shp.name}: .shp header is corrupt or the file is truncated"
        raise UnsupportedFormat(msg, code="shapefile_corrupt")
    shx = parts[".shx"]
    n_shapes = max(0, (shx.stat().st_size - 100) // 8)
    dbf = parts[".dbf"]
    with open(dbf, "rb") as fh:
        dh = fh.read(32)
    if len(dh) < 32:
        msg = f"{dbf.name}: truncated .dbf header"
        raise UnsupportedFormat(msg, code="shapefile_corrupt")
    n_records = int.from_bytes(dh[4:8], "little")
    header_len = int.from_bytes(dh[8:10], "little")
    record_len = int.from_bytes(dh[10:12], "little")
    dbf_size = dbf.stat().st_size
    if header_len + n_records * record_len > dbf_size:
        msg = (
            f"{dbf.name}: header claims {n_records} records but the file holds "
            f"{max(0, dbf_size - header_len) // max(record_len, 1)}"
        )
        raise UnsupportedFormat(msg, code="dbf_record_count")
    if n_records != n_shapes:
        msg = f"{dbf.name}: {n_records} records but {n_shapes} shapes in the .shx"
        raise UnsupportedFormat(msg, code="dbf_record_count")


# ---------------------------------------------------------------------------
# entry point


@dataclass
class PreparedUpload:
    """An upload after size checks, safe extraction and sniffing."""

    workdir: Path
    files: list[Path] = field(default_factory=list)
    from_archive: bool = False
    original_name: str = ""


def is_zip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


def prepare_upload(
    path: str | os.PathLike[str],
    workdir: str | os.PathLike[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> PreparedUpload:
    """Copy/extract the upload into a private dir and sniff every file.

    ``workdir`` must be an empty directory owned by the caller (a fresh
    ``tempfile.mkdtemp()`` is made if omitted); nothing is ever written elsewhere.
    """
    src = Path(path)
    if not src.is_file() or src.is_symlink():
        msg = f"{src.name}: not a regular file"
        raise UnsupportedFormat(msg, code="not_a_file")
    size = src.stat().st_size
    if size > limits.max_upload_bytes:
        msg = f"{src.name}: {size} bytes is above the upload limit of {limits.max_upload_bytes}"
        raise TooLarge(msg, code="upload_too_large")
    if size == 0:
        msg = f"{src.name}: empty file"
        raise UnsupportedFormat(msg, code="empty_file")
    wd = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="upl-"))
    wd.mkdir(parents=True, exist_ok=True)
    os.chmod(wd, 0o700)
    prepared = PreparedUpload(workdir=wd, original_name=src.name)
    if is_zip(src):
        extract_dir = wd / "extracted"
        extract_dir.mkdir()
        prepared.files = safe_extract_zip(src, extract_dir, limits)
        prepared.from_archive = True
        if src.suffix.lower() == ".kmz":
            prepared.files = [p for p in prepared.files if p.suffix.lower() == ".kml"][
                :1
            ] or prepared.files
    else:
        safe_name = re.sub(r"[^\w.\-]", "_", src.name)[-100:] or "upload"
        dst = wd / safe_name
        shutil.copyfile(src, dst, follow_symlinks=False)
        prepared.files = [dst]
    for f in prepared.files:
        sniff_file(f)
    return prepared


def check_vector_driver(path: str | os.PathLike[str], layer: str | int | None = None):
    """Ask pyogrio which driver GDAL detects; refuse anything off the allowlist.

    Returns the ``pyogrio.read_info`` dict (no features read yet).
    """
    import pyogrio

    pyogrio.set_gdal_config_options(dict(GDAL_SAFE_CONFIG))
    try:
        with warnings.catch_warnings():
            # "more than one layer" is handled by the caller (NeedsInput)
            warnings.simplefilter("ignore", UserWarning)
            info = pyogrio.read_info(path, layer=layer)
    except Exception as exc:
        msg = f"{Path(path).name}: not a readable vector file ({_short(exc)})"
        raise UnsupportedFormat(msg, code="unreadable") from exc
    driver = info.get("driver")
    if driver not in VECTOR_DRIVERS:
        msg = f"{Path(path).name}: format {driver!r} is not accepted"
        raise UnsupportedFormat(msg, code="driver_not_allowed")
    return info


def open_raster_checked(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS):
    """Open with rasterio under the safe Env, check driver and size; return dataset.

    The caller must close it (and should read inside :func:`safe_rasterio_env`).
    """
    import rasterio
    from rasterio.errors import RasterioIOError

    try:
        with rasterio.Env(**GDAL_SAFE_CONFIG):
            ds = rasterio.open(path)
    except RasterioIOError as exc:
        msg = f"{Path(path).name}: not a readable raster ({_short(exc)})"
        raise UnsupportedFormat(msg, code="unreadable") from exc
    if ds.driver not in RASTER_DRIVERS:
        ds.close()
        msg = f"{Path(path).name}: raster format {ds.driver!r} is not accepted"
        raise UnsupportedFormat(msg, code="driver_not_allowed")
    pixels = ds.width * ds.height * ds.count
    if pixels > limits.max_raster_pixels:
        ds.close()
        msg = (
            f"{Path(path).name}: raster too large ({ds.width}x{ds.height}x{ds.count} "
            f"> {limits.max_raster_pixels} px)"
        )
        raise TooLarge(msg, code="raster_too_large")
    for bw, bh in ds.block_shapes:
        if bw * bh > 64 * MB:
            ds.close()
            msg = f"{Path(path).name}: raster block {bw}x{bh} too large"
            raise TooLarge(msg, code="raster_too_large")
    return ds


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    # never leak server paths
    return re.sub(r"(/[^\s:'\"]+)+", "<path>", text)[:200]
