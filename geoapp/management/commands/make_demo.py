"""Generate the deterministic demo city and load it into the layers."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.permissions import SYSTEM
from geoapp.demo import load
from geoapp.demo.generator import CRS, SCALES, generate_city, write_population_tiff
from layers import models
from public import publishing
from runs.models import AnalysisRun


class Command(BaseCommand):
    help = "Generate the demo city of central Ningbo (deterministic for a seed) and load it."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when communities already exist",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, seed, scale, if_empty, no_progress, **options):
        if f"EPSG:{settings.SRID}" != CRS:
            raise CommandError(
                f"the demo city is central Ningbo, generated in {CRS} (CGCS2000 GK CM "
                f"120E); this database stores EPSG:{settings.SRID} (GEOAPP_SRID). Use "
                "the default setting for the demo, or import your city's own data."
            )
        if if_empty and models.Community.objects.exists():
            self.stdout.write(
                "demo city already loaded: skipping (make demo reloads it)"
            )
            return
        if seed < 0:
            raise CommandError("--seed must be >= 0")
        progress = not no_progress
        self.stdout.write(f"generating the demo city (seed {seed}, scale {scale})…")
        city = generate_city(seed=seed, scale=scale, progress=progress)
        raster_dir = settings.RASTER_ROOT
        raster_dir.mkdir(parents=True, exist_ok=True)
        raster = raster_dir / f"demo_population_{scale}_{seed}.tif"
        write_population_tiff(city, raster)
        bars = {}

        def tick(name, n):
            if not progress:
                return
            if name not in bars:
                total = {
                    "communities": len(city.communities),
                    "idle": len(city.idle_land),
                    "vacant": len(city.vacant_housing),
                    "amenities": len(city.amenities),
                    "walk": len(city.walk_segments),
                }[name]
                bars[name] = tqdm(total=total, desc=f"loading {name}", unit="rows")
            bars[name].update(n)

        # analyses of the previous city describe data that no longer exists
        AnalysisRun.objects.all().delete()
        areas = load.profile_areas_detach()
        load.layers_clear()
        counts = load.city_load(
            city, source=f"demo:{scale}:{seed}", raster_path=raster, progress=tick
        )
        lost = load.profile_areas_attach(areas)
        if lost:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(lost)} user profile(s) now viewers: their district or "
                    "street is not in the new city"
                )
            )
        for bar in bars.values():
            bar.close()
        # demo projects with mixed funding and utilities (issue 19 parts 2 and 6)
        counts.update(load.programme_load(city, seed=seed))
        summary = ", ".join(f"{k} {v}" for k, v in counts.items())
        self.stdout.write(self.style.SUCCESS(f"demo city loaded: {summary}"))
        # the public map shows what was published: the demo city, as loaded
        publication = publishing.publish(SYSTEM, note="make_demo")
        self.stdout.write(f"published to the public map ({publication})")
