
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """State only: the run model moved to runs; the foreign key still points at the same table."""

    dependencies = [
        ('blocks', '0001_initial'),
        ('runs', '0001_initial'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='historicalrenovationblock',
            name='run',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='runs.analysisrun', verbose_name='分区运行'),
        ),
        migrations.AlterField(
            model_name='renovationblock',
            name='run',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='blocks', to='runs.analysisrun', verbose_name='分区运行'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
