# The Profile model moves from planner to accounts: the table stays (state only here),
# then 0002 renames it.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("layers", "0001_initial"),
        ("planner", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Profile",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("role", models.CharField(choices=[("viewer", "只读用户"), ("street_staff", "街道工作人员"), ("district_planner", "区级规划人员"), ("city_admin", "市级管理员")], default="viewer", max_length=24, verbose_name="角色")),
                        ("district", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to="layers.district", verbose_name="所属区县")),
                        ("street", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to="layers.street", verbose_name="所属街道")),
                        ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="profile", to=settings.AUTH_USER_MODEL, verbose_name="用户")),
                    ],
                    options={
                        "verbose_name": "用户角色",
                        "verbose_name_plural": "用户角色",
                        "db_table": "planner_profile",
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(models.Q(("role", "district_planner"), _negated=True), ("district__isnull", False), _connector="OR"), name="district_planner_has_district"),
                            models.CheckConstraint(condition=models.Q(models.Q(("role", "street_staff"), _negated=True), ("street__isnull", False), _connector="OR"), name="street_staff_has_street"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
