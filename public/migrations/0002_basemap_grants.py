"""The public role may read the basemap (public tiles) and the basemap's change stamp
(part of ``public.selectors.data_version``): both are shown to everyone anyway.

Frozen column lists, as in 0001 (migrations do not import live models). 0001 revokes
everything and grants its list when re-applied; this migration then adds these again.
"""

from django.db import migrations

from public import db_role

PUBLIC_COLUMNS = {
    "layers_basemapfeature": ("kind", "name", "road_class", "geom"),
    "layers_layerstamp": ("layer", "epoch", "version"),
}


def grant(apps, schema_editor):
    role = db_role.configured_role()
    if not role:
        return
    with schema_editor.connection.cursor() as cur:
        db_role.ensure_role(cur, role)
        db_role.grant_select(cur, role, PUBLIC_COLUMNS)


def revoke(apps, schema_editor):
    role = db_role.configured_role()
    if not role:
        return
    with schema_editor.connection.cursor() as cur:
        if not db_role.role_exists(cur, role):
            return
        (qrole,) = db_role.quote_idents(cur, [role])
        for table in PUBLIC_COLUMNS:
            (qtable,) = db_role.quote_idents(cur, [table])
            cur.execute(f"REVOKE SELECT ON TABLE {qtable} FROM {qrole}")


class Migration(migrations.Migration):
    dependencies = [
        ("public", "0001_public_db_role"),
        ("layers", "0006_basemap_candidates"),
    ]

    operations = [migrations.RunPython(grant, revoke, elidable=False)]
