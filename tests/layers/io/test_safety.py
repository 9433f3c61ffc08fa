"""Hostile uploads (SECURITY.md §A): each gives a clear ImportRejected and writes
nothing outside the job's temp dir.

Cases: zip slip (../, absolute, drive letter, backslash, nested ..), symlink entry,
nested archive, too many entries, zip bomb, spoofed sizes, VRT disguised as .tif
and .geojson (sniffing and the driver allowlist separately), MRF, /vsicurl and
followed URLs, XML entities in KML, raster 10^6×10^6 header, shapefile with lying
dbf record count / missing .shx, GDAL self-check.
"""

from __future__ import annotations

import struct
import zipfile

import pytest

from layers.io.errors import ImportRejected, TooLarge, UnsafeFile, UnsupportedFormat
from layers.io.readers import read_raster, read_vector
from layers.io.safety import (
    Limits,
    check_vector_driver,
    gdal_self_check,
    prepare_upload,
)


def _zip(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            if isinstance(name, zipfile.ZipInfo):
                zf.writestr(name, data)
            else:
                zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "a/../../evil.txt",
        "/tmp/evil.txt",
        "C:/evil.txt",
        "C:\\evil.txt",
        "..\\evil.txt",
    ],
)
def test_zip_slip_variants_rejected(tmp_path, jail, name):
    up = tmp_path / "up"
    up.mkdir()
    z = up / "x.zip"
    info = zipfile.ZipInfo("a.geojson")
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr(info, b"{}")
        bad = zipfile.ZipInfo("placeholder")
        bad.filename = name  # bypass zipfile's own sanitising
        zf.writestr(bad, b"pwned")
    jail()
    with pytest.raises(UnsafeFile) as exc:
        read_vector(z)
    assert exc.value.code == "zip_slip"
    jail.check()
    assert not (tmp_path / "evil.txt").exists()


def test_symlink_entry_rejected(tmp_path, jail):
    z = tmp_path / "link.zip"
    info = zipfile.ZipInfo("passwd.geojson")
    info.external_attr = (0o120777 << 16) | 0
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    jail()
    with pytest.raises(UnsafeFile, match="symbolic link"):
        read_vector(z)
    jail.check()


def test_nested_archive_rejected(tmp_path, jail):
    inner = _zip(tmp_path / "inner.zip", [("a.txt", b"x")])
    z = _zip(tmp_path / "outer.zip", [("inner.zip", inner.read_bytes())])
    disguised = _zip(tmp_path / "outer2.zip", [("data.dbf", inner.read_bytes())])
    jail()
    for path in (z, disguised):
        with pytest.raises(UnsafeFile, match="nested archive"):
            read_vector(path)
    jail.check()


def test_too_many_entries(tmp_path, jail):
    z = _zip(tmp_path / "many.zip", [(f"f{i}.txt", b"") for i in range(1001)])
    jail()
    with pytest.raises(TooLarge, match="1001 entries"):
        read_vector(z)
    jail.check()


def test_zip_bomb_stops_after_limit(tmp_path, jail):
    # 200 MB of zeros deflates to ~200 kB: ratio ~1000:1
    z = tmp_path / "bomb.zip"
    with (
        zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("zeros.geojson", "w", force_zip64=True) as fh,
    ):
        block = b"\0" * (1 << 20)
        for _ in range(200):
            fh.write(block)
    assert z.stat().st_size < 1_000_000
    jail()
    with pytest.raises(TooLarge, match="expands beyond limit") as exc:
        read_vector(z)
    assert exc.value.code == "zip_bomb"
    jail.check()


def test_zip_bomb_total_limit_with_small_cap(tmp_path, jail):
    z = tmp_path / "b.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.csv", b"x" * 3_000_000)
    jail()
    with pytest.raises(TooLarge):
        prepare_upload(z, tmp_path / "sys_tmp" / "w", Limits(max_upload_bytes=100_000))
    import shutil

    shutil.rmtree(tmp_path / "sys_tmp" / "w")
    jail.check()


def test_spoofed_sizes_in_central_directory(tmp_path, jail):
    """Header claims 10 bytes; the entry really inflates to 50 MB."""
    z = tmp_path / "spoof.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.geojson", b" " * 50_000_000)
    data = bytearray(z.read_bytes())
    cd = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, 10)  # uncompressed size in central dir
    lh = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, lh + 22, 10)
    z.write_bytes(bytes(data))
    jail()
    with pytest.raises(ImportRejected):
        read_vector(z)
    jail.check()


def test_upload_size_cap(tmp_path):
    f = tmp_path / "big.geojson"
    f.write_bytes(b" " * 2000)
    with pytest.raises(TooLarge, match="upload limit"):
        prepare_upload(f, tmp_path / "w", Limits(max_upload_bytes=1000))


