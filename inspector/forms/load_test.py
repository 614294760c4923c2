"""The form a load test starts from: a tool, its arguments as JSON, and the load."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from inspector.services import LoadOptions


class LoadTestForm(forms.Form):
    tool = forms.CharField(
        max_length=255,
        widget=forms.TextInput(attrs={"list": "load-tools", "autocomplete": "off"}),
        help_text="Read-only tools are the safe ones: every call is a real call.",
    )
    arguments = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text="A JSON object; empty for none.",
    )
    concurrency = forms.IntegerField(min_value=1, max_value=100, initial=4)
    duration = forms.FloatField(label="Duration (seconds)", min_value=0.5, max_value=120, initial=5)
    rate = forms.FloatField(
        label="At most this many calls a second",
        required=False,
        min_value=0.1,
        help_text="Empty: as fast as the workers go.",
    )

    def clean_arguments(self) -> dict[str, Any]:
        text = self.cleaned_data["arguments"].strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not JSON: {exc.msg} (line {exc.lineno}).") from None
        if not isinstance(value, dict):
            raise forms.ValidationError("The arguments are a JSON object ({...}).")
        return value

    def options(self) -> LoadOptions:
        data = self.cleaned_data
        return LoadOptions(
            tool=data["tool"],
            arguments=data["arguments"],
            concurrency=data["concurrency"],
            duration=data["duration"],
            rate=data["rate"],
        )
