
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """State only: the run model moved to runs; the foreign key still points at the same table."""

    dependencies = [
        ('runs', '0001_initial'),
        ('siting', '0001_initial'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='sitingcandidateresult',
            name='run',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='siting_candidates', to='runs.analysisrun', verbose_name='分析运行'),
        ),
        migrations.AlterField(
            model_name='sitingscenario',
            name='run',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='siting_scenarios', to='runs.analysisrun', verbose_name='选址分析'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
