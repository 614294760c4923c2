"""What an OAuth flow tells its callers: what one step did, and the serialisable record
of an authorization awaiting its redirect (the names of its steps and states: `states`)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from inspector.mcp.auth.records import HttpRecord
from inspector.mcp.auth.states import StepName
from inspector.mcp.auth.tokens import ClientRegistration
from inspector.mcp.trace import EventKind, TraceEvent, local_event


@dataclass(slots=True)
class AuthStep:
    """What one step did: its HTTP exchanges (masked) and what it learned."""

    name: StepName
    ok: bool
    summary: str
    exchanges: list[HttpRecord] = field(default_factory=list)
    learned: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    timestamp: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name.value,
            "ok": self.ok,
            "summary": self.summary,
            "exchanges": [record.to_dict() for record in self.exchanges],
            "learned": self.learned,
            "error": self.error,
            "timestamp": self.timestamp,
        }

    def to_event(self) -> TraceEvent:
        status = "" if self.ok else "failed: "
        return local_event(
            EventKind.AUTH, f"OAuth {self.name.value}: {status}{self.summary}", step=self.to_dict()
        )


@dataclass(slots=True)
class PendingAuthorization:
    """Everything the callback needs, serialisable: the web layer binds it to the
    person's browser session by `state`, so only that browser can complete the flow."""

    state: str
    code_verifier: str = field(repr=False)
    authorization_url: str
    redirect_uri: str
    resource: str  # the `resource` value sent (RFC 8707)
    issuer: str
    token_endpoint: str
    client: ClientRegistration
    scope: str | None
    iss_parameter_supported: bool
    # The canonical URI of the MCP server the tokens are for (their key in the store).
    server_resource: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["client"] = self.client.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PendingAuthorization:
        values = dict(data)
        values["client"] = ClientRegistration.from_dict(values["client"])
        return cls(**values)
