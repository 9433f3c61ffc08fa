"""Backup and restore: the database (``pg_dump -Fc``) and the files it refers to, in one
archive that restores into an empty database.

**Consistent.** The backup opens a read-only REPEATABLE READ transaction and exports its
snapshot; ``pg_dump --snapshot`` dumps exactly that state, the referenced files (photos,
population rasters) are listed from that same state, and the row counts and checksums
written to the manifest are computed in it too. Raster files are named by a digest of
their pixels and photos get unique names, so a file a row refers to never changes
under its name; one deleted meanwhile (a raster replaced while the backup ran) makes
the backup fail with a message instead of producing an archive that cannot restore.

**Whole or nothing.** The archive is written as ``….tar.part`` and renamed when
complete; a restore checks every member's SHA-256 before touching anything, refuses a
database that already has tables, runs ``pg_restore --single-transaction
--exit-on-error`` and then compares the restored tables' counts and checksums with the
manifest.

Archive layout: ``manifest.json``, ``database.dump``, ``media/<path under MEDIA_ROOT>``,
``rasters/<file name>``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2
from django.conf import settings
from psycopg2 import sql

from layers.files import atomic_path, scratch_dir
from public import db_role

FORMAT = 1
#: tables that belong to PostGIS, not to the app (never compared, never required empty)
EXTENSION_TABLES = frozenset({"spatial_ref_sys"})


class BackupError(Exception):
    """The backup or the restore was refused or failed; the message says why."""


@dataclass(frozen=True)
class Target:
    """Where to connect: the Django database settings as libpq parameters."""

    dbname: str
    user: str = ""
    host: str = ""
    port: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, alias: str = "default", dbname: str | None = None) -> Target:
        db = settings.DATABASES[alias]
        return cls(
            dbname=dbname or db["NAME"],
            user=db.get("USER") or "",
            host=str(db.get("HOST") or ""),
            port=str(db.get("PORT") or ""),
            password=db.get("PASSWORD") or "",
        )

    def connect(self, dbname: str | None = None):
        kw = {k: v for k, v in self._params().items() if v}
        kw["dbname"] = dbname or self.dbname
        return psycopg2.connect(connect_timeout=10, **kw)

    def _params(self) -> dict[str, str]:
        return {
            "user": self.user,
            "host": self.host,
            "port": self.port,
            "password": self.password,
        }

    def cli_args(self) -> list[str]:
        args = []
        for flag, value in (("-h", self.host), ("-p", self.port), ("-U", self.user)):
            if value:
                args += [flag, value]
        return args

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def pg_tool(name: str, server_version_num: int) -> str:
    """``pg_dump`` / ``pg_restore`` of the server's major version when installed
    (Debian keeps one per version), else the one on PATH."""
    major = server_version_num // 10000
    candidate = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        msg = f"{name} not found: install the PostgreSQL client tools"
        raise BackupError(msg)
    return found


def app_tables(cur) -> list[str]:
    cur.execute(
        """SELECT table_name FROM information_schema.tables
           WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
           ORDER BY table_name"""
    )
    return [r[0] for r in cur.fetchall() if r[0] not in EXTENSION_TABLES]


def table_fingerprints(cur) -> dict[str, dict[str, Any]]:
    """Row count and an order-independent checksum of every app table: the MD5 of
    the rows' text, sorted (geometries as hex EWKB, so exact to the bit)."""
    out = {}
    for table in app_tables(cur):
        cur.execute(
            sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' "
                "ORDER BY t::text), '')) FROM {} AS t"
            ).format(sql.Identifier(table))
        )
        rows, digest = cur.fetchone()
        out[table] = {"rows": rows, "md5": digest}
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _referenced_files(cur) -> dict[str, Path]:
    """Archive name → file, for every file a row refers to (in the snapshot)."""
    media = Path(settings.MEDIA_ROOT)
    files: dict[str, Path] = {}
    cur.execute("SELECT image FROM layers_communityphoto WHERE image <> ''")
    for (name,) in cur.fetchall():
        files[f"media/{name}"] = media / name
    cur.execute("SELECT path FROM layers_populationraster")
    for (path,) in cur.fetchall():
        files[f"rasters/{Path(path).name}"] = Path(path)
    return files


def _media_files() -> dict[str, Path]:
    """Every file under MEDIA_ROOT (outside the raster directory) and under
    RASTER_ROOT, by archive name."""
    media, rasters = Path(settings.MEDIA_ROOT), Path(settings.RASTER_ROOT)
    files: dict[str, Path] = {}
    if rasters.is_dir():
        for p in sorted(rasters.rglob("*")):
            if p.is_file() and not p.name.startswith("."):
                files[f"rasters/{p.relative_to(rasters).as_posix()}"] = p
    if media.is_dir():
        for p in sorted(media.rglob("*")):
            if not p.is_file() or p.name.startswith("."):
                continue
            if p.is_relative_to(rasters):
                continue
            files[f"media/{p.relative_to(media).as_posix()}"] = p
    return files


@contextlib.contextmanager
def _snapshot(target: Target) -> Iterator[tuple[Any, str]]:
    conn = target.connect()
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        cur = conn.cursor()
        cur.execute("SELECT pg_export_snapshot()")
        yield cur, cur.fetchone()[0]
    finally:
        conn.rollback()
        conn.close()


