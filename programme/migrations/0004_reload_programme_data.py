"""Reload fixtures/programme/*.json (the scope rules and the programme period are new;
the votes, stages, funding and catalogue data changed with issue 16).

``load`` is idempotent (update_or_create by kind and version id, works items by code);
tests/conftest.py re-runs it after transactional tests flushed the database.
"""

import json
from pathlib import Path

from django.db import migrations

PROGRAMME = Path(__file__).resolve().parents[2] / "fixtures" / "programme"
KINDS = (
    "works_catalogue",
    "funding_rates",
    "districts",
    "vote_thresholds",
    "scoring_rules",
    "maintenance",
    "scope_rules",
    "programme_period",
)


def load(apps, schema_editor):
    data_version = apps.get_model("programme", "DataVersion")
    works_item = apps.get_model("programme", "WorksItem")
    for kind in KINDS:
        doc = json.loads((PROGRAMME / f"{kind}.json").read_text(encoding="utf-8"))
        ids = []
        for version in doc["versions"]:
            ids.append(version["id"])
            data_version.objects.update_or_create(
                kind=kind,
                version_id=version["id"],
                defaults={
                    "effective_from": version["effective_from"],
                    "effective_to": version.get("effective_to"),
                    "data": version,
                    "source": doc.get("source", ""),
                },
            )
        data_version.objects.filter(kind=kind).exclude(version_id__in=ids).delete()
    catalogue = json.loads(
        (PROGRAMME / "works_catalogue.json").read_text(encoding="utf-8")
    )
    latest = max(catalogue["versions"], key=lambda v: v["effective_from"])
    for item in latest["items"]:
        works_item.objects.update_or_create(
            code=item["code"],
            defaults={
                "name_zh": item["name_zh"],
                "name_en": item.get("name_en", ""),
                "category": item["category"],
                "unit_zh": item.get("unit_zh", ""),
                "unit_en": item.get("unit_en", ""),
                "unit_cost": str(item["typical_unit_cost_yuan"]),
                "owners_copay": bool(item.get("owners_copay")),
                "special_item": item.get("special_item") or "",
                "area_project_only": bool(item.get("area_project_only")),
                "clause": item.get("clause", ""),
                "catalogue_version": latest["id"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("programme", "0003_scope_decision")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
