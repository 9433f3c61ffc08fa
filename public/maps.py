"""What every map page needs (home, planner workspace): layer URLs, stage and category
names, tiles. One definition, read by the pages that draw a map."""

from django.urls import reverse

from layers.models import AmenityCategory, Stage
from public.tiles import tiles_config


def map_config() -> dict:
    """What every map page needs: layer URLs, stage and category names, tiles."""
    layers = {
        "districts": reverse("layer-districts"),
        "streets": reverse("layer-streets"),
        "walk_network": reverse("layer-walk-network"),
        "communities": reverse("layer-communities"),
        "idle_land": reverse("layer-idle-land"),
        "vacant_housing": reverse("layer-vacant-housing"),
        "amenities": reverse("layer-amenities"),
    }
    config = {
        "layers": layers,
        "lifecircle_latest": reverse("lifecircle-latest"),
        "blocks_latest": reverse("blocks-run-latest"),
        "blocks_visible": False,
        "siting_runs": reverse("siting-runs"),
        "stages": dict(Stage.choices),
        "categories": {c.code: c.name for c in AmenityCategory.objects.all()},
        "tiles": tiles_config(),
    }
    return config