def backup_create(
    *, output_dir: Path | None = None, target: Target | None = None
) -> Path:
    """Write a backup archive into ``output_dir`` (``GEOAPP_BACKUP_DIR``); its path."""
    target = target or Target.from_settings()
    out_dir = Path(output_dir or settings.GEOAPP_BACKUP_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    final = out_dir / f"geoapp-{target.dbname}-{stamp}.tar"
    with _snapshot(target) as (cur, snapshot), scratch_dir("backup-") as work:
        cur.execute("SHOW server_version_num")
        version = int(cur.fetchone()[0])
        referenced = _referenced_files(cur)
        missing = sorted(a for a, p in referenced.items() if not p.is_file())
        if missing:
            msg = (
                f"files referenced by the database are missing: {', '.join(missing)}"
                " (replaced while the backup ran? run it again)"
            )
            raise BackupError(msg)
        tables = table_fingerprints(cur)
        cur.execute(
            "SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app"
        )
        migrations = dict(cur.fetchall())
        dump = work / "database.dump"
        subprocess.run(
            [
                pg_tool("pg_dump", version),
                *target.cli_args(),
                "-Fc",
                f"--snapshot={snapshot}",
                "-f",
                str(dump),
                target.dbname,
            ],
            check=True,
            env=target.env(),
            capture_output=True,
        )
        files = {**_media_files(), **referenced}
        manifest = {
            "format": FORMAT,
            "created_at": stamp,
            "database": target.dbname,
            "server_version_num": version,
            "srid": settings.SRID,
            "migrations": migrations,
            "tables": tables,
            "referenced": sorted(referenced),
            "members": {"database.dump": _sha256(dump)}
            | {arc: _sha256(p) for arc, p in files.items()},
        }
        (work / "manifest.json").write_text(
            json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8"
        )
        with atomic_path(final) as part, tarfile.open(part, "w") as tar:
            tar.add(work / "manifest.json", "manifest.json")
            tar.add(dump, "database.dump")
            for arc, p in sorted(files.items()):
                tar.add(p, arc)
    final.chmod(0o600)  # the database holds private columns
    return final


def _read_archive(archive: Path, work: Path) -> dict[str, Any]:
    """Extract ``archive`` into ``work`` and check every member against the manifest."""
    try:
        with tarfile.open(archive, "r") as tar:
            tar.extractall(work, filter="data")
    except (tarfile.TarError, OSError) as exc:
        msg = f"cannot read the archive {archive}: {exc}"
        raise BackupError(msg) from exc
    try:
        manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"{archive} has no readable manifest.json: not a backup of this app"
        raise BackupError(msg) from exc
    if manifest.get("format") != FORMAT:
        msg = f"unknown backup format {manifest.get('format')!r}"
        raise BackupError(msg)
    bad = [
        arc
        for arc, digest in manifest["members"].items()
        if not (work / arc).is_file() or _sha256(work / arc) != digest
    ]
    if bad:
        msg = (
            f"the archive is damaged: {', '.join(sorted(bad)[:10])} fail their checksum"
        )
        raise BackupError(msg)
    return manifest


def _restore_file(src: Path, dest: Path) -> None:
    if dest.exists():
        if _sha256(dest) != _sha256(src):
            msg = (
                f"{dest} exists with other content: restore into an empty media folder"
            )
            raise BackupError(msg)
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(dest) as part:
        shutil.copyfile(src, part)


def backup_restore(*, archive: Path, target: Target | None = None) -> dict[str, Any]:
    """Restore ``archive`` into the (empty) database ``target`` and the media folders;
    returns ``{"tables": n, "rows": n, "files": n}`` once counts and checksums match."""
    target = target or Target.from_settings()
    with scratch_dir("restore-") as work:
        manifest = _read_archive(Path(archive), work)
        with contextlib.closing(target.connect()) as conn, conn:  # one transaction
            cur = conn.cursor()
            existing = app_tables(cur)
            if existing:
                msg = (
                    f"database {target.dbname} is not empty ({len(existing)} tables, "
                    f"e.g. {existing[0]}): restore into an empty database"
                )
                raise BackupError(msg)
            cur.execute("SHOW server_version_num")
            version = int(cur.fetchone()[0])
            # the NOLOGIN role of the public reads (the dump's GRANTs name it)
            role = db_role.configured_role()
            if role:
                db_role.ensure_role(cur, role)
        # files first (checked for clashes), so a refused restore leaves the database
        # as it was; pg_restore then runs as one transaction
        media, rasters = Path(settings.MEDIA_ROOT), Path(settings.RASTER_ROOT)
        members = [a for a in manifest["members"] if a != "database.dump"]
        for arc in members:
            base, rel = arc.split("/", 1)
            _restore_file(work / arc, (media if base == "media" else rasters) / rel)
        proc = subprocess.run(
            [
                pg_tool("pg_restore", version),
                *target.cli_args(),
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "-d",
                target.dbname,
                str(work / "database.dump"),
            ],
            env=target.env(),
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            msg = f"pg_restore failed, nothing restored:\n{proc.stderr.strip()[-2000:]}"
            raise BackupError(msg)
    with contextlib.closing(target.connect()) as conn, conn:
        cur = conn.cursor()
        restored = table_fingerprints(cur)
        # rasters are recorded by absolute path: point them at this RASTER_ROOT
        cur.execute("SELECT id, path FROM layers_populationraster")
        for pk, path in cur.fetchall():
            here = rasters / Path(path).name
            if Path(path) != here:
                cur.execute(
                    "UPDATE layers_populationraster SET path = %s WHERE id = %s",
                    [str(here), pk],
                )
    expected = manifest["tables"]
    differ = sorted(
        t for t in set(expected) | set(restored) if expected.get(t) != restored.get(t)
    )
    if differ:
        msg = (
            f"the restored tables differ from the backup: {', '.join(differ)} "
            f"(database {target.dbname} holds the restore; drop it before retrying)"
        )
        raise BackupError(msg)
    return {
        "tables": len(restored),
        "rows": sum(t["rows"] for t in restored.values()),
        "files": len(members),
    }
