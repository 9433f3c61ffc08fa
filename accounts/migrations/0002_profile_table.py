from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("planner", "0002_profile_moved_to_accounts"),
    ]

    operations = [migrations.AlterModelTable(name="profile", table=None)]
