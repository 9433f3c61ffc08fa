"""The property service levels and their fee ranges (五(二)) as dated programme data:
fixtures/programme/property_fees.json, loaded like the other programme data files.

``load`` is idempotent; tests/reference.py re-runs it after a flush.
"""

import json
from pathlib import Path

from django.db import migrations, models

PROGRAMME = Path(__file__).resolve().parents[2] / "fixtures" / "programme"
KINDS = ("property_fees",)


def load(apps, schema_editor):
    data_version = apps.get_model("programme", "DataVersion")
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


class Migration(migrations.Migration):

    dependencies = [
        ('programme', '0010_public_funding_mix_view'),
    ]

    operations = [
        migrations.AlterField(
            model_name='dataversion',
            name='kind',
            field=models.CharField(choices=[('works_catalogue', '改造内容清单'), ('funding_rates', '资金分担比例'), ('districts', '区县及中心城区'), ('vote_thresholds', '表决门槛'), ('scoring_rules', '储备库评价规则'), ('maintenance', '长效管理参数'), ('scope_rules', '改造范围规则'), ('programme_period', '三年行动期'), ('property_fees', '物业服务等级与收费区间')], max_length=32, verbose_name='数据类型'),
        ),
        migrations.AlterField(
            model_name='historicaldataversion',
            name='kind',
            field=models.CharField(choices=[('works_catalogue', '改造内容清单'), ('funding_rates', '资金分担比例'), ('districts', '区县及中心城区'), ('vote_thresholds', '表决门槛'), ('scoring_rules', '储备库评价规则'), ('maintenance', '长效管理参数'), ('scope_rules', '改造范围规则'), ('programme_period', '三年行动期'), ('property_fees', '物业服务等级与收费区间')], max_length=32, verbose_name='数据类型'),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