VRT_RASTER = """<VRTDataset rasterXSize="10" rasterYSize="10">
  <VRTRasterBand dataType="Byte" band="1" subClass="VRTRawRasterBand">
    <SourceFilename relativeToVRT="0">{canary}</SourceFilename>
  </VRTRasterBand>
</VRTDataset>"""

OGR_VRT = """<OGRVRTDataSource><OGRVRTLayer name="x">
<SrcDataSource>{canary}</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"""


@pytest.mark.parametrize("suffix", [".tif", ".geojson", ".gpkg"])
@pytest.mark.parametrize("template", [VRT_RASTER, OGR_VRT])
def test_vrt_disguised_is_rejected(tmp_path, jail, suffix, template):
    canary = tmp_path / "canary.csv"
    canary.write_text("secret,CANARY-123\n")
    f = tmp_path / f"upload{suffix}"
    f.write_text("\n" + template.format(canary=canary))
    jail()
    reader = read_raster if suffix == ".tif" else read_vector
    with pytest.raises(ImportRejected) as exc:
        reader(f)
    assert "CANARY" not in str(exc.value)
    assert exc.value.code in ("forbidden_format", "driver_not_allowed")
    jail.check()


def test_driver_allowlist_without_sniffing(tmp_path):
    """Even if sniffing were bypassed, GDAL has no VRT driver and the allowlist holds."""
    canary = tmp_path / "canary.csv"
    canary.write_text("secret\nCANARY\n")
    f = tmp_path / "x.geojson"
    f.write_text(OGR_VRT.format(canary=canary))
    with pytest.raises(UnsupportedFormat):
        check_vector_driver(f)
    gml = tmp_path / "x.gml"
    gml.write_text(
        '<?xml version="1.0"?><ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/"'
        ' xmlns:gml="http://www.opengis.net/gml"></ogr:FeatureCollection>'
    )
    with pytest.raises(UnsupportedFormat):
        check_vector_driver(gml)


def test_mrf_rejected(tmp_path, jail):
    f = tmp_path / "x.tif"
    f.write_text(
        "<MRF_META><CachedSource><Source>/vsicurl/http://127.0.0.1:9/x</Source>"
        "</CachedSource><Raster><DataFile>../../pwn</DataFile></Raster></MRF_META>"
    )
    jail()
    with pytest.raises(UnsupportedFormat, match="MRF"):
        read_raster(f)
    jail.check()
    assert not (tmp_path.parent / "pwn").exists()


@pytest.mark.parametrize(
    "content",
    [
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"src":"/vsicurl/http://127.0.0.1:9/x"},"geometry":null}]}',
        '{"type":"FeatureCollection","crs":{"type":"link","properties":'
        '{"href":"http://127.0.0.1:9/crs"}},"features":[]}',
        '{"type":"FeatureCollection","features":[],"x":"file:///etc/passwd"}',
    ],
)
def test_external_references_rejected(tmp_path, jail, content):
    f = tmp_path / "x.geojson"
    f.write_text(content)
    jail()
    with pytest.raises(UnsafeFile) as exc:
        read_vector(f)
    assert exc.value.code == "external_reference"
    jail.check()


def test_kml_network_link_rejected(tmp_path):
    f = tmp_path / "x.kml"
    f.write_text(
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><NetworkLink>'
        "<Link><href>http://127.0.0.1:9/x.kml</href></Link></NetworkLink>"
        "</Document></kml>"
    )
    with pytest.raises(UnsafeFile):
        read_vector(f)


def test_kml_xml_entity_rejected(tmp_path, jail):
    f = tmp_path / "x.kml"
    f.write_text(
        '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY xxe SYSTEM "/etc/hostname">]>'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&xxe;</name>'
        "<Point><coordinates>121.55,29.87</coordinates></Point></Placemark></kml>"
    )
    jail()
    with pytest.raises(UnsafeFile) as exc:
        read_vector(f)
    assert exc.value.code == "xml_entity"
    jail.check()


def _tiff_header(width: int, height: int) -> bytes:
    """A minimal little-endian classic TIFF declaring width x height, 1 strip."""
    entries = [
        (256, 4, 1, width),  # ImageWidth LONG
        (257, 4, 1, height),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample
        (259, 3, 1, 1),  # Compression none
        (262, 3, 1, 1),  # Photometric
        (273, 4, 1, 8),  # StripOffsets
        (277, 3, 1, 1),  # SamplesPerPixel
        (278, 4, 1, height),  # RowsPerStrip
        (279, 4, 1, 1),  # StripByteCounts
    ]
    ifd = struct.pack("<H", len(entries))
    for tag, typ, count, value in entries:
        if typ == 3:
            ifd += struct.pack("<HHIHH", tag, typ, count, value, 0)
        else:
            ifd += struct.pack("<HHII", tag, typ, count, value)
    ifd += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", 16) + b"\0" * 8 + ifd


def test_raster_huge_dimensions_rejected_before_reading(tmp_path, jail):
    f = tmp_path / "huge.tif"
    f.write_bytes(_tiff_header(1_000_000, 1_000_000))
    assert f.stat().st_size < 3000
    jail()
    with pytest.raises(TooLarge, match="raster too large"):
        read_raster(f)
    jail.check()


