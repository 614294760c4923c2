import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspector", "0020_session_sealed_spec"),
    ]

    operations = [
        migrations.AddField(
            model_name="doctorreport",
            name="host",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="inspector.sessionhost",
            ),
        ),
    ]
