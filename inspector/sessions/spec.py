"""What to connect to: a plain description of a connection, turned into a transport."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from inspector.mcp.auth.config import OAuthSettings
from inspector.mcp.client.types import ClientConfig
from inspector.mcp.masking import mask_headers, mask_token, mask_values
from inspector.mcp.timeouts import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_TOTAL_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT,
)
from inspector.mcp.transports.base import Transport
from inspector.mcp.transports.stdio import StdioParameters, StdioTransport
from inspector.mcp.versions import DEFAULT_VERSION, EraChoice

if TYPE_CHECKING:  # httpx stays unloaded for stdio connections
    from inspector.mcp.transports.http import HttpAuth

# Ten minutes: long enough for a person to read a sampling request and answer it.
DEFAULT_APPROVAL_TIMEOUT = 600.0


class TransportKind(StrEnum):
    STDIO = "stdio"
    HTTP = "http"
    SSE = "sse"

    @property
    def label(self) -> str:
        return {"stdio": "stdio", "http": "Streamable HTTP", "sse": "HTTP+SSE (legacy)"}[self.value]


@dataclass(frozen=True, slots=True)
class ConnectionSpec:
    transport: TransportKind
    command: str = ""
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    # A static access token, sent as `Authorization: Bearer …` on every HTTP request.
    bearer_token: str = field(default="", repr=False)
    protocol_version: str = DEFAULT_VERSION
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    max_total_timeout: float = DEFAULT_MAX_TOTAL_TIMEOUT
    reset_timeout_on_progress: bool = True
    # How long a server's request may wait in the inbox for a person's answer.
    approval_timeout: float = DEFAULT_APPROVAL_TIMEOUT
    # Declare `sampling.tools` (2025-11-25): the server may then offer tools in sampling.
    sampling_tools: bool = False
    # OAuth client settings for HTTP servers that require authorization; without them a
    # flow still works, with dynamic registration and the defaults.
    oauth: OAuthSettings | None = None
    # The era to speak: legacy unless chosen (see the README on why not auto). Auto
    # probes for a modern server and falls back to the legacy handshake (and, over HTTP,
    # on to HTTP+SSE). `protocol_version` is the version offered in that era; in auto
    # mode, the legacy one offered after falling back.
    era: EraChoice = EraChoice.LEGACY
    # Modern era: the log level every request asks for (None: no log messages).
    log_level: str | None = None
    # The saved server these settings came from, if any: its baseline surface is what
    # this connection's surface is compared with.
    saved_server: int | None = None

    @property
    def is_http(self) -> bool:
        return self.transport is not TransportKind.STDIO

    def build_transport(self, auth: HttpAuth | None = None) -> Transport:
        """The transport; `auth` authorizes the requests of the HTTP ones."""
        if self.transport is TransportKind.STDIO:
            return StdioTransport(StdioParameters(self.command, self.args, self.env, self.cwd))
        if self.transport is TransportKind.HTTP:
            from inspector.mcp.transports.streamable_http import StreamableHttpTransport

            return StreamableHttpTransport(
                self.url, headers=self.sent_headers(), timeout=self.connect_timeout, auth=auth
            )
        from inspector.mcp.transports.sse_legacy import LegacySseTransport

        return LegacySseTransport(
            self.url, headers=self.sent_headers(), timeout=self.connect_timeout, auth=auth
        )

    def sent_headers(self) -> dict[str, str]:
        """The custom headers and, with a static bearer token, its Authorization header
        (an Authorization header given explicitly wins: the headless CLI's `--header`)."""
        if not self.bearer_token or any(name.lower() == "authorization" for name in self.headers):
            return dict(self.headers)
        return {**self.headers, "Authorization": f"Bearer {self.bearer_token}"}

    def client_config(self) -> ClientConfig:
        return ClientConfig(
            protocol_version=self.protocol_version,
            connect_timeout=self.connect_timeout,
            request_timeout=self.request_timeout,
            max_total_timeout=self.max_total_timeout,
            reset_timeout_on_progress=self.reset_timeout_on_progress,
            era=self.era,
            log_level=self.log_level,
        )

    @property
    def target(self) -> str:
        """The command line or URL, for display."""
        if self.transport is TransportKind.STDIO:
            return StdioParameters(self.command, self.args).command_line()
        return self.url

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["transport"] = self.transport.value
        data["args"] = list(self.args)
        data["era"] = self.era.value
        return data

    def settings(self) -> dict[str, Any]:
        """The connection's settings that are neither its target nor secret (era, version,
        limits, consent), by the names the connect form and saved servers both use."""
        return {
            "era": self.era.value,
            "protocol_version": self.protocol_version,
            "connect_timeout": self.connect_timeout,
            "request_timeout": self.request_timeout,
            "max_total_timeout": self.max_total_timeout,
            "reset_timeout_on_progress": self.reset_timeout_on_progress,
            "approval_timeout": self.approval_timeout,
            "sampling_tools": self.sampling_tools,
        }

    def masked(self) -> dict[str, Any]:
        """The description with secret values masked, safe to show or export."""
        data = self.to_dict()
        data["env"] = mask_values(self.env)
        data["headers"] = mask_headers(self.headers)
        data["bearer_token"] = mask_token(self.bearer_token)
        if self.oauth is not None:
            data["oauth"] = self.oauth.masked()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConnectionSpec:
        values = dict(data)
        values["transport"] = TransportKind(values["transport"])
        values["args"] = tuple(values.get("args", ()))
        oauth = values.get("oauth")
        values["oauth"] = OAuthSettings.from_dict(oauth) if isinstance(oauth, dict) else None
        # Connections saved before eras could be chosen spoke the legacy handshake.
        values["era"] = EraChoice(values.get("era", EraChoice.LEGACY))
        return cls(**values)
