from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspector", "0019_session_hosts"),
    ]

    operations = [
        migrations.AddField(
            model_name="sessionrecord",
            name="sealed_spec",
            field=models.TextField(blank=True),
        ),
    ]
