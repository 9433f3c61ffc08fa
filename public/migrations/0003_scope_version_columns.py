"""Grant the two columns the public data version reads from the programme's scope.

The public statistics count the communities in the programme's scope (二(一)); the
scope changes with a recorded decision (programme_scopedecision) or a 片区 membership
(blocks_renovationblock), so ``public.selectors.data_version`` counts those rows and
their last change. Frozen lists, as in 0001; 0001 revokes everything when re-applied,
this migration then adds these again. Only ``id`` and the timestamp: never the reason, who decided, the
members or the geometry. The aggregates themselves are computed by the application
(``public.selectors.programme_targets``), not by this role.
"""

from django.conf import settings
from django.db import migrations

from public import db_role

PUBLIC_COLUMNS = {
    "programme_scopedecision": ("id", "decided_at"),
    "blocks_renovationblock": ("id", "updated_at"),
}


def grant(apps, schema_editor):
    role = db_role.configured_role()
    if not role:
        return
    with schema_editor.connection.cursor() as cur:
        db_role.ensure_role(cur, role)
        db_role.grant_select(cur, role, PUBLIC_COLUMNS, optional=tuple(PUBLIC_COLUMNS))


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


class Migration(migrations.Migration):
    dependencies = [("public", "0002_basemap_grants"), ("blocks", "0001_initial")]
    if "programme" in settings.INSTALLED_APPS:
        dependencies.append(("programme", "0003_scope_decision"))

    operations = [migrations.RunPython(grant, revoke, elidable=False)]
