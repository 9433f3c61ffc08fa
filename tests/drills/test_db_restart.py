"""PostgreSQL restarted under load: requests during the outage get 503 with Retry-After
(never a hang past the client's timeout, never another error), and the same gunicorn
processes answer 200 again once it is back; the analysis worker carries on."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from .conftest import base_env, wait_for

pytestmark = pytest.mark.drill

#: the client gives up after this: a request that takes longer has hung
CLIENT_TIMEOUT_S = 15


def urls(rnd: random.Random) -> str:
    lon, lat = rnd.uniform(121.45, 121.65), rnd.uniform(29.80, 29.95)
    bbox = f"{lon:.4f},{lat:.4f},{lon + 0.01:.4f},{lat + 0.01:.4f}"
    return rnd.choice(
        [
            "/health/",
            "/api/public/stats/",
            f"/api/public/communities.geojson?zoom=15&bbox={bbox}",
            "/api/public/search/?q=" + rnd.choice(["新村", "小区", "花园", "苑"]),
            "/public/",
        ]
    )


def test_database_restart_gives_503_then_recovers_without_restart(
    cluster, db_copy, drill_dir, stack_factory
):
    env = base_env(cluster, db_copy, drill_dir, GEOAPP_SERVE_WORKER="1")
    stack = stack_factory(env)
    master = stack.gunicorn_master()
    wait_for(
        lambda: (
            requests.get(stack.url + "/health/", headers={}, timeout=5).json()[
                "checks"
            ]["worker"]["status"]
            == "ok"
        ),
        what="the worker's heartbeat",
    )
    results: list[tuple[float, float, int, str | None, str]] = []
    errors: list[str] = []
    stop = threading.Event()

    def client(seed: int) -> None:
        rnd = random.Random(seed)
        http = requests.Session()
        while not stop.is_set():
            path = urls(rnd)
            t0 = time.monotonic()
            try:
                r = http.get(stack.url + path, timeout=CLIENT_TIMEOUT_S)
                results.append(
                    (
                        t0,
                        time.monotonic() - t0,
                        r.status_code,
                        r.headers.get("Retry-After"),
                        path,
                    )
                )
            except requests.RequestException as exc:  # a hang or a dropped connection
                errors.append(f"{path}: {exc!r}")
            time.sleep(0.05)

    with ThreadPoolExecutor(4) as pool:
        for i in range(4):
            pool.submit(client, i)
        time.sleep(3)
        down = time.monotonic()
        cluster.stop()
        time.sleep(5)  # the outage
        cluster.start()
        up = time.monotonic()
        # recovery: a fresh request of every kind answers 200 within a few seconds
        wait_for(
            lambda: requests.get(stack.url + "/health/", timeout=5).status_code == 200,
            timeout=30,
            what="health to be 200 again",
        )
        time.sleep(4)
        stop.set()

    assert errors == []
    assert max(d for _t, d, *_ in results) < CLIENT_TIMEOUT_S
    statuses = {s for _t, _d, s, _r, _p in results}
    assert statuses <= {200, 503}, statuses
    outage = [r for r in results if down + 0.5 < r[0] < up - 0.5]
    unavailable = [r for r in results if r[2] == 503]
    assert unavailable, "no request saw the outage"
    assert all(r[3] for r in unavailable), "a 503 without Retry-After"
    assert {r[2] for r in outage} >= {503}
    # every kind of request that failed during the outage works again afterwards
    late = [r for r in results if r[0] > up + 3]
    assert late and all(r[2] == 200 for r in late), sorted({r[2] for r in late})
    assert {r[4].split("?")[0] for r in late} >= {
        r[4].split("?")[0] for r in unavailable
    }
    # the same gunicorn master (no restart), and the worker beats again
    assert stack.gunicorn_master() == master
    wait_for(
        lambda: (
            requests.get(stack.url + "/health/", timeout=5).json()["checks"]["worker"][
                "status"
            ]
            == "ok"
        ),
        timeout=30,
        what="the worker's heartbeat after the restart",
    )
