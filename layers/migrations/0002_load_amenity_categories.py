"""Load the facility categories of the default life-circle rule set (fixtures/rulesets)."""

import json
from pathlib import Path

from django.db import migrations

RULESET = Path(__file__).resolve().parents[2] / "fixtures" / "rulesets" / "gb50180_2018.json"
FIELDS = (
    "name", "tier_minutes", "required", "service_radius_m", "min_floor_area_m2",
    "min_site_area_m2", "source_clause", "verified",
)


def load(apps, schema_editor):
    category = apps.get_model("layers", "AmenityCategory")
    data = json.loads(RULESET.read_text(encoding="utf-8"))
    for row in data["categories"]:
        category.objects.update_or_create(
            code=row["code"], defaults={f: row[f] for f in FIELDS}
        )


class Migration(migrations.Migration):
    dependencies = [("layers", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
