"""A throwaway PostgreSQL + PostGIS cluster for the drills (restarted, filled, dropped).

Like scripts/pg.sh, but in a directory of its own, on a free port, so that restarting
it touches nothing else (the test suite's own database lives in .pgdata).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psycopg2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bindir() -> Path:
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        v = d.parent.name
        if Path(f"/usr/share/postgresql/{v}/extension/postgis.control").exists():
            return d
    raise RuntimeError("no PostgreSQL with PostGIS: run scripts/bootstrap.sh")


class Cluster:
    """initdb'd on creation; ``start``, ``stop``, ``restart``; ``url(db)`` for Django."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.data = base / "data"
        self.run = base / "run"
        self.port = free_port()
        self.bin = bindir()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        base.mkdir(parents=True, exist_ok=True)
        self.run.mkdir(exist_ok=True)
        if os.getuid() == 0:
            p = base
            while p != p.parent:  # the postgres user must reach the directory
                p.chmod(p.stat().st_mode | 0o001)
                p = p.parent
            shutil.chown(base, "postgres")
            shutil.chown(self.run, "postgres")
        self._pg(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )

    def _pg(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.as_owner, str(self.bin / tool), *args],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        opts = (
            f"-p {self.port} -k {self.run} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._pg(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.base / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            opts,
            "start",
        )

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def connect(self, db: str = "postgres", user: str = "postgres"):
        conn = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=user, dbname=db, connect_timeout=5
        )
        conn.autocommit = True
        return conn

    def sql(self, query: str, params=(), db: str = "postgres"):
        with contextlib.closing(self.connect(db)) as conn, conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else None

    def url(self, db: str) -> str:
        return f"postgis://geoapp@127.0.0.1:{self.port}/{db}"

    def copy(self, template: str, name: str) -> str:
        """A new database ``name`` copied from ``template`` (a fast file copy)."""
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}" OWNER geoapp')
        return name

    def wait_ready(self, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while True:
            try:
                self.sql("SELECT 1")
                return
            except psycopg2.OperationalError:
                if time.monotonic() > end:
                    raise
                time.sleep(0.2)
