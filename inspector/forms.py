"""Forms: the connect form and its parsing of arguments, environment and headers."""

from __future__ import annotations

import shlex
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings

from inspector.mcp.versions import DEFAULT_VERSION, LEGACY_VERSIONS
from inspector.sessions.spec import ConnectionSpec, TransportKind


def parse_pairs(text: str, separator: str, what: str) -> dict[str, str]:
    """`NAME<sep>value` per line; blank lines and lines starting with # are skipped."""
    pairs: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, found, value = stripped.partition(separator)
        name = name.strip()
        if not found or not name:
            raise forms.ValidationError(
                f"Line {number} of {what} must look like NAME{separator}value: {stripped!r}"
            )
        pairs[name] = value.strip() if separator == ":" else value
    return pairs


class ConnectForm(forms.Form):
    transport = forms.ChoiceField(
        label="Transport",
        choices=[(kind.value, kind.label) for kind in TransportKind],
        initial=TransportKind.STDIO.value,
    )
    command = forms.CharField(label="Command", required=False)
    arguments = forms.CharField(
        label="Arguments",
        required=False,
        help_text="Split like a shell would: quote arguments that contain spaces.",
    )
    environment = forms.CharField(
        label="Environment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="One NAME=value per line. The inspector's own environment is not passed on.",
    )
    cwd = forms.CharField(label="Working directory", required=False)
    url = forms.CharField(label="URL", required=False)
    headers = forms.CharField(
        label="Headers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="One Name: value per line, sent on every request.",
    )
    protocol_version = forms.ChoiceField(
        label="Protocol version",
        choices=[(version, version) for version in reversed(LEGACY_VERSIONS)],
        initial=DEFAULT_VERSION,
    )
    connect_timeout = forms.FloatField(
        label="Connect timeout (seconds)", min_value=1, max_value=600, initial=30
    )
    request_timeout = forms.FloatField(
        label="Request timeout (seconds)", min_value=1, max_value=3600, initial=60
    )

    def clean_arguments(self) -> list[str]:
        try:
            return shlex.split(self.cleaned_data["arguments"])
        except ValueError as exc:
            raise forms.ValidationError(f"The arguments cannot be split: {exc}.") from exc

    def clean_environment(self) -> dict[str, str]:
        return parse_pairs(self.cleaned_data["environment"], "=", "the environment")

    def clean_headers(self) -> dict[str, str]:
        return parse_pairs(self.cleaned_data["headers"], ":", "the headers")

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        assert data is not None
        transport = data.get("transport")
        command = data.get("command", "").strip()
        if transport == TransportKind.STDIO and not command:
            self.add_error("command", "A stdio server needs a command to run.")
        elif transport == TransportKind.STDIO and not _stdio_allowed(command):
            self.add_error(
                "command",
                "This hosted inspector runs only the stdio commands its operator allowed.",
            )
        if transport in (TransportKind.HTTP, TransportKind.SSE):
            url = data.get("url", "").strip()
            parts = urlsplit(url)
            if parts.scheme not in {"http", "https"} or not parts.netloc:
                self.add_error("url", "Give the server's http:// or https:// URL.")
        return data

    def to_spec(self) -> ConnectionSpec:
        data = self.cleaned_data
        transport = TransportKind(data["transport"])
        common = {
            "protocol_version": data["protocol_version"],
            "connect_timeout": data["connect_timeout"],
            "request_timeout": data["request_timeout"],
        }
        if transport is TransportKind.STDIO:
            return ConnectionSpec(
                transport,
                command=data["command"].strip(),
                args=tuple(data["arguments"]),
                env=data["environment"],
                cwd=data["cwd"].strip() or None,
                **common,
            )
        return ConnectionSpec(transport, url=data["url"].strip(), headers=data["headers"], **common)


def _stdio_allowed(command: str) -> bool:
    """Locally a person runs their own commands; hosted, any user could run anything."""
    return settings.LOCAL_MODE or command in settings.INSPECTOR_STDIO_ALLOWLIST


def prefill(values: dict[str, Any]) -> dict[str, Any]:
    """Initial form values from `inspector URL` or `inspector -- COMMAND ARGS`."""
    initial: dict[str, Any] = {}
    if command := values.get("command"):
        initial.update(
            transport=TransportKind.STDIO.value,
            command=command,
            arguments=shlex.join(values.get("args", [])),
        )
    if url := values.get("url"):
        initial.update(transport=values.get("transport") or TransportKind.HTTP.value, url=url)
    return initial
