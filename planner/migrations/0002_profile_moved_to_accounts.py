# Profile now lives in accounts (accounts/migrations/0001): state only, the table stays.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("planner", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Profile")],
            database_operations=[],
        )
    ]
