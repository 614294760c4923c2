"""Choosing the workspace to act in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from inspector.services import WorkspaceChoice


class WorkspaceSwitchForm(forms.Form):
    workspace = forms.TypedChoiceField(label="Workspace", coerce=int)

    def __init__(self, data: Mapping[str, Any], *, choices: Sequence[WorkspaceChoice]) -> None:
        super().__init__(data)
        # Only workspaces the account belongs to: any other id is not a valid choice.
        field = self.fields["workspace"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(choice.id, choice.name) for choice in choices]

    def chosen(self) -> int:
        return int(self.cleaned_data["workspace"])
