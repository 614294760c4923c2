"""The OAuth client settings of a connection, on its Auth tab."""

from __future__ import annotations

from typing import Any

from django import forms

from inspector.forms.fields import (
    client_credentials_problem,
    client_id_field,
    client_secret_field,
    grant_type_field,
    scope_field,
)


class OAuthClientForm(forms.Form):
    grant_type = grant_type_field("Grant type")
    client_id = client_id_field("Client ID")
    client_secret = client_secret_field("Client secret")
    scope = scope_field("Scope")

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        assert data is not None
        if problem := client_credentials_problem(
            data.get("grant_type"), data.get("client_id"), data.get("client_secret")
        ):
            raise forms.ValidationError(problem)
        return data

    def settings(self) -> dict[str, str]:
        """The settings as entered; a secret sent back masked is resolved by the service."""
        data = self.cleaned_data
        return {
            "grant_type": data["grant_type"],
            "client_id": data["client_id"].strip(),
            "client_secret": data["client_secret"].strip(),
            "scope": " ".join(data["scope"].split()),
        }
