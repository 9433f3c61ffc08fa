"""Export a layer to a file (GeoJSON, GPKG, zipped Shapefile, CSV, XLSX)."""

from django.core.management.base import BaseCommand, CommandError

from layers.exporting import FORMATS, ExportError, layer_export
from layers.importing import LAYER_MODELS


class Command(BaseCommand):
    help = "Export LAYER as FORMAT into OUT (EPSG:4326 unless --crs); all fields."

    def add_arguments(self, parser):
        parser.add_argument("layer", choices=list(LAYER_MODELS))
        parser.add_argument("format", choices=[*FORMATS, "json", "zip"])
        parser.add_argument("out")
        parser.add_argument("--bbox", help="minlon,minlat,maxlon,maxlat")
        parser.add_argument(
            "--crs", default="EPSG:4326", help="output CRS (not for GeoJSON)"
        )
        parser.add_argument("--public", action="store_true", help="public fields only")

    def handle(self, *args, layer, format, out, bbox, crs, public, **o):
        box = None
        if bbox:
            try:
                box = tuple(float(v) for v in bbox.split(","))
                assert len(box) == 4
            except (ValueError, AssertionError):
                raise CommandError(
                    "--bbox must be minlon,minlat,maxlon,maxlat"
                ) from None
        try:
            path = layer_export(
                layer=layer, fmt=format, path=out, bbox=box, crs=crs, public=public
            )
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{layer} → {path}")
