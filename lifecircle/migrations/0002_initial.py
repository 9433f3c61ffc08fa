
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """State only: the models moved from geoapp with their tables (db_table keeps the geoapp_ names)."""

    initial = True

    dependencies = [
        ('layers', '0008_block_tier'),
        ('lifecircle', '0001_initial'),
        ('runs', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.AddField(
            model_name='coverageresult',
            name='run',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coverage', to='runs.analysisrun', verbose_name='分析运行'),
        ),
        migrations.AddField(
            model_name='facilityrule',
            name='category',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rules', to='layers.amenitycategory', verbose_name='设施类别'),
        ),
        migrations.AddField(
            model_name='facilitysupply',
            name='run',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='supply', to='runs.analysisrun', verbose_name='分析运行'),
        ),
        migrations.AddField(
            model_name='historicalfacilityrule',
            name='category',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='layers.amenitycategory', verbose_name='设施类别'),
        ),
        migrations.AddField(
            model_name='historicalfacilityrule',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalpopulationshares',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalruleset',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='networkisland',
            name='run',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='islands', to='runs.analysisrun', verbose_name='分析运行'),
        ),
        migrations.AddConstraint(
            model_name='populationshares',
            constraint=models.CheckConstraint(condition=models.Q(('effective_to__isnull', True), ('effective_to__gte', models.F('effective_from')), _connector='OR'), name='geoapp_populationshares_period'),
        ),
        migrations.AddConstraint(
            model_name='ruleset',
            constraint=models.UniqueConstraint(condition=models.Q(('is_default', True)), fields=('is_default',), name='one_default_ruleset'),
        ),
        migrations.AddConstraint(
            model_name='ruleset',
            constraint=models.CheckConstraint(condition=models.Q(('distance_block_m__lte', models.F('distance_5_m')), ('distance_5_m__lte', models.F('distance_10_m')), ('distance_10_m__lte', models.F('distance_15_m')), ('strict_distance_15_m__lte', models.F('distance_15_m'))), name='ruleset_tiers_ordered'),
        ),
        migrations.AddField(
            model_name='historicalfacilityrule',
            name='ruleset',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='lifecircle.ruleset', verbose_name='规则集'),
        ),
        migrations.AddField(
            model_name='facilityrule',
            name='ruleset',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rules', to='lifecircle.ruleset', verbose_name='规则集'),
        ),
        migrations.AddIndex(
            model_name='coverageresult',
            index=models.Index(fields=['run', 'score'], name='coverage_run_score'),
        ),
        migrations.AddConstraint(
            model_name='coverageresult',
            constraint=models.UniqueConstraint(fields=('run', 'community'), name='one_result_per_community'),
        ),
        migrations.AddIndex(
            model_name='facilitysupply',
            index=models.Index(fields=['run', 'category'], name='supply_run_category'),
        ),
        migrations.AddConstraint(
            model_name='networkisland',
            constraint=models.UniqueConstraint(fields=('run', 'component'), name='one_island_per_component'),
        ),
        migrations.AddConstraint(
            model_name='facilityrule',
            constraint=models.UniqueConstraint(fields=('ruleset', 'category'), name='one_rule_per_category'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
