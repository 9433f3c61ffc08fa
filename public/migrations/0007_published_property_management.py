"""The published communities keep their property management (五(二)), so that the
public statistics can give, per district, the share of renovated communities with
professional management (aggregates only: no page shows a community's value).

The column is filled from the live rows it was published from (the value is not
private; the next publication keeps it in step) and granted to the public role like
the snapshot's other columns (0005).
"""

from django.db import migrations, models

from public import db_role

PUBLIC_COLUMNS = {"public_publishedcommunity": ("property_management",)}


def fill(apps, schema_editor):
    with schema_editor.connection.cursor() as cur:
        cur.execute(
            "UPDATE public_publishedcommunity p"
            " SET property_management = l.property_management"
            " FROM layers_community l WHERE l.id = p.source_id"
        )


def grant(apps, schema_editor):
    role = db_role.configured_role()
    if not role:
        return
    with schema_editor.connection.cursor() as cur:
        db_role.ensure_role(cur, role)
        db_role.grant_select(cur, role, PUBLIC_COLUMNS)


def forwards(apps, schema_editor):
    fill(apps, schema_editor)
    grant(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("public", "0006_funding_mix_grants"),
        ("layers", "0010_community_governance"),
    ]

    operations = [
        migrations.AddField(
            model_name="publishedcommunity",
            name="property_management",
            field=models.CharField(default="none", max_length=16),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
