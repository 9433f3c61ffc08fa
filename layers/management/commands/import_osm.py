"""Import an OpenStreetMap extract: walk network and amenities (docs/IMPORT.md)."""

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.permissions import SYSTEM
from layers.importing import ImportRefused, osm_import
from layers.io.errors import ImportRejected


def _extent(text: str) -> tuple[float, float, float, float]:
    try:
        minx, miny, maxx, maxy = (float(v) for v in text.split(","))
    except ValueError:
        raise CommandError("--extent must be minlon,minlat,maxlon,maxlat") from None
    if not (minx < maxx and miny < maxy):
        raise CommandError("--extent must be minlon,minlat,maxlon,maxlat")
    return minx, miny, maxx, maxy


class Command(BaseCommand):
    help = (
        "Import FILE.osm or FILE.osm.pbf in one transaction: walk network → "
        "walk_segment, amenities → amenity (category by the OSM tag table), "
        "landuse=residential areas → community candidates for review "
        "(/planner/candidates/), water, parks, main roads and buildings → the basemap."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--extent",
            help="minlon,minlat,maxlon,maxlat (default: settings.CITY_EXTENT); "
            "features outside are skipped",
        )
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--skip-invalid", action="store_true")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        extent = _extent(o["extent"]) if o["extent"] else None
        try:
            result = osm_import(
                user=SYSTEM,
                path=o["file"],
                extent=extent,
                dry_run=o["dry_run"],
                skip_invalid=o["skip_invalid"],
            )
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        except ImportRejected as exc:
            raise CommandError(f"import refused ({exc.code}): {exc}") from exc
        except FileNotFoundError as exc:
            raise CommandError(f"file not found: {exc.filename}") from exc
        if o["json"]:
            self.stdout.write(
                json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str)
            )
        else:
            self.stdout.write(result.to_text())
