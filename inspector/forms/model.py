"""The model endpoint settings form."""

from __future__ import annotations

from django import forms


class ModelEndpointForm(forms.Form):
    base_url = forms.URLField(
        label="Base URL",
        assume_scheme="https",
        help_text="Where /chat/completions follows, like https://api.openai.com/v1.",
        widget=forms.URLInput(attrs={"placeholder": "http://127.0.0.1:11434/v1"}),
    )
    model = forms.CharField(label="Model", max_length=200)
    api_key = forms.CharField(
        label="API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text="Stored encrypted. Leave empty to keep the stored key.",
    )
    forget_key = forms.BooleanField(label="Forget the stored key", required=False)

    def key_to_store(self) -> str | None:
        """The key to save: None keeps the stored one, "" forgets it."""
        if self.cleaned_data.get("forget_key"):
            return ""
        return self.cleaned_data.get("api_key") or None
