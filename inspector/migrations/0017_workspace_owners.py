"""What was owned by an account is owned by that account's personal workspace.

The owner columns keep their name (`owner_id`) and change what they point at: first they
stop being keys, then each user id becomes that user's personal workspace id, then they
become keys of Workspace.
"""

from __future__ import annotations

from typing import Any

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


def renumber_owners(apps: StateApps, new_owner: dict[int, int]) -> None:
    """Give each row the owner its old owner maps to. User ids and workspace ids share one
    range, so the rows of every old owner are found before any changes: renumbering one
    owner at a time would move rows already moved (1 -> 3, then 3 -> 2)."""
    for name in OWNED:
        model = apps.get_model("inspector", name)
        rows_of: dict[int, list[Any]] = {}
        for pk, owner in model.objects.exclude(owner=None).values_list("pk", "owner"):
            rows_of.setdefault(owner, []).append(pk)
        for owner, pks in rows_of.items():
            # An old owner with nothing to map to leaves rows nobody can reach.
            model.objects.filter(pk__in=pks).update(owner=new_owner.get(owner))


def to_personal_workspaces(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Workspace = apps.get_model("inspector", "Workspace")
    personal = Workspace.objects.filter(personal_of__isnull=False)
    renumber_owners(apps, dict(personal.values_list("personal_of_id", "id")))


def to_accounts(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # A team's objects have no one account to go back to.
    Workspace = apps.get_model("inspector", "Workspace")
    personal = Workspace.objects.filter(personal_of__isnull=False)
    renumber_owners(apps, dict(personal.values_list("id", "personal_of_id")))


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
