
import django.contrib.gis.db.models.fields
from django.conf import settings
import django.db.models.deletion
import simple_history.models
from django.db import migrations, models


class Migration(migrations.Migration):
    """State only: the models moved from geoapp with their tables (db_table keeps the geoapp_ names)."""

    initial = True

    dependencies = [
        ('geoapp', '0008_worker_heartbeat'),
        ('layers', '0008_block_tier'),
    ]

    state_operations = [
        migrations.CreateModel(
            name='FacilityRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tier_minutes', models.PositiveSmallIntegerField(choices=[(3, '居住街坊'), (5, '五分钟生活圈'), (10, '十分钟生活圈'), (15, '十五分钟生活圈')], verbose_name='生活圈层级')),
                ('required', models.BooleanField(default=True, verbose_name='必配')),
                ('service_radius_m', models.PositiveIntegerField(verbose_name='服务半径（m）')),
                ('min_floor_area_m2', models.FloatField(blank=True, null=True, verbose_name='最小建筑面积（m²）')),
                ('min_site_area_m2', models.FloatField(blank=True, null=True, verbose_name='最小用地面积（m²）')),
                ('source_clause', models.CharField(blank=True, max_length=255, verbose_name='依据条文')),
                ('verified', models.BooleanField(default=False, verbose_name='已核实')),
                ('capacity', models.JSONField(blank=True, null=True, verbose_name='容量标准（千人指标）')),
            ],
            options={
                'verbose_name': '设施配置规则',
                'verbose_name_plural': '设施配置规则',
                'db_table': 'geoapp_facilityrule',
                'ordering': ['tier_minutes', 'category__code'],
            },
        ),
        migrations.CreateModel(
            name='FacilitySupply',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amenity_code', models.CharField(max_length=64, verbose_name='设施编码')),
                ('category', models.CharField(max_length=64, verbose_name='类别')),
                ('supply', models.FloatField(verbose_name='供给量')),
                ('unit', models.CharField(max_length=8, verbose_name='单位')),
                ('basis', models.CharField(max_length=16, verbose_name='依据')),
                ('note', models.TextField(blank=True, verbose_name='说明')),
                ('ratio', models.FloatField(verbose_name='供需比')),
            ],
            options={
                'verbose_name': '设施供给',
                'verbose_name_plural': '设施供给',
                'db_table': 'geoapp_facilitysupply',
            },
        ),
        migrations.CreateModel(
            name='HistoricalFacilityRule',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('tier_minutes', models.PositiveSmallIntegerField(choices=[(3, '居住街坊'), (5, '五分钟生活圈'), (10, '十分钟生活圈'), (15, '十五分钟生活圈')], verbose_name='生活圈层级')),
                ('required', models.BooleanField(default=True, verbose_name='必配')),
                ('service_radius_m', models.PositiveIntegerField(verbose_name='服务半径（m）')),
                ('min_floor_area_m2', models.FloatField(blank=True, null=True, verbose_name='最小建筑面积（m²）')),
                ('min_site_area_m2', models.FloatField(blank=True, null=True, verbose_name='最小用地面积（m²）')),
                ('source_clause', models.CharField(blank=True, max_length=255, verbose_name='依据条文')),
                ('verified', models.BooleanField(default=False, verbose_name='已核实')),
                ('capacity', models.JSONField(blank=True, null=True, verbose_name='容量标准（千人指标）')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical 设施配置规则',
                'verbose_name_plural': 'historical 设施配置规则',
                'db_table': 'geoapp_historicalfacilityrule',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalPopulationShares',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('version_id', models.CharField(db_index=True, max_length=64, verbose_name='版本编号')),
                ('effective_from', models.DateField(verbose_name='生效日期')),
                ('effective_to', models.DateField(blank=True, null=True, verbose_name='失效日期')),
                ('data', models.JSONField(verbose_name='数据')),
                ('source', models.TextField(blank=True, verbose_name='来源')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical 目标人群比例',
                'verbose_name_plural': 'historical 目标人群比例',
                'db_table': 'geoapp_historicalpopulationshares',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalRuleSet',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(db_index=True, max_length=128, verbose_name='名称')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='版本')),
                ('description', models.TextField(blank=True, verbose_name='说明')),
                ('is_default', models.BooleanField(default=False, verbose_name='默认规则集')),
                ('distance_block_m', models.PositiveIntegerField(default=150, help_text='GB 50180 未规定步行时间；默认 150 m（4 hm² 街坊半对角线），待核实', verbose_name='居住街坊步行距离（m）')),
                ('distance_5_m', models.PositiveIntegerField(default=300, verbose_name='5 分钟步行距离（m）')),
                ('distance_10_m', models.PositiveIntegerField(default=500, verbose_name='10 分钟步行距离（m）')),
                ('distance_15_m', models.PositiveIntegerField(default=1000, verbose_name='15 分钟步行距离（m）')),
                ('strict_distance_15_m', models.PositiveIntegerField(default=800, verbose_name='15 分钟严格距离（m）')),
                ('adult_speed_m_per_min', models.FloatField(default=66.7, verbose_name='成人步速（m/min）')),
                ('elderly_speed_m_per_min', models.FloatField(default=55.0, verbose_name='老年人步速（m/min）')),
                ('distance_decay', models.JSONField(blank=True, default=dict, verbose_name='距离衰减（E2SFCA）')),
                ('checklist', models.JSONField(blank=True, default=dict, help_text='complete_community_items 与 old_area_rules：非步行距离的规则，每条带条款和核实标记', verbose_name='完整居住社区及旧区改建规则')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='更新时间')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical 生活圈规则集',
                'verbose_name_plural': 'historical 生活圈规则集',
                'db_table': 'geoapp_historicalruleset',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='NetworkIsland',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('component', models.PositiveIntegerField(verbose_name='连通分量编号')),
                ('nodes', models.PositiveIntegerField(verbose_name='节点数')),
                ('edges', models.PositiveIntegerField(verbose_name='路段数')),
                ('length_m', models.FloatField(verbose_name='长度（m）')),
                ('amenities_nearest', models.PositiveIntegerField(default=0, verbose_name='最近路段在此的设施数')),
                ('access_points_nearest', models.PositiveIntegerField(default=0, verbose_name='最近路段在此的小区出入点数')),
                ('geom', django.contrib.gis.db.models.fields.MultiLineStringField(srid=settings.SRID, verbose_name='线形')),
            ],
            options={
                'verbose_name': '路网孤岛',
                'verbose_name_plural': '路网孤岛',
                'db_table': 'geoapp_networkisland',
                'ordering': ['run', '-nodes', 'component'],
            },
        ),
        migrations.CreateModel(
            name='PopulationShares',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version_id', models.CharField(max_length=64, unique=True, verbose_name='版本编号')),
                ('effective_from', models.DateField(verbose_name='生效日期')),
                ('effective_to', models.DateField(blank=True, null=True, verbose_name='失效日期')),
                ('data', models.JSONField(verbose_name='数据')),
                ('source', models.TextField(blank=True, verbose_name='来源')),
            ],
            options={
                'verbose_name': '目标人群比例',
                'verbose_name_plural': '目标人群比例',
                'db_table': 'geoapp_populationshares',
                'ordering': ['effective_from'],
            },
        ),
        migrations.CreateModel(
            name='RuleSet',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=128, unique=True, verbose_name='名称')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='版本')),
                ('description', models.TextField(blank=True, verbose_name='说明')),
                ('is_default', models.BooleanField(default=False, verbose_name='默认规则集')),
                ('distance_block_m', models.PositiveIntegerField(default=150, help_text='GB 50180 未规定步行时间；默认 150 m（4 hm² 街坊半对角线），待核实', verbose_name='居住街坊步行距离（m）')),
                ('distance_5_m', models.PositiveIntegerField(default=300, verbose_name='5 分钟步行距离（m）')),
                ('distance_10_m', models.PositiveIntegerField(default=500, verbose_name='10 分钟步行距离（m）')),
                ('distance_15_m', models.PositiveIntegerField(default=1000, verbose_name='15 分钟步行距离（m）')),
                ('strict_distance_15_m', models.PositiveIntegerField(default=800, verbose_name='15 分钟严格距离（m）')),
                ('adult_speed_m_per_min', models.FloatField(default=66.7, verbose_name='成人步速（m/min）')),
                ('elderly_speed_m_per_min', models.FloatField(default=55.0, verbose_name='老年人步速（m/min）')),
                ('distance_decay', models.JSONField(blank=True, default=dict, verbose_name='距离衰减（E2SFCA）')),
                ('checklist', models.JSONField(blank=True, default=dict, help_text='complete_community_items 与 old_area_rules：非步行距离的规则，每条带条款和核实标记', verbose_name='完整居住社区及旧区改建规则')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
            ],
            options={
                'verbose_name': '生活圈规则集',
                'verbose_name_plural': '生活圈规则集',
                'db_table': 'geoapp_ruleset',
                'ordering': ['-is_default', 'name'],
            },
        ),
        migrations.CreateModel(
            name='CoverageResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('residents', models.PositiveIntegerField(default=0, verbose_name='居民人数（分析用）')),
                ('score', models.FloatField(verbose_name='覆盖得分')),
                ('tiers_met', models.JSONField(default=dict, verbose_name='达标层级')),
                ('missing', models.JSONField(default=dict, verbose_name='缺失设施')),
                ('distances_m', models.JSONField(default=dict, verbose_name='步行距离（m）')),
                ('reachable', models.BooleanField(default=True, verbose_name='可接入路网')),
                ('capacity', models.JSONField(blank=True, default=dict, verbose_name='容量匹配（够不够）')),
                ('community', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coverage', to='layers.community', verbose_name='小区')),
            ],
            options={
                'verbose_name': '生活圈结果',
                'verbose_name_plural': '生活圈结果',
                'db_table': 'geoapp_coverageresult',
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
