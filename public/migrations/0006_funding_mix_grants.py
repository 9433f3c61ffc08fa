"""Grant the public role the funding mix view and the version columns of its source.

``programme_public_funding_mix`` (programme/migrations/0010) is the sum of money per
district, year and source of the projects whose funding is public; the role reads the
view only, never ``programme_fundingsource``'s amounts, notes or projects: of that
table it reads ``id`` and ``updated_at``, which ``public.selectors.data_version``
counts so an edit changes the public ETags. Frozen lists, as in 0001; 0001 revokes
everything when re-applied, this migration then adds these again.
"""

from django.conf import settings
from django.db import migrations

from public import db_role

PUBLIC_COLUMNS = {
    "programme_public_funding_mix": (
        "district_code",
        "year",
        "source",
        "amount_yuan",
        "projects",
    ),
    "programme_fundingsource": ("id", "updated_at"),
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
        qrole = db_role.quote_idents(cur, [role])[0]
        for table in PUBLIC_COLUMNS:
            cur.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            if cur.fetchone()[0]:
                (qtable,) = db_role.quote_idents(cur, [table])
                cur.execute(f"REVOKE ALL ON TABLE {qtable} FROM {qrole}")


class Migration(migrations.Migration):
    dependencies = [("public", "0005_first_publication")]
    if "programme" in settings.INSTALLED_APPS:
        dependencies.append(("programme", "0010_public_funding_mix_view"))

    operations = [migrations.RunPython(grant, revoke, elidable=False)]
