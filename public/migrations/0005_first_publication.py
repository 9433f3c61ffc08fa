"""The first publication: today's data, so existing deployments keep their public map;
then the public role reads the snapshot instead of the live layer tables.

The copy is a frozen version of ``public.publishing.SNAPSHOTS`` (migrations do not
import live code). Grants as in 0001-0003: ``PUBLIC_COLUMNS`` are added; the live
tables in ``REVOKED_TABLES`` are taken away from the role (0001 grants them when it is
re-applied, this migration, which runs after it, takes them away again). The stage
history (``layers_historicalcommunity``), photos, life-circle results and programme
rows keep their grants: the card joins them by the published ``source_id``.
"""

import importlib

from django.db import migrations

from public import db_role

#: the live columns 0001 granted, given back when this migration is reversed
_INITIAL = importlib.import_module("public.migrations.0001_public_db_role")

COPIES = {
    "public_publisheddistrict": (
        "source_id, code, name, geom",
        "SELECT l.id, l.code, l.name, l.geom FROM layers_district l",
    ),
    "public_publishedcommunity": (
        "source_id, code, name, district_code, district_name, street_name, geom,"
        " completion_year, households, buildings, lifts, stage, public_notes,"
        " dangerous_c, dangerous_d, land_tenure",
        "SELECT l.id, l.code, l.name, d.code, d.name, s.name, l.geom,"
        " l.completion_year, l.households, l.buildings, l.lifts, l.stage,"
        " l.public_notes, l.dangerous_c, l.dangerous_d, l.land_tenure"
        " FROM layers_community l JOIN layers_district d ON d.id = l.district_id"
        " LEFT JOIN layers_street s ON s.id = l.street_id",
    ),
    "public_publishedamenity": (
        "source_id, code, name, geom, source, created_at",
        "SELECT l.id, l.code, l.name, l.geom, l.source, l.created_at"
        " FROM layers_amenity l",
    ),
}
LAYER_OF = {
    "public_publisheddistrict": "district",
    "public_publishedcommunity": "community",
    "public_publishedamenity": "amenity",
}

PUBLIC_COLUMNS = {
    "public_publisheddistrict": ("id", "source_id", "code", "name", "geom"),
    "public_publishedcommunity": (
        "id",
        "source_id",
        "code",
        "name",
        "district_code",
        "district_name",
        "street_name",
        "geom",
        "completion_year",
        "households",
        "buildings",
        "lifts",
        "stage",
        "public_notes",
        "dangerous_c",
        "dangerous_d",
        "land_tenure",
    ),
    "public_publishedamenity": ("id", "source_id", "geom", "source", "created_at"),
    # the date shown on the public map and data_version; never who published
    "public_publication": ("id", "published_at"),
}
REVOKED_TABLES = (
    "layers_community",
    "layers_district",
    "layers_street",
    "layers_amenity",
)


def first_publication(apps, schema_editor):
    Publication = apps.get_model("public", "Publication")
    if Publication.objects.exists():
        return
    counts = {}
    with schema_editor.connection.cursor() as cur:
        for table, (cols, select) in COPIES.items():
            cur.execute(f"INSERT INTO {table} ({cols}) {select}")
            n = cur.rowcount
            counts[LAYER_OF[table]] = {
                "added": n,
                "changed": 0,
                "removed": 0,
                "total": n,
            }
        # the live tables' change stamps as published (public.publishing.STAMPED)
        stamped = ["district", "street", "community", "amenity"]
        cur.execute(
            "SELECT layer, epoch, version FROM layers_layerstamp"
            " WHERE layer = ANY(%s)",
            [stamped],
        )
        found = {layer: [epoch, version] for layer, epoch, version in cur.fetchall()}
    stamps = {k: found.get(k, [None, 0]) for k in stamped}
    if any(c["total"] for c in counts.values()):
        Publication.objects.create(
            counts=counts, stamps=stamps, note="migration 0005"
        )


def grant(apps, schema_editor):
    role = db_role.configured_role()
    if not role:
        return
    with schema_editor.connection.cursor() as cur:
        db_role.ensure_role(cur, role)
        db_role.grant_select(cur, role, PUBLIC_COLUMNS)
        qrole, *tables = db_role.quote_idents(cur, [role, *REVOKED_TABLES])
        for table in tables:
            cur.execute(f"REVOKE ALL ON TABLE {table} FROM {qrole}")


def revoke(apps, schema_editor):
    role = db_role.configured_role()
    if not role:
        return
    with schema_editor.connection.cursor() as cur:
        if not db_role.role_exists(cur, role):
            return
        qrole, *tables = db_role.quote_idents(cur, [role, *PUBLIC_COLUMNS])
        for table in tables:
            cur.execute(f"REVOKE ALL ON TABLE {table} FROM {qrole}")
        db_role.grant_select(
            cur, role, {t: _INITIAL.PUBLIC_COLUMNS[t] for t in REVOKED_TABLES}
        )


def forwards(apps, schema_editor):
    first_publication(apps, schema_editor)
    grant(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("public", "0004_publication"),
        ("layers", "0008_block_tier"),
    ]

    operations = [migrations.RunPython(forwards, revoke, elidable=False)]
