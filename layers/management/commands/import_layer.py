"""Import a file into a layer, all-or-nothing, and print the report (docs/IMPORT.md)."""

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.permissions import SYSTEM
from layers.importing import IMPORT_LAYERS, ImportRefused, layer_import
from layers.io.errors import ImportRejected


class Command(BaseCommand):
    help = (
        "Import FILE (GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, CSV, XLSX or a "
        "GeoTIFF for population_raster) into LAYER. Rows are upserted by code in one "
        "transaction; if any row is rejected nothing is written (unless --skip-invalid)."
    )

    def add_arguments(self, parser):
        parser.add_argument("layer", choices=IMPORT_LAYERS)
        parser.add_argument("file")
        parser.add_argument("--mapping", help="mapping file (YAML or JSON)")
        parser.add_argument("--crs", help="source CRS, e.g. EPSG:4549")
        chinese = parser.add_mutually_exclusive_group()
        chinese.add_argument(
            "--from-gcj02",
            action="store_true",
            help="coordinates are GCJ-02 (Gaode/Tencent)",
        )
        chinese.add_argument(
            "--from-bd09", action="store_true", help="coordinates are BD-09 (Baidu)"
        )
        parser.add_argument("--encoding", help="attribute encoding, e.g. GBK")
        parser.add_argument(
            "--layer",
            dest="gpkg_layer",
            help="GeoPackage layer / dataset in a zip / sheet",
        )
        parser.add_argument("--dry-run", action="store_true", help="write nothing")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid rows and report the rejected ones",
        )
        parser.add_argument(
            "--no-repair",
            action="store_true",
            help="reject invalid geometries instead of repairing them",
        )
        parser.add_argument("--name", help="population_raster: the raster's name")
        parser.add_argument(
            "--json", action="store_true", help="print the report as JSON"
        )

    def handle(self, *args, **o):
        try:
            result = layer_import(
                user=SYSTEM,
                layer=o["layer"],
                path=o["file"],
                mapping=o["mapping"],
                crs=o["crs"],
                from_gcj02=o["from_gcj02"],
                from_bd09=o["from_bd09"],
                encoding=o["encoding"],
                gpkg_layer=o["gpkg_layer"],
                dry_run=o["dry_run"],
                repair=not o["no_repair"],
                skip_invalid=o["skip_invalid"],
                raster_name=o["name"],
            )
        except ImportRefused as exc:
            if o["json"]:
                self.stdout.write(
                    json.dumps(
                        {"refused": True, "report": exc.report.to_dict()},
                        ensure_ascii=False,
                        indent=2,
                        default=str,
                    )
                )
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
