"""Fields the connect form and the Auth tab's form share: a connection's OAuth client."""

from __future__ import annotations

from typing import Any

from django import forms

from inspector.services import AUTHORIZATION_CODE, CLIENT_CREDENTIALS


def grant_type_field(label: str, **options: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[
            (AUTHORIZATION_CODE, "Authorization code (a person approves in the browser)"),
            (CLIENT_CREDENTIALS, "Client credentials (a confidential client, no person)"),
        ],
        initial=AUTHORIZATION_CODE,
        **options,
    )


def client_id_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=2000,
        help_text="A client registered with the authorization server beforehand. Empty: "
        "the inspector's metadata document URL, or dynamic registration.",
    )


def client_secret_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="For a confidential client (stored encrypted, shown masked).",
    )


def scope_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=2000,
        help_text="Space-separated; empty: what the server asks for.",
    )


def client_credentials_problem(grant: Any, client_id: Any, secret: Any) -> str | None:
    if grant == CLIENT_CREDENTIALS and not (
        str(client_id or "").strip() and str(secret or "").strip()
    ):
        return "The client credentials grant needs a pre-registered client ID and secret."
    return None
