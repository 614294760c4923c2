"""The connect form, and its parsing of arguments, environment and headers."""

from __future__ import annotations

import shlex
from typing import Any
from urllib.parse import urlsplit

from django import forms

from inspector.forms.fields import (
    client_credentials_problem,
    client_id_field,
    client_secret_field,
    grant_type_field,
    scope_field,
)
from inspector.services import (
    AUTHORIZATION_CODE,
    DEFAULT_VERSION,
    KNOWN_VERSIONS,
    ConnectionSpec,
    Era,
    EraChoice,
    OAuthSettings,
    TransportKind,
    era_of,
    stdio_command_allowed,
)
from inspector.services.saved_servers import NAME_MAX_LENGTH

_DEFAULTS = ConnectionSpec(TransportKind.STDIO)
# A connection that takes minutes is broken; a request may run for a day (a long job
# that reports progress), but not for ever.
MAX_CONNECT_TIMEOUT = 600
MAX_REQUEST_SECONDS = 86_400

# The form's groups. A transport shows only its own fields (static/inspector/js/connect.js
# hides the other group; without JavaScript every group shows). The settings few people
# change sit in a collapsed "Advanced" group.
STDIO_FIELDS = ("command", "arguments", "environment", "cwd")
HTTP_FIELDS = (
    "url",
    "headers",
    "bearer_token",
    "oauth_grant_type",
    "oauth_client_id",
    "oauth_client_secret",
    "oauth_scope",
)
ADVANCED_FIELDS = (
    "era",
    "protocol_version",
    "connect_timeout",
    "request_timeout",
    "reset_timeout_on_progress",
    "max_total_timeout",
    "approval_timeout",
    "sampling_tools",
)
_GROUPED = frozenset((*STDIO_FIELDS, *HTTP_FIELDS, *ADVANCED_FIELDS))


