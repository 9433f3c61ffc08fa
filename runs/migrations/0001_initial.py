
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """State only: the models moved from geoapp with their tables (db_table keeps the geoapp_ names)."""

    initial = True

    dependencies = [
        ('geoapp', '0008_worker_heartbeat'),
        ('lifecircle', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name='WorkerHeartbeat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('worker_id', models.CharField(max_length=64, unique=True, verbose_name='进程标识')),
                ('hostname', models.CharField(max_length=255, verbose_name='主机')),
                ('pid', models.PositiveIntegerField(verbose_name='进程号')),
                ('started_at', models.DateTimeField(verbose_name='启动时间')),
                ('last_seen', models.DateTimeField(db_index=True, verbose_name='最近心跳')),
                ('stopped_at', models.DateTimeField(blank=True, null=True, verbose_name='停止时间')),
            ],
            options={
                'verbose_name': '分析进程心跳',
                'verbose_name_plural': '分析进程心跳',
                'db_table': 'geoapp_workerheartbeat',
                'ordering': ['-last_seen'],
            },
        ),
        migrations.CreateModel(
            name='AnalysisRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('lifecircle', '15分钟生活圈'), ('bundling', '连片改造分区'), ('siting', '闲置用地选址')], max_length=16, verbose_name='类型')),
                ('status', models.CharField(choices=[('pending', '排队中'), ('running', '运行中'), ('done', '已完成'), ('failed', '失败')], default='pending', max_length=16, verbose_name='状态')),
                ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='进度（%）')),
                ('parameters', models.JSONField(default=dict, verbose_name='参数')),
                ('request', models.JSONField(blank=True, default=None, null=True, verbose_name='请求参数')),
                ('ruleset_version', models.PositiveIntegerField(blank=True, null=True, verbose_name='规则集版本')),
                ('data_time', models.DateTimeField(blank=True, null=True, verbose_name='数据时间')),
                ('engine', models.CharField(blank=True, max_length=128, verbose_name='计算引擎')),
                ('duration_s', models.FloatField(blank=True, null=True, verbose_name='耗时（秒）')),
                ('summary', models.JSONField(blank=True, default=dict, verbose_name='汇总')),
                ('error', models.TextField(blank=True, verbose_name='错误')),
                ('error_detail', models.TextField(blank=True, verbose_name='错误详情（仅管理员）')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name='发起人')),
                ('retry_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='retries', to='runs.analysisrun', verbose_name='重新排队自')),
                ('ruleset', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='lifecircle.ruleset', verbose_name='规则集')),
            ],
            options={
                'verbose_name': '分析运行',
                'verbose_name_plural': '分析运行',
                'db_table': 'geoapp_analysisrun',
                'ordering': ['-created_at'],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
