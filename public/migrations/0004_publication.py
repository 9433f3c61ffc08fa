"""The published snapshot of the public layers and the publications (public/models.py)."""
# Geometry columns are created in settings.SRID (GEOAPP_SRID), never a literal EPSG code.

import django.contrib.gis.db.models.fields
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("public", "0003_scope_version_columns"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PublishedAmenity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("source_id", models.BigIntegerField(unique=True)),
                ("code", models.CharField(max_length=64)),
                ("name", models.CharField(blank=True, max_length=128)),
                (
                    "geom",
                    django.contrib.gis.db.models.fields.PointField(srid=settings.SRID),
                ),
                ("source", models.CharField(blank=True, max_length=64)),
                ("created_at", models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name="PublishedCommunity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("source_id", models.BigIntegerField(unique=True)),
                ("code", models.CharField(db_index=True, max_length=64)),
                ("name", models.CharField(db_index=True, max_length=128)),
                ("district_code", models.CharField(db_index=True, max_length=64)),
                ("district_name", models.CharField(max_length=64)),
                ("street_name", models.CharField(max_length=64, null=True)),
                (
                    "geom",
                    django.contrib.gis.db.models.fields.MultiPolygonField(
                        srid=settings.SRID
                    ),
                ),
                ("completion_year", models.PositiveSmallIntegerField()),
                ("households", models.PositiveIntegerField()),
                ("buildings", models.PositiveIntegerField()),
                ("lifts", models.PositiveIntegerField()),
                ("stage", models.CharField(db_index=True, max_length=24)),
                ("public_notes", models.TextField(blank=True)),
                ("dangerous_c", models.PositiveIntegerField()),
                ("dangerous_d", models.PositiveIntegerField()),
                ("land_tenure", models.CharField(max_length=16)),
            ],
            options={
                "ordering": ["code"],
            },
        ),
        migrations.CreateModel(
            name="PublishedDistrict",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("source_id", models.BigIntegerField(unique=True)),
                ("code", models.CharField(db_index=True, max_length=64)),
                ("name", models.CharField(max_length=64)),
                (
                    "geom",
                    django.contrib.gis.db.models.fields.MultiPolygonField(
                        srid=settings.SRID
                    ),
                ),
            ],
            options={
                "ordering": ["code"],
            },
        ),
        migrations.CreateModel(
            name="Publication",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="发布时间"
                    ),
                ),
                ("counts", models.JSONField(default=dict, verbose_name="变更数")),
                ("stamps", models.JSONField(default=dict)),
                (
                    "note",
                    models.CharField(blank=True, max_length=255, verbose_name="说明"),
                ),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="发布人",
                    ),
                ),
            ],
            options={
                "verbose_name": "发布",
                "verbose_name_plural": "发布",
                "ordering": ["-published_at", "-id"],
            },
        ),
    ]
