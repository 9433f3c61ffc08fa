"""The parking demand ratios of ``fixtures/lifecircle/parking_ratios.json``."""

import json
from pathlib import Path

from django.db import migrations

RATIOS = (
    Path(__file__).resolve().parents[2] / "fixtures" / "lifecircle" / "parking_ratios.json"
)


def load(apps, schema_editor):
    model = apps.get_model("lifecircle", "ParkingRatios")
    doc = json.loads(RATIOS.read_text(encoding="utf-8"))
    for version in doc["versions"]:
        model.objects.update_or_create(
            version_id=version["id"],
            defaults={
                "effective_from": version["effective_from"],
                "effective_to": version.get("effective_to"),
                "data": {**version, "housing_types": doc.get("housing_types", {})},
                "source": doc.get("source", ""),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("lifecircle", "0003_parking_ratios")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