def _whole(seconds: float) -> float | int:
    """30 rather than 30.0 in an empty form."""
    return int(seconds) if float(seconds).is_integer() else seconds


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
    bearer_token = forms.CharField(
        label="Bearer token",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="A static access token, sent as Authorization: Bearer … on every request "
        "(stored encrypted, shown masked). Leave empty to authorize with OAuth instead.",
    )
    oauth_grant_type = grant_type_field(
        "OAuth grant type",
        required=False,
        help_text="How the Auth tab obtains a token when the server requires one.",
    )
    oauth_client_id = client_id_field("OAuth client ID")
    oauth_client_secret = client_secret_field("OAuth client secret")
    oauth_scope = scope_field("OAuth scope")
    era = forms.ChoiceField(
        label="Protocol era",
        choices=[(choice.value, choice.label) for choice in EraChoice],
        # The handshake every released SDK speaks (see the README on why not auto); a saved
        # server keeps what it was saved with.
        initial=EraChoice.LEGACY.value,
        required=False,
        help_text="Auto-detect asks server/discover first and falls back to the initialize "
        "handshake if the server does not speak the 2026-07-28 era (servers on older SDKs "
        "may log a warning about the unknown method).",
    )
    protocol_version = forms.ChoiceField(
        label="Protocol version",
        choices=[(version, version) for version in reversed(KNOWN_VERSIONS)],
        initial=DEFAULT_VERSION,
        help_text="The version offered in initialize (legacy era); the modern era always "
        "speaks 2026-07-28.",
    )
    connect_timeout = forms.FloatField(
        label="Connect timeout (seconds)",
        min_value=1,
        max_value=MAX_CONNECT_TIMEOUT,
        initial=_whole(_DEFAULTS.connect_timeout),
    )
    request_timeout = forms.FloatField(
        label="Request timeout (seconds)",
        min_value=1,
        max_value=MAX_REQUEST_SECONDS,
        initial=_whole(_DEFAULTS.request_timeout),
        help_text="How long to wait for a response before cancelling the request.",
    )
    reset_timeout_on_progress = forms.BooleanField(
        label="Progress notifications reset the request timeout",
        required=False,
        initial=_DEFAULTS.reset_timeout_on_progress,
    )
    max_total_timeout = forms.FloatField(
        label="Maximum total time per request (seconds)",
        required=False,
        min_value=1,
        max_value=MAX_REQUEST_SECONDS,
        initial=_whole(_DEFAULTS.max_total_timeout),
        help_text="The cap on a request's time even while it reports progress.",
    )
    approval_timeout = forms.FloatField(
        label="Inbox timeout (seconds)",
        required=False,
        min_value=5,
        max_value=MAX_REQUEST_SECONDS,
        initial=_whole(_DEFAULTS.approval_timeout),
        help_text="How long a server's sampling, elicitation or roots request waits for "
        "someone to answer it in the inbox.",
    )
    sampling_tools = forms.BooleanField(
        label="Offer tools in sampling",
        required=False,
        help_text="Declare sampling.tools (2025-11-25): the server may then send tools, and "
        "tool_use and tool_result blocks, in its sampling requests.",
    )
    save_as = forms.CharField(
        label="Save as",
        required=False,
        max_length=NAME_MAX_LENGTH,
        help_text="A name to keep these settings under Saved servers (secrets encrypted).",
    )

    def general_fields(self) -> list[forms.BoundField]:
        """The fields in no group that come first: the transport (and a saved server's name)."""
        return [self[name] for name in self.fields if name not in _GROUPED | {"save_as"}]

    def closing_fields(self) -> list[forms.BoundField]:
        """ "Save as", after every setting it saves."""
        return [self[name] for name in ("save_as",) if name in self.fields]

    def stdio_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in STDIO_FIELDS]

    def http_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in HTTP_FIELDS]

    def advanced_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ADVANCED_FIELDS]

    def advanced_open(self) -> bool:
        """Whether the Advanced group opens by itself: one of its fields has an error, or a
        value other than the default (sent, or given as the form's initial values)."""
        for name in ADVANCED_FIELDS:
            field = self.fields[name]
            if self.is_bound:
                if name in self.errors or field.has_changed(field.initial, self[name].data):
                    return True
            elif field.has_changed(field.initial, self.get_initial_for_field(field, name)):
                return True
        return False

    def clean_arguments(self) -> list[str]:
        try:
            return shlex.split(self.cleaned_data["arguments"])
        except ValueError as exc:
            raise forms.ValidationError(f"The arguments cannot be split: {exc}.") from exc

    def clean_environment(self) -> dict[str, str]:
        return parse_pairs(self.cleaned_data["environment"], "=", "the environment")

    def clean_headers(self) -> dict[str, str]:
        return parse_pairs(self.cleaned_data["headers"], ":", "the headers")

    def clean_bearer_token(self) -> str:
        token = str(self.cleaned_data["bearer_token"]).strip()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        if any(char.isspace() for char in token):
            raise forms.ValidationError("A bearer token is one word, without spaces.")
        return token

    def clean_era(self) -> EraChoice:
        # Left out (a page from before eras existed): what a connection does by default.
        value = self.cleaned_data.get("era")
        return EraChoice(value) if value else _DEFAULTS.era

    def clean_max_total_timeout(self) -> float:
        # Left empty (or not sent by an older page): the default cap.
        value = self.cleaned_data.get("max_total_timeout")
        return _DEFAULTS.max_total_timeout if value is None else float(value)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        assert data is not None
        transport = data.get("transport")
        # The other transport's fields are hidden and unused: what is left in them must
        # not stop the connection.
        hidden = HTTP_FIELDS if transport == TransportKind.STDIO else STDIO_FIELDS
        for name in hidden:
            self.errors.pop(name, None)
        command = data.get("command", "").strip()
        if transport == TransportKind.STDIO and not command:
            self.add_error("command", "A stdio server needs a command to run.")
        elif transport == TransportKind.STDIO and not stdio_command_allowed(command=command):
            self.add_error(
                "command",
                "This hosted inspector runs only the stdio commands its operator allowed.",
            )
        if transport in (TransportKind.HTTP, TransportKind.SSE):
            url = data.get("url", "").strip()
            parts = urlsplit(url)
            if parts.scheme not in {"http", "https"} or not parts.netloc:
                self.add_error("url", "Give the server's http:// or https:// URL.")
            headers = data.get("headers") or {}
            if data.get("bearer_token") and any(n.lower() == "authorization" for n in headers):
                self.add_error(
                    "bearer_token",
                    "The headers already have an Authorization header: give the token in "
                    "one place only.",
                )
        if transport != TransportKind.STDIO and (
            problem := client_credentials_problem(
                data.get("oauth_grant_type"),
                data.get("oauth_client_id"),
                data.get("oauth_client_secret"),
            )
        ):
            self.add_error("oauth_grant_type", problem)
        era, version = data.get("era"), data.get("protocol_version")
        if era is EraChoice.LEGACY and version and era_of(version) is Era.MODERN:
            self.add_error(
                "protocol_version",
                f"{version} has no initialize handshake: choose a legacy version, or the "
                "modern era (or auto-detect).",
            )
        request_timeout = data.get("request_timeout")
        max_total = data.get("max_total_timeout")
        if request_timeout is not None and max_total is not None and max_total < request_timeout:
            self.add_error(
                "max_total_timeout",
                f"The maximum total time must be at least the request timeout "
                f"({request_timeout:g} s).",
            )
        return data

    def to_spec(self) -> ConnectionSpec:
        data = self.cleaned_data
        transport = TransportKind(data["transport"])
        common = {
            "era": data["era"],
            "protocol_version": data["protocol_version"],
            "connect_timeout": data["connect_timeout"],
            "request_timeout": data["request_timeout"],
            "approval_timeout": data["approval_timeout"] or _DEFAULTS.approval_timeout,
            "sampling_tools": data["sampling_tools"],
            "reset_timeout_on_progress": data["reset_timeout_on_progress"],
            "max_total_timeout": data["max_total_timeout"],
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
        return ConnectionSpec(
            transport,
            url=data["url"].strip(),
            headers=data["headers"],
            bearer_token=data["bearer_token"],
            oauth=self._oauth_settings(),
            **common,
        )

    def _oauth_settings(self) -> OAuthSettings | None:
        """The OAuth client settings, or None when they are all the defaults."""
        data = self.cleaned_data
        settings = OAuthSettings(
            grant_type=data["oauth_grant_type"] or AUTHORIZATION_CODE,
            client_id=data["oauth_client_id"].strip(),
            client_secret=data["oauth_client_secret"].strip(),
            scope=" ".join(data["oauth_scope"].split()),
        )
        return None if settings == OAuthSettings() else settings


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


def oauth_fields(settings: OAuthSettings | None) -> dict[str, str]:
    shown = settings or OAuthSettings()
    return {
        "grant_type": shown.grant_type,
        "client_id": shown.client_id,
        "client_secret": shown.client_secret,
        "scope": shown.scope,
    }
