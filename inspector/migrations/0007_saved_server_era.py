from django.db import migrations, models


class Migration(migrations.Migration):
    """Servers saved before eras existed were legacy connections, and stay so; a server
    saved from now on is auto-detected unless its form says otherwise."""

    dependencies = [
        ("inspector", "0006_saved_server_oauth"),
    ]

    operations = [
        migrations.AddField(
            model_name="savedserver",
            name="era",
            field=models.CharField(default="legacy", max_length=16),
        ),
        migrations.AlterField(
            model_name="savedserver",
            name="era",
            field=models.CharField(default="auto", max_length=16),
        ),
    ]
