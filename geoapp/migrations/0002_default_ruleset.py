"""Create the default rule set "GB 50180-2018 + 完整居住社区" from fixtures/rulesets."""

import json
from pathlib import Path

from django.db import migrations

RULESET = Path(__file__).resolve().parents[2] / "fixtures" / "rulesets" / "gb50180_2018.json"


def load(apps, schema_editor):
    ruleset_model = apps.get_model("geoapp", "RuleSet")
    rule_model = apps.get_model("geoapp", "FacilityRule")
    category_model = apps.get_model("layers", "AmenityCategory")
    data = json.loads(RULESET.read_text(encoding="utf-8"))
    tiers = {t["minutes"]: t for t in data["tiers"]}
    speeds = {p["code"]: p["speed_m_per_min"] for p in data["walking_profiles"]}
    rs, _ = ruleset_model.objects.update_or_create(
        name=data["name"],
        defaults={
            "version": data["version"], "description": data["description"], "is_default": True,
            "distance_5_m": tiers[5]["distance_m"], "distance_10_m": tiers[10]["distance_m"],
            "distance_15_m": tiers[15]["distance_m"],
            "strict_distance_15_m": tiers[15]["strict_distance_m"],
            "adult_speed_m_per_min": speeds["adult"],
            "elderly_speed_m_per_min": speeds["elderly"],
        },
    )
    for row in data["categories"]:
        rule_model.objects.update_or_create(
            ruleset=rs, category=category_model.objects.get(code=row["code"]),
            defaults={
                k: row[k] for k in (
                    "tier_minutes", "required", "service_radius_m", "min_floor_area_m2",
                    "min_site_area_m2", "source_clause", "verified",
                )
            },
        )


class Migration(migrations.Migration):
    dependencies = [("geoapp", "0001_lifecircle"), ("layers", "0002_load_amenity_categories")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
