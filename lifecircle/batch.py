"""The life circle of many cities at once, partitioned by city on Dask distributed.

A province compares its cities: each city keeps its own database (the one its own
instance of the platform runs on, or a read replica of it) on a PostgreSQL server the
batch reaches with the project's credentials. One task per city runs the ordinary
:func:`lifecircle.services.lifecircle_run` against that city's database — its layers
read there, its results stored there as usual — so a batch result is the same run a
planner of that city would have started.

The tasks go to a ``distributed.Client``: a ``LocalCluster`` on this machine by default,
or the scheduler of a real cluster (``--scheduler tcp://host:8786``), whose workers run
this project's code with the same settings (``DJANGO_SETTINGS_MODULE``, database
credentials in the environment). Workers set Django up once when they join
(:class:`~lifecircle.daskworker.DjangoSetup`); each task points its thread's default
connection at its city's database for the time of the run.

Without a client (``workers=0``), the cities run one after the other in this process:
the reference the distributed run is compared with.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dask
from distributed import Client, LocalCluster
from django.db import connections
from django.db.models import Sum

from accounts.permissions import SYSTEM
from lifecircle.daskworker import DjangoSetup
from lifecircle.models import CoverageResult
from lifecircle.services import cache_clear, lifecircle_run


@dataclass(frozen=True)
class City:
    """One city of the batch: its name and its database on the project's server."""

    name: str
    database: str


@contextlib.contextmanager
def city_database(name: str) -> Iterator[None]:
    """This thread's default connection on database ``name`` for the block.

    Connections are per thread in Django, so a task switching its own connection
    does not disturb another task's. The in-process analysis caches are emptied
    before and after: their keys are the layers' change stamps, which two databases
    may share.
    """
    conn = connections["default"]
    before = conn.settings_dict["NAME"]
    conn.close()
    conn.settings_dict["NAME"] = name
    cache_clear()
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict["NAME"] = before
        cache_clear()


def city_run(city: City, params: Mapping[str, Any]) -> dict[str, Any]:
    """Run the life circle of one city in its database; a summary of the stored run."""
    t0 = time.perf_counter()
    with city_database(city.database):
        run = lifecircle_run(user=SYSTEM, **dict(params))
        rows = CoverageResult.objects.filter(run=run)
        return {
            "city": city.name,
            "database": city.database,
            "run": run.pk,
            "status": run.status,
            "communities": rows.count(),
            "residents": rows.aggregate(n=Sum("residents"))["n"] or 0,
            "mean_score": (run.summary or {}).get("mean_score"),
            "by_district": (run.summary or {}).get("by_district"),
            "digest": results_digest(run),
            "seconds": round(time.perf_counter() - t0, 3),
        }


def results_digest(run) -> str:
    """A digest of a run's per-community results (code, score, tiers met, missing,
    distances to 0.1 m): equal digests, equal results."""
    h = hashlib.sha256()
    for row in (
        CoverageResult.objects.filter(run=run)
        .order_by("community__code")
        .values_list("community__code", "score", "tiers_met", "missing", "distances_m")
    ):
        code, score, tiers, missing, dist = row
        rounded = {k: None if v is None else round(v, 1) for k, v in dist.items()}
        h.update(
            json.dumps(
                [code, round(score, 6), tiers, missing, rounded], sort_keys=True
            ).encode()
        )
    return h.hexdigest()


def province_run(
    cities: Sequence[City],
    params: Mapping[str, Any] | None = None,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    threads_per_worker: int = 1,
) -> list[dict[str, Any]]:
    """The life circle of every city: on Dask (``scheduler`` or a ``LocalCluster`` of
    ``workers`` processes), or in this process one after the other (``workers=0``).
    Summaries in the order of ``cities``; a city whose run fails raises here, after
    the others have finished (their runs stay stored)."""
    if len({c.database for c in cities}) != len(cities):
        raise ValueError("each city needs its own database")
    params = dict(params or {})
    if scheduler is None and workers == 0:
        return [city_run(c, params) for c in cities]
    if workers < 0:
        raise ValueError("workers is 0 (in this process) or more")
    with _client(workers, scheduler, threads_per_worker) as client:
        client.register_plugin(DjangoSetup(), name="django-setup")
        futures = [
            client.submit(city_run, c, params, key=f"lifecircle-{c.name}", pure=False)
            for c in cities
        ]
        return client.gather(futures)


@contextlib.contextmanager
def _client(workers: int, scheduler: str | None, threads: int) -> Iterator[Client]:
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    # worker processes that may fork: the life circle routes its categories in forked
    # processes (analysis.forked), which a daemonic process may not start
    with (
        dask.config.set({"distributed.worker.daemon": False}),
        LocalCluster(
            n_workers=workers,
            threads_per_worker=threads,
            processes=True,
            dashboard_address=None,
            scheduler_port=0,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
