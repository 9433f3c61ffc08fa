"""The run record moved to ``runs``, the life circle's rule sets and results to
``lifecircle``: state only (the tables stay as they are), and the content types follow
the models so that permissions, admin history and generic relations keep pointing at them."""

from django.db import migrations

MOVED = {
    "analysisrun": "runs",
    "workerheartbeat": "runs",
    "ruleset": "lifecircle",
    "historicalruleset": "lifecircle",
    "facilityrule": "lifecircle",
    "historicalfacilityrule": "lifecircle",
    "coverageresult": "lifecircle",
    "networkisland": "lifecircle",
    "populationshares": "lifecircle",
    "historicalpopulationshares": "lifecircle",
    "facilitysupply": "lifecircle",
}


def content_types_follow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, app in MOVED.items():
        if not ContentType.objects.filter(app_label=app, model=model).exists():
            ContentType.objects.filter(app_label="geoapp", model=model).update(app_label=app)


def content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, app in MOVED.items():
        ContentType.objects.filter(app_label=app, model=model).update(app_label="geoapp")


class Migration(migrations.Migration):
    dependencies = [
        ("geoapp", "0008_worker_heartbeat"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("runs", "0001_initial"),
        ("lifecircle", "0002_initial"),
        ("blocks", "0002_alter_historicalrenovationblock_run_and_more"),
        ("siting", "0002_alter_sitingcandidateresult_run_and_more"),
    ]

    state_operations = [
        migrations.RemoveField(
            model_name='analysisrun',
            name='created_by',
        ),
        migrations.RemoveField(
            model_name='analysisrun',
            name='retry_of',
        ),
        migrations.RemoveField(
            model_name='analysisrun',
            name='ruleset',
        ),
        migrations.RemoveField(
            model_name='networkisland',
            name='run',
        ),
        migrations.RemoveField(
            model_name='facilitysupply',
            name='run',
        ),
        migrations.RemoveField(
            model_name='coverageresult',
            name='run',
        ),
        migrations.RemoveField(
            model_name='coverageresult',
            name='community',
        ),
        migrations.RemoveField(
            model_name='facilityrule',
            name='category',
        ),
        migrations.RemoveField(
            model_name='facilityrule',
            name='ruleset',
        ),
        migrations.RemoveField(
            model_name='historicalfacilityrule',
            name='category',
        ),
        migrations.RemoveField(
            model_name='historicalfacilityrule',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalfacilityrule',
            name='ruleset',
        ),
        migrations.RemoveField(
            model_name='historicalpopulationshares',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalruleset',
            name='history_user',
        ),
        migrations.DeleteModel(
            name='PopulationShares',
        ),
        migrations.DeleteModel(
            name='WorkerHeartbeat',
        ),
        migrations.DeleteModel(
            name='NetworkIsland',
        ),
        migrations.DeleteModel(
            name='FacilitySupply',
        ),
        migrations.DeleteModel(
            name='AnalysisRun',
        ),
        migrations.DeleteModel(
            name='CoverageResult',
        ),
        migrations.DeleteModel(
            name='FacilityRule',
        ),
        migrations.DeleteModel(
            name='HistoricalFacilityRule',
        ),
        migrations.DeleteModel(
            name='RuleSet',
        ),
        migrations.DeleteModel(
            name='HistoricalPopulationShares',
        ),
        migrations.DeleteModel(
            name='HistoricalRuleSet',
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
