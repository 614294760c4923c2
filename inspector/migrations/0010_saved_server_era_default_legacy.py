from django.db import migrations, models


class Migration(migrations.Migration):
    """New servers speak the legacy handshake unless told otherwise: the auto probe costs
    servers on older SDKs a warning on every connect (see the README). Servers saved
    before keep the era they were saved with."""

    dependencies = [
        ("inspector", "0009_doctor_report"),
    ]

    operations = [
        migrations.AlterField(
            model_name="savedserver",
            name="era",
            field=models.CharField(default="legacy", max_length=16),
        ),
    ]