def test_small_geotiff_reads(tmp_path):
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    f = tmp_path / "pop.tif"
    arr = np.arange(12, dtype="float32").reshape(1, 3, 4)
    with rasterio.open(
        f,
        "w",
        driver="GTiff",
        width=4,
        height=3,
        count=1,
        dtype="float32",
        crs="EPSG:4549",
        transform=from_origin(650000, 3310000, 100, 100),
        nodata=-1,
    ) as ds:
        ds.write(arr)
    r = read_raster(f)
    assert r.array.shape == (1, 3, 4)
    assert r.crs == "EPSG:4549"
    assert r.nodata == -1
    assert float(r.array.sum()) == 66.0  # 0+1+...+11


def test_dbf_record_count_lie(tmp_path, jail, samples):
    z = samples.make_gbk_shapefile_zip(tmp_path)
    with zipfile.ZipFile(z) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    dbf_name = next(n for n in members if n.endswith(".dbf"))
    dbf = bytearray(members[dbf_name])
    struct.pack_into("<I", dbf, 4, 30)  # 10x the real 3 records
    members[dbf_name] = bytes(dbf)
    bad = _zip(tmp_path / "lie.zip", members.items())
    jail()
    with pytest.raises(UnsupportedFormat) as exc:
        read_vector(bad)
    assert exc.value.code == "dbf_record_count"
    jail.check()


def test_missing_shx(tmp_path, samples):
    z = samples.make_gbk_shapefile_zip(tmp_path)
    with zipfile.ZipFile(z) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if not n.endswith(".shx")}
    bad = _zip(tmp_path / "noshx.zip", members.items())
    with pytest.raises(UnsupportedFormat, match=r"\.shx file is missing"):
        read_vector(bad)


def test_gdal_self_check_passes():
    versions = gdal_self_check()
    assert set(versions) == {"pyogrio_gdal", "rasterio_gdal"}


def test_gdal_self_check_fails_closed_in_fresh_process_without_env():
    """A process that loads GDAL before layers.io gets VRT back: the check refuses."""
    import os
    import subprocess
    import sys

    code = (
        "import pyogrio, rasterio\n"
        "from layers.io.errors import UnsafeEnvironment\n"
        "import layers.io.safety as s\n"
        "try:\n    s.gdal_self_check()\nexcept UnsafeEnvironment as e:\n"
        "    print('REFUSED', e)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GDAL_", "OGR_"))}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(__import__("pathlib").Path(__file__).resolve().parents[3]),
        timeout=60,
    )
    assert "REFUSED" in out.stdout, out.stderr
    assert "VRT" in out.stdout


def test_loopback_canary_sees_no_connection(tmp_path):
    """A2: references to a loopback listener are refused and never fetched."""
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    srv.settimeout(0.2)
    port = srv.getsockname()[1]
    hits = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            hits.append(1)
            conn.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    url = f"http://127.0.0.1:{port}/x"
    cases = {
        "a.geojson": '{"type":"FeatureCollection","features":[{"type":"Feature",'
        f'"properties":{{"s":"/vsicurl/{url}"}},"geometry":null}}]}}',
        "b.tif": VRT_RASTER.format(canary=f"/vsicurl/{url}"),
        "c.geojson": f"/vsicurl/{url}",
        "d.kml": '<kml xmlns="http://www.opengis.net/kml/2.2"><NetworkLink><Link>'
        f"<href>{url}</href></Link></NetworkLink></kml>",
    }
    try:
        for name, content in cases.items():
            f = tmp_path / name
            f.write_text(content)
            reader = read_raster if name.endswith(".tif") else read_vector
            with pytest.raises(ImportRejected):
                reader(f)
        # and GDAL itself, asked directly, does not fetch either
        with pytest.raises(UnsupportedFormat):
            check_vector_driver(f"/vsicurl/{url}")
    finally:
        stop.set()
        t.join(2)
        srv.close()
    assert hits == []


def test_plain_urls_in_attributes_are_fine(tmp_path):
    f = tmp_path / "poi.geojson"
    f.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"url":"https://www.ningbo.gov.cn/","website":"http://example.org"},'
        '"geometry":{"type":"Point","coordinates":[121.55,29.87]}}]}'
    )
    r = read_vector(f)
    assert r.gdf["url"].iloc[0] == "https://www.ningbo.gov.cn/"


def test_truncated_shp(tmp_path, samples):
    z = samples.make_gbk_shapefile_zip(tmp_path)
    with zipfile.ZipFile(z) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    shp = next(n for n in members if n.endswith(".shp"))
    members[shp] = members[shp][:150]
    bad = _zip(tmp_path / "trunc.zip", members.items())
    with pytest.raises(UnsupportedFormat, match="truncated"):
        read_vector(bad)
