"""The composer's form: a method, request or notification, and params as JSON.

The params are checked as JSON (an object, or nothing) and nothing more: the composer
exists to send what the server did not advertise, or does not expect.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.validators import RegexValidator

from inspector.services import Composed


class ComposeForm(forms.Form):
    method = forms.CharField(
        max_length=255,
        validators=[RegexValidator(r"^\S+$", "A method has no spaces.")],
        widget=forms.TextInput(
            attrs={"list": "compose-methods", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text="Any method: those of the negotiated version are suggested.",
    )
    kind = forms.ChoiceField(
        choices=[("request", "Request (waits for an answer)"), ("notification", "Notification")],
        initial="request",
        widget=forms.Select,
    )
    params = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="A JSON object, or empty for none. Checked as JSON only.",
    )

    def clean_params(self) -> dict[str, Any] | None:
        text = self.cleaned_data["params"].strip()
        if not text:
            return None
        try:
            value = json.loads(text, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"Not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
            ) from None
        except ValueError as exc:
            raise forms.ValidationError(f"Not JSON: {exc} is not a JSON value.") from None
        if not isinstance(value, dict):
            raise forms.ValidationError("Params are a JSON object ({...}), or nothing.")
        return value

    def composed(self) -> Composed:
        data = self.cleaned_data
        return Composed(data["method"], data["params"], data["kind"] == "notification")

    @classmethod
    def prefilled(cls, composed: Composed) -> ComposeForm:
        params = json.dumps(composed.params, indent=2) if composed.params is not None else ""
        kind = "notification" if composed.notification else "request"
        return cls(initial={"method": composed.method, "kind": kind, "params": params})


def _no_constant(name: str) -> Any:
    raise ValueError(name)
