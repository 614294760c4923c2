"""The forms of saved servers and of configuration files."""

from __future__ import annotations

from typing import Any

from django import forms

from inspector.forms.connect import ConnectForm
from inspector.forms.connect_paste import form_values
from inspector.services import ConnectionSpec
from inspector.services.saved_servers import NAME_MAX_LENGTH

CONFIG_UPLOAD_MAX_BYTES = 1_000_000


class SavedServerForm(ConnectForm):
    """The connect form with a name, and the settings only a saved server has."""

    name = forms.CharField(label="Name", max_length=NAME_MAX_LENGTH)
    save_as = None  # type: ignore[assignment]

    field_order = ["name"]

    @staticmethod
    def initial_for(name: str, spec: ConnectionSpec) -> dict[str, Any]:
        """The form's values for a saved server (its secrets arrive already masked)."""
        return {"name": name, **form_values(spec)}


class ImportConfigForm(forms.Form):
    file = forms.FileField(
        label="Configuration file",
        required=False,
        help_text="claude_desktop_config.json, .cursor/mcp.json, .vscode/mcp.json, "
        "a VS Code settings.json, or a file this inspector exported.",
    )
    text = forms.CharField(
        label="Or paste JSON",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text='A whole file, a map like {"name": {"command": "…"}}, or one server object.',
    )
    replace = forms.BooleanField(label="Replace servers with the same name", required=False)

    def clean_file(self) -> str:
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        if upload.size is not None and upload.size > CONFIG_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {CONFIG_UPLOAD_MAX_BYTES // 1000} kB; "
                "a configuration file is much smaller."
            )
        try:
            # utf-8-sig: editors on Windows save JSON with a byte order mark.
            return bytes(upload.read()).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("The file is not UTF-8 text.") from exc

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        assert data is not None
        if not self.errors and not data.get("file") and not data.get("text", "").strip():
            raise forms.ValidationError("Choose a file or paste its JSON.")
        return data

    def config_text(self) -> str:
        """The upload when there is one, else the pasted text."""
        return str(self.cleaned_data["file"] or self.cleaned_data["text"])


class ExportConfigForm(forms.Form):
    server = forms.IntegerField(required=False, min_value=1)
    include_secrets = forms.BooleanField(label="Include secrets", required=False)
