"""What the public may read of residents' suggestions: a view of the published ones.

``voice_publishedsuggestion`` holds only rows with status ``published`` and no
``contact``, ``replied_by`` or moderation dates; the public role (SECURITY.md E2,
``public/db_role.py``) may ``SELECT`` this view and nothing of ``voice_suggestion``
itself, so a pending text, a rejected one or a contact cannot reach an anonymous
visitor even through a mistaken query (``permission denied``). The view runs with its
owner's rights (the application user), as PostgreSQL views do by default.
"""

from django.db import migrations

from public import db_role

VIEW = "voice_publishedsuggestion"
CREATE = f"""
CREATE VIEW {VIEW} AS
SELECT s.id, s.community_id, s.project_id, s.topic, s.kind, s.text, s.reply,
       s.published_at
FROM voice_suggestion s
WHERE s.status = 'published'
"""
PUBLIC_COLUMNS = {
    VIEW: (
        "id",
        "community_id",
        "project_id",
        "topic",
        "kind",
        "text",
        "reply",
        "published_at",
    )
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
        qrole, qview = db_role.quote_idents(cur, [role, VIEW])
        cur.execute(f"REVOKE SELECT ON TABLE {qview} FROM {qrole}")


class Migration(migrations.Migration):
    dependencies = [
        ("voice", "0001_suggestions"),
        ("public", "0005_first_publication"),
    ]

    operations = [
        migrations.RunSQL(CREATE, f"DROP VIEW IF EXISTS {VIEW}"),
        migrations.RunPython(grant, revoke, elidable=False),
    ]
