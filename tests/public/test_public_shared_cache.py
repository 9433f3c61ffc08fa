"""The public cache shared between processes (issue 18): one build serves every
process, a change invalidates it everywhere, a stale body never outlives the window
and never carries private data, and a finished run warms the cache.

Real processes (``manage.py shell`` on this test's database, committed data) and a
real file cache in a private directory; no mocks.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models.signals import post_save
from django.utils import timezone

from accounts.permissions import SYSTEM
from geoapp.settings.base import public_file_cache
from layers.models import Community, Stage
from public import caching, publishing, warming
from public.models import Publication
from public.sharedcache import PrivateFileCache, check_private_dir
from runs.models import AnalysisRun

from .conftest import SENTINELS

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
STATS = "/api/public/stats/"
CITY = "/api/public/communities.geojson?zoom=11"

CHILD = """
import hashlib, json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
setup_test_environment()
client, out = Client(), []
for url in URLS:
    with CaptureQueriesContext(connection) as q:
        r = client.get(url)
    out.append({"status": r.status_code, "etag": r["ETag"],
                "cache": r["X-Public-Cache"], "queries": len(q),
                "sha": hashlib.sha1(r.content).hexdigest()})
print("RESULT " + json.dumps(out))
"""


def _child(cache_dir: Path, urls: list[str]) -> list[dict]:
    """GET ``urls`` in a new process that shares ``cache_dir`` with this one."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="geoapp.settings.test",
        GEOAPP_PUBLIC_CACHE_DIR=str(cache_dir),
    )
    name = connection.settings_dict["NAME"]
    if env.get("DATABASE_URL"):
        u = urlsplit(env["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(u._replace(path=f"/{name}"))
    else:
        env["GEOAPP_DB_NAME"] = name
    code = f"URLS = {urls!r}\n" + CHILD
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line.removeprefix("RESULT "))


@pytest.fixture
def shared(settings, tmp_path):
    """This process's ``public`` cache is a private file cache in ``tmp_path``."""
    folder = tmp_path / "public-cache"
    settings.CACHES = {**settings.CACHES, "public": public_file_cache(str(folder))}
    caching.clear_local()
    yield folder
    caching.clear_local()


def _sha(resp) -> str:
    return hashlib.sha1(resp.content).hexdigest()


def _stage_elsewhere(community, stage) -> None:
    """An edit published as another process does it: no signal in this process."""
    Community.objects.filter(pk=community.pk).update(
        stage=stage, updated_at=timezone.now()
    )
    uid = "public-public.Publication"
    post_save.disconnect(sender=Publication, dispatch_uid=uid)
    try:
        publishing.publish(SYSTEM)
    finally:
        post_save.connect(caching.forget_version, sender=Publication, dispatch_uid=uid)


def test_private_directory_is_required(tmp_path):
    made = tmp_path / "new"
    check_private_dir(str(made))
    assert made.stat().st_mode & 0o777 == 0o700
    opened = tmp_path / "open"
    opened.mkdir(mode=0o755)
    opened.chmod(0o755)
    with pytest.raises(ImproperlyConfigured, match="open to group or others"):
        check_private_dir(str(opened))
    link = tmp_path / "link"
    link.symlink_to(made)
    with pytest.raises(ImproperlyConfigured, match="not a directory"):
        check_private_dir(str(link))


def test_the_directory_is_made_on_the_first_write_and_checked_before_a_read(tmp_path):
    folder = tmp_path / "cache"
    backend = PrivateFileCache(str(folder), {})
    assert backend.get("k") is None
    assert not folder.exists()  # instantiating or reading creates nothing
    backend.set("k", b"body", 60)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert PrivateFileCache(str(folder), {}).get("k") == b"body"
    folder.chmod(0o777)  # opened to others: refused before anything is read
    with pytest.raises(ImproperlyConfigured, match="open to group or others"):
        PrivateFileCache(str(folder), {}).get("k")


def test_a_body_built_by_one_process_serves_the_others(city, shared, client):
    first = _child(shared, [STATS, CITY])
    assert [r["cache"] for r in first] == ["miss", "miss"]
    assert all(r["status"] == 200 for r in first)
    # a second process (and this one) find both in the shared cache: no build queries
    second = _child(shared, [STATS, CITY])
    assert [r["cache"] for r in second] == ["hit", "hit"]
    assert [r["etag"] for r in second] == [r["etag"] for r in first]
    assert [r["sha"] for r in second] == [r["sha"] for r in first]
    for a, b in zip(first, second, strict=True):
        assert b["queries"] < a["queries"]
    here = client.get(STATS)
    assert here["X-Public-Cache"] == "hit"
    assert _sha(here) == first[0]["sha"]

    # a change made elsewhere: every process builds the new version (no stale in
    # these processes: PUBLIC_STALE_S is 0 in the test settings)
    _stage_elsewhere(city["other"], Stage.HANDED_OVER)
    third = _child(shared, [STATS, CITY])
    assert [r["cache"] for r in third] == ["miss", "miss"]
    assert all(t["etag"] != f["etag"] for t, f in zip(third, first, strict=True))
    caching.clear_local()  # this process: as after its version TTL
    now = client.get(CITY)
    assert now["X-Public-Cache"] == "hit"  # the new version, built by the child
    assert now["ETag"] == third[1]["etag"]
    stages = {f["id"]: f["properties"]["stage"] for f in now.json()["features"]}
    assert stages["CPUB2"] == Stage.HANDED_OVER


def test_stale_while_revalidate_is_bounded_and_public(city, shared, client, settings):
    settings.PUBLIC_DATA_VERSION_TTL_S = 0  # read the version on every request
    settings.PUBLIC_STALE_S = 30
    old = client.get(STATS)
    assert old["X-Public-Cache"] == "miss"
    renovated = old.json()["city"]["renovated"]

    _stage_elsewhere(city["other"], Stage.ACCEPTED)  # one more renovated
    stale = client.get(STATS)
    assert stale["X-Public-Cache"] == "stale"
    assert stale.content == old.content and stale["ETag"] == old["ETag"]
    assert stale["Cache-Control"] == "public, max-age=0"  # nobody keeps it
    for text in SENTINELS:
        assert text not in stale.content.decode()
    assert caching.wait_for_revalidation(30)
    fresh = client.get(STATS)
    assert fresh["X-Public-Cache"] == "hit"  # rebuilt in the background
    assert fresh["ETag"] != old["ETag"]
    assert fresh.json()["city"]["renovated"] == renovated + 1

    # past the window the previous version is not served: the request builds
    settings.PUBLIC_STALE_S = 0.3
    time.sleep(0.4)
    _stage_elsewhere(city["other"], Stage.HANDED_OVER)
    late = client.get(STATS)
    assert late["X-Public-Cache"] == "miss"
    assert late["ETag"] != fresh["ETag"]

    # a publication made in this process is never answered stale here
    settings.PUBLIC_STALE_S = 30
    client.get(CITY)
    community = Community.objects.get(pk=city["newer"].pk)
    community.stage = Stage.PLANNED
    community.save()
    publishing.publish(SYSTEM)
    after = client.get(CITY)
    assert after["X-Public-Cache"] == "miss"
    stages = {f["id"]: f["properties"]["stage"] for f in after.json()["features"]}
    assert stages["CPUB3"] == Stage.PLANNED


def test_a_key_another_process_is_building_is_waited_for(city, shared, client):
    """The builder holds the key's advisory lock; the others take its body."""
    digest, _stale = caching._current_digests("stats", {})
    key = f"public:{digest}"
    objid = int.from_bytes(hashlib.sha1(key.encode()).digest()[:4], "big", signed=True)
    other = psycopg2.connect(
        **{
            k: v
            for k, v in connection.get_connection_params().items()
            if k in ("dbname", "user", "password", "host", "port")
        }
    )
    try:
        with other.cursor() as cur:  # "another process" starts building the key
            cur.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [caching.LOCK_CLASS, objid]
            )
        built = b'{"built": "by the other process"}'

        def finish():
            time.sleep(0.5)
            caching.shared_cache().set(key, built, 60)
            other.commit()  # ends its transaction: the lock goes

        t = threading.Thread(target=finish)
        t.start()
        resp = client.get(STATS)
        t.join()
    finally:
        other.close()
    assert resp["X-Public-Cache"] == "miss"
    assert resp.content == built  # waited for it instead of building it again


def test_a_finished_run_warms_the_shared_cache(city, shared, client, settings):
    settings.PUBLIC_WARM_AFTER_RUN = True
    run = AnalysisRun.objects.create(
        kind=AnalysisRun.Kind.LIFECIRCLE, status=AnalysisRun.Status.RUNNING
    )
    assert not list(shared.glob("*.djcache"))  # queued and running: nothing warmed
    run.status = AnalysisRun.Status.DONE
    run.finished_at = timezone.now()
    run.save()  # committed at once (autocommit): the warm-up ran
    assert len(list(shared.glob("*.djcache"))) == len(warming.WARM_PATHS)
    visitor = _child(shared, [STATS, CITY])
    assert [r["cache"] for r in visitor] == ["hit", "hit"]
    caching.clear_local()
    for path in warming.WARM_PATHS:
        resp = client.get(path)
        assert resp.status_code == 200
        assert resp["X-Public-Cache"] == "hit", path
        for text in SENTINELS:
            assert text not in resp.content.decode()
