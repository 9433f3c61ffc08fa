"""The life circle of many cities in one batch, partitioned by city on Dask distributed.

    manage.py lifecircle_province --city 宁波=geoapp_ningbo --city 温州=geoapp_wenzhou \\
        [--workers 2 | --scheduler tcp://host:8786] [--strict] [--json]

Each city's run is stored in that city's database, as a planner's would be; the command
prints one line per city and the comparison table (residents, mean score, districts).
"""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError

from lifecircle.batch import City, province_run


def _city(text: str) -> City:
    name, sep, database = text.partition("=")
    if not sep or not name.strip() or not database.strip():
        raise CommandError(f"--city NAME=DATABASE, got {text!r}")
    return City(name.strip(), database.strip())


class Command(BaseCommand):
    help = (
        "15-minute life circle for many cities (one database each) on Dask distributed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--city",
            action="append",
            required=True,
            metavar="NAME=DATABASE",
            help="a city and its database on this project's PostgreSQL server (repeat)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="local Dask worker processes (0: one city after the other here)",
        )
        parser.add_argument(
            "--scheduler",
            help="address of a running Dask scheduler (tcp://host:8786) instead of a "
            "local cluster; its workers run this project with the same settings",
        )
        parser.add_argument("--strict", action="store_true", help="800 m for 15 min")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **opts):
        cities = [_city(c) for c in opts["city"]]
        if opts["workers"] < 0:
            raise CommandError("--workers is 0 or more")
        params = {"strict": True} if opts["strict"] else {}
        t0 = time.perf_counter()
        try:
            rows = province_run(
                cities, params, workers=opts["workers"], scheduler=opts["scheduler"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        wall = time.perf_counter() - t0
        if opts["json"]:
            self.stdout.write(
                json.dumps(
                    {"cities": rows, "seconds": round(wall, 3)},
                    ensure_ascii=False,
                    default=str,
                )
            )
            return
        for r in rows:
            self.stdout.write(
                f"{r['city']}: run #{r['run']} {r['status']}, {r['communities']} "
                f"communities, {r['residents']} residents, mean score "
                f"{r['mean_score']}, {r['seconds']} s"
            )
        self.stdout.write(f"{len(rows)} cities in {wall:.1f} s")
