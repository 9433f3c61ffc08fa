"""An import killed halfway through its write leaves the database as it was.

``import_layer`` runs in a separate process on a file big enough that its write
transaction lasts a while; the test waits until PostgreSQL shows that process's
backend writing into the amenity table (it holds a transaction id, which PostgreSQL
assigns at the first write, and its statement names the table), then kills the
process with SIGKILL (no cleanup, no rollback from the client side). PostgreSQL
rolls the transaction back when the connection drops: no row, no history row, no
stamp change, no lock left behind (a second import goes through).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from layers import models, stamps
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 10_000


def _csv(path: Path, rows: int) -> Path:
    lines = ["code,name,category,lon,lat"]
    for i in range(rows):
        lon = 121.50 + (i % 300) * 0.0003
        lat = 29.85 + (i // 300) * 0.0003
        lines.append(f"KILL{i:06d},便利店{i},convenience_store,{lon:.6f},{lat:.6f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _child_env() -> dict[str, str]:
    """The environment of a manage.py process that uses this test's database."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="geoapp.settings.dev")
    name = connection.settings_dict["NAME"]
    if env.get("DATABASE_URL"):
        u = urlsplit(env["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(u._replace(path=f"/{name}"))
    else:
        env["GEOAPP_DB_NAME"] = name
    return env


def _backends_writing_amenities() -> list[int]:
    with connection.cursor() as cur:
        cur.execute(
            """SELECT pid FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid()
                 AND backend_xid IS NOT NULL AND query ILIKE %s""",
            ["%layers_amenity%"],
        )
        return [r[0] for r in cur.fetchall()]


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cur.fetchone()[0] > 0


def test_import_killed_midway_changes_nothing(tmp_path, reference_data) -> None:
    keep = factories.amenity("clinic", code="KEEP1", name="原有诊所")
    before_rows = list(models.Amenity.objects.values_list("code", "name", "version"))
    before_history = models.Amenity.history.model.objects.count()
    before_stamp = stamps.layer_stamps(["amenity"])
    f = _csv(tmp_path / "big.csv", ROWS)
    cmd = [
        sys.executable, "manage.py", "import_layer", "amenity", str(f),
        "--crs", "EPSG:4326",
    ]  # fmt: skip
    proc = subprocess.Popen(  # noqa: S603 - fixed command, test file
        cmd,
        cwd=settings.BASE_DIR,
        env=_child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    backend = None
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            pids = _backends_writing_amenities()
            if pids:
                backend = pids[0]
                break
            time.sleep(0.02)
        assert backend is not None, (
            "never saw the import writing: "
            f"rc={proc.poll()} {proc.stderr.read().decode()[-2000:] if proc.poll() is not None else ''}"
        )
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL  # killed, not finished
    deadline = time.monotonic() + 30
    while _backend_alive(backend) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _backend_alive(backend)

    assert (
        list(models.Amenity.objects.values_list("code", "name", "version"))
        == before_rows
    )
    assert not models.Amenity.objects.filter(code__startswith="KILL").exists()
    assert models.Amenity.history.model.objects.count() == before_history
    assert stamps.layer_stamps(["amenity"]) == before_stamp
    keep.refresh_from_db()
    assert keep.name == "原有诊所"

    # nothing left locked: the same import now completes
    small = _csv(tmp_path / "small.csv", 5)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "import_layer", "amenity", str(small),
         "--crs", "EPSG:4326"],
        cwd=settings.BASE_DIR, env=_child_env(), capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert models.Amenity.objects.filter(code__startswith="KILL").count() == 5
