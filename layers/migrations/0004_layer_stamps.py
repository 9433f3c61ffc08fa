"""Per-layer change stamps kept by statement-level triggers (design in layers/stamps.py).

The table names below are a frozen copy of each model's ``_meta.db_table`` at the time
of this migration (migrations must not import the live models);
tests/layers/test_stamps.py checks that every model of ``layers.stamps.LAYERS`` carries
the trigger with its layer name, so a drift is caught.
"""

from django.db import migrations, models

# layer name (TG_ARGV[0]) -> (table, has an updated_at column)
LAYERS = {
    "community": ("layers_community", True),
    "district": ("layers_district", True),
    "street": ("layers_street", True),
    "amenity": ("layers_amenity", True),
    "amenity_category": ("layers_amenitycategory", False),
    "walk_segment": ("layers_walksegment", True),
    "idle_land": ("layers_idleland", True),
    "vacant_housing": ("layers_vacanthousing", True),
    "population_raster": ("layers_populationraster", True),
}

# 52 random bits from gen_random_uuid() (strong randomness, not touched by setseed()):
# the last 13 hex digits of a version-4 UUID are all random; positive and JS-safe.
EPOCH_FUNCTION = """
CREATE FUNCTION layers_layerstamp_epoch() RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT ('x000' || substr(replace(gen_random_uuid()::text, '-', ''), 20))::bit(64)::bigint
$$;
"""

# SET search_path FROM CURRENT: the unqualified names resolve as at creation even in a
# session with another search_path (a data-only pg_restore runs with search_path = '').
BUMP_FUNCTION = """
CREATE FUNCTION layers_layerstamp_bump() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO layers_layerstamp AS s (layer, epoch, version, changed_at)
    VALUES (TG_ARGV[0], layers_layerstamp_epoch(), 1, now())
    ON CONFLICT (layer) DO UPDATE
        SET version = s.version + 1, changed_at = now();
    RETURN NULL;
END
$$;
"""


def create_trigger(layer: str, table: str) -> str:
    return (
        f'CREATE TRIGGER layers_layerstamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
        f'ON "{table}" FOR EACH STATEMENT '
        f"EXECUTE FUNCTION layers_layerstamp_bump('{layer}');"
    )


def drop_trigger(table: str) -> str:
    return f'DROP TRIGGER IF EXISTS layers_layerstamp ON "{table}";'


def seed(layer: str, table: str, has_updated_at: bool) -> str:
    """Version 0; changed_at = the newest updated_at, so data_time() is continuous."""
    changed = f'(SELECT max(updated_at) FROM "{table}")' if has_updated_at else "NULL"
    return (
        "INSERT INTO layers_layerstamp (layer, epoch, version, changed_at) "
        f"SELECT '{layer}', layers_layerstamp_epoch(), 0, {changed} "
        "ON CONFLICT (layer) DO NOTHING;"
    )


class Migration(migrations.Migration):

    dependencies = [
        ("layers", "0003_feature_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="LayerStamp",
            fields=[
                ("layer", models.TextField(primary_key=True, serialize=False, verbose_name="图层")),
                ("epoch", models.BigIntegerField(help_text="行首次写入时的随机数；清空重建后随之改变", verbose_name="纪元")),
                ("version", models.BigIntegerField(default=0, help_text="每条修改数据的语句加一", verbose_name="版本")),
                ("changed_at", models.DateTimeField(blank=True, help_text="修改事务的开始时间", null=True, verbose_name="最近变更时间")),
            ],
            options={
                "verbose_name": "图层变更戳",
                "verbose_name_plural": "图层变更戳",
                "ordering": ["layer"],
            },
        ),
        migrations.RunSQL(
            sql=[EPOCH_FUNCTION, BUMP_FUNCTION],
            reverse_sql=[
                "DROP FUNCTION IF EXISTS layers_layerstamp_bump();",
                "DROP FUNCTION IF EXISTS layers_layerstamp_epoch();",
            ],
        ),
        migrations.RunSQL(
            sql=[create_trigger(layer, table) for layer, (table, _) in LAYERS.items()],
            reverse_sql=[drop_trigger(table) for table, _ in LAYERS.values()],
        ),
        migrations.RunSQL(
            sql=[seed(layer, *spec) for layer, spec in LAYERS.items()],
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
