"""Events store their text in a column of its own, and `data` keeps only what the columns
do not (see `EventRecord`); the session of each row is no longer checked by the database.

The rows stored before are rewritten to the new shape in one statement per database,
with its own JSON functions, so a large history moves without passing through Python.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# The keys of the old `data` that are columns now. `method` stays: its column holds only
# 255 characters, and a stored `method` is read before the column's.
TO_COLUMNS = {
    "postgresql": (
        "UPDATE inspector_eventrecord "
        "SET text = COALESCE(data->>'text', ''), "
        "data = data - 'text' - 'kind' - 'direction' - 'timestamp' - 'seq' "
        "WHERE data ? 'text'"
    ),
    "sqlite": (
        "UPDATE inspector_eventrecord "
        "SET text = COALESCE(json_extract(data, '$.text'), ''), "
        "data = json_remove(data, '$.text', '$.kind', '$.direction', '$.timestamp', '$.seq') "
        "WHERE json_type(data, '$.text') IS NOT NULL"
    ),
}

# Back, `method` too where only its column held it; then the rows whose session is gone
# (the database no longer refused them), which the restored foreign key would refuse.
INTO_DATA = {
    "postgresql": (
        "UPDATE inspector_eventrecord "
        "SET data = data || jsonb_build_object('kind', kind, 'direction', direction, "
        "'text', text, 'timestamp', timestamp, 'seq', seq) || CASE "
        "WHEN method <> '' AND NOT data ? 'method' THEN jsonb_build_object('method', method) "
        "ELSE '{}'::jsonb END"
    ),
    "sqlite": (
        "UPDATE inspector_eventrecord "
        "SET data = json_set(CASE WHEN method <> '' "
        "THEN json_insert(data, '$.method', method) ELSE data END, "
        "'$.kind', kind, '$.direction', direction, "
        "'$.text', text, '$.timestamp', timestamp, '$.seq', seq)"
    ),
}
ORPHANS = (
    "DELETE FROM inspector_eventrecord WHERE NOT EXISTS "
    "(SELECT 1 FROM inspector_sessionrecord "
    "WHERE inspector_sessionrecord.id = inspector_eventrecord.session_id)"
)


def text_to_column(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute(TO_COLUMNS[schema_editor.connection.vendor])


def text_into_data(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute(INTO_DATA[schema_editor.connection.vendor])
    schema_editor.execute(ORPHANS)


class Migration(migrations.Migration):
    dependencies = [
        ("inspector", "0021_report_host"),
    ]

    operations = [
        migrations.AlterField(
            model_name="eventrecord",
            name="session",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="inspector.sessionrecord",
            ),
        ),
        migrations.AddField(
            model_name="eventrecord",
            name="text",
            field=models.TextField(blank=True, db_default=""),
        ),
        migrations.RunPython(text_to_column, text_into_data),
    ]
