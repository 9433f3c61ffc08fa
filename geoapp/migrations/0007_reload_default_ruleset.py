"""Reload the default rule set and the facility categories from fixtures/rulesets.

Issue 16 checked the rule set against LIFECIRCLE.md and GB 50180-2018 附录B/C: the
居住街坊 tier (生活垃圾收集点 ≤ 70 m, 便利店, 邮件快件), 商场 and 银行 at 10 minutes,
the missing 生活垃圾收集站, 老年养护院, 街道办事处, 司法所, sources for every number,
and the 完整居住社区 / 旧区改建 rules that are not walking distances. ``load`` is
idempotent; tests/conftest.py re-runs it after transactional tests flushed the
database.
"""

import json
from pathlib import Path

from django.db import migrations

RULESET = Path(__file__).resolve().parents[2] / "fixtures" / "rulesets" / "gb50180_2018.json"
CATEGORY_FIELDS = (
    "name", "tier_minutes", "required", "service_radius_m", "min_floor_area_m2",
    "min_site_area_m2", "source_clause", "verified",
)
RULE_FIELDS = (
    "tier_minutes", "required", "service_radius_m", "min_floor_area_m2",
    "min_site_area_m2", "source_clause", "verified",
)


def load(apps, schema_editor):
    category_model = apps.get_model("layers", "AmenityCategory")
    ruleset_model = apps.get_model("geoapp", "RuleSet")
    rule_model = apps.get_model("geoapp", "FacilityRule")
    data = json.loads(RULESET.read_text(encoding="utf-8"))
    for row in data["categories"]:
        category_model.objects.update_or_create(
            code=row["code"], defaults={f: row[f] for f in CATEGORY_FIELDS}
        )
    tiers = {t["minutes"]: t for t in data["tiers"]}
    speeds = {p["code"]: p["speed_m_per_min"] for p in data["walking_profiles"]}
    rs, _ = ruleset_model.objects.update_or_create(
        name=data["name"],
        defaults={
            "version": data["version"], "description": data["description"],
            "is_default": True,
            "distance_block_m": tiers[3]["distance_m"],
            "distance_5_m": tiers[5]["distance_m"], "distance_10_m": tiers[10]["distance_m"],
            "distance_15_m": tiers[15]["distance_m"],
            "strict_distance_15_m": tiers[15]["strict_distance_m"],
            "adult_speed_m_per_min": speeds["adult"],
            "elderly_speed_m_per_min": speeds["elderly"],
            "checklist": {
                "complete_community_items": data.get("complete_community_items", []),
                "old_area_rules": data.get("old_area_rules", []),
            },
        },
    )
    codes = [row["code"] for row in data["categories"]]
    for row in data["categories"]:
        rule_model.objects.update_or_create(
            ruleset=rs, category=category_model.objects.get(code=row["code"]),
            defaults={k: row[k] for k in RULE_FIELDS},
        )
    rule_model.objects.filter(ruleset=rs).exclude(category__code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("geoapp", "0006_block_tier_checklist"),
        ("layers", "0008_block_tier"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
