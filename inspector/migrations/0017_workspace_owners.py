"""What was owned by an account is owned by that account's personal workspace.

The owner columns keep their name (`owner_id`) and change what they point at: first they
stop being keys, then each user id becomes that user's personal workspace id, then they
become keys of Workspace.
"""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

OWNED = (
    "SessionRecord",
    "SavedServer",
    "OAuthCredential",
    "DoctorReport",
    "LoadTestRecord",
    "ModelEndpointSetting",
)


def plain_owner(model: str) -> migrations.AlterField:
    """The owner column as a bare integer for the while its values change meaning."""
    field: models.Field[int | None, int | None] = models.IntegerField(
        null=True, blank=True, db_column="owner_id"
    )
    return migrations.AlterField(model_name=model.lower(), name="owner", field=field)


def to_personal_workspaces(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Workspace = apps.get_model("inspector", "Workspace")
    personal = dict(
        Workspace.objects.filter(personal_of__isnull=False).values_list("personal_of_id", "id")
    )
    for name in OWNED:
        model = apps.get_model("inspector", name)
        for user_id in set(model.objects.exclude(owner=None).values_list("owner", flat=True)):
            # An account gone without its workspace leaves rows nobody can reach.
            model.objects.filter(owner=user_id).update(owner=personal.get(user_id))


def to_accounts(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Workspace = apps.get_model("inspector", "Workspace")
    account = dict(
        Workspace.objects.filter(personal_of__isnull=False).values_list("id", "personal_of_id")
    )
    for name in OWNED:
        model = apps.get_model("inspector", name)
        for workspace_id in set(model.objects.exclude(owner=None).values_list("owner", flat=True)):
            # A team's objects have no one account to go back to.
            model.objects.filter(owner=workspace_id).update(owner=account.get(workspace_id))


def owned_by_workspace(model: str, on_delete: object, related_name: str) -> migrations.AlterField:
    return migrations.AlterField(
        model_name=model.lower(),
        name="owner",
        field=models.ForeignKey(
            null=True,
            blank=True,
            on_delete=on_delete,  # type: ignore[arg-type]
            related_name=related_name,
            to="inspector.workspace",
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("inspector", "0016_oidc_identity")]

    operations = [
        *(plain_owner(model) for model in OWNED),
        migrations.RunPython(to_personal_workspaces, to_accounts),
        owned_by_workspace("SessionRecord", django.db.models.deletion.SET_NULL, "+"),
        owned_by_workspace("SavedServer", django.db.models.deletion.CASCADE, "saved_servers"),
        owned_by_workspace(
            "OAuthCredential", django.db.models.deletion.CASCADE, "oauth_credentials"
        ),
        owned_by_workspace("DoctorReport", django.db.models.deletion.CASCADE, "doctor_reports"),
        owned_by_workspace("LoadTestRecord", django.db.models.deletion.CASCADE, "+"),
        migrations.AlterField(
            model_name="modelendpointsetting",
            name="owner",
            field=models.OneToOneField(
                null=True,
                blank=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="model_endpoint",
                to="inspector.workspace",
            ),
        ),
    ]
