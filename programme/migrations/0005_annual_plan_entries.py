"""Annual plan entries: when each project was listed and when the plan was fixed with it
(四(二)4). The old automatic M2M rows are copied (added and fixed when the plan was);
the field cannot be altered to a ``through`` model in place, so it is removed and added.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def copy_entries(apps, schema_editor):
    plan_model = apps.get_model("programme", "AnnualPlan")
    entry_model = apps.get_model("programme", "AnnualPlanEntry")
    for plan in plan_model.objects.all():
        when = plan.fixed_at or plan.reopened_at
        for project in plan.projects.all():
            entry_model.objects.create(
                plan=plan,
                project=project,
                added_at=when or project.updated_at,
                fixed_at=plan.fixed_at if plan.locked else None,
            )


def keep_entries(apps, schema_editor):
    """Reverse: the automatic M2M is re-created and filled by the reversed AddField."""


class Migration(migrations.Migration):

    dependencies = [
        ('programme', '0004_reload_programme_data'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AnnualPlanEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('added_at', models.DateTimeField(verbose_name='列入时间')),
                ('fixed_at', models.DateTimeField(blank=True, null=True, verbose_name='随计划确定时间')),
                ('added_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='列入人')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='entries', to='programme.annualplan', verbose_name='年度计划')),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='plan_entries', to='programme.project', verbose_name='项目')),
            ],
            options={
                'verbose_name': '年度计划项目',
                'verbose_name_plural': '年度计划项目',
                'ordering': ['plan', 'added_at', 'id'],
            },
        ),
        migrations.RunPython(copy_entries, keep_entries),
        migrations.RemoveField(model_name='annualplan', name='projects'),
        migrations.AddField(
            model_name='annualplan',
            name='projects',
            field=models.ManyToManyField(blank=True, related_name='annual_plans', through='programme.AnnualPlanEntry', to='programme.project', verbose_name='项目'),
        ),
        migrations.CreateModel(
            name='HistoricalAnnualPlanEntry',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('added_at', models.DateTimeField(verbose_name='列入时间')),
                ('fixed_at', models.DateTimeField(blank=True, null=True, verbose_name='随计划确定时间')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('added_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='列入人')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('plan', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programme.annualplan', verbose_name='年度计划')),
                ('project', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programme.project', verbose_name='项目')),
            ],
            options={
                'verbose_name': 'historical 年度计划项目',
                'verbose_name_plural': 'historical 年度计划项目',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.DeleteModel(
            name='HistoricalAnnualPlan_projects',
        ),
        migrations.AddConstraint(
            model_name='annualplanentry',
            constraint=models.UniqueConstraint(fields=('plan', 'project'), name='programme_annualplanentry_unique'),
        ),
    ]
