"""HTTP exchanges of an OAuth flow, kept for display with every secret masked.

The flow's requests go to authorization servers and metadata endpoints, not to the MCP
server, so they do not pass through a transport; each is recorded here instead, and the
flow puts the records into its steps (and so into the session's trace).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx

from inspector.mcp.masking import mask_headers, mask_secret
from inspector.mcp.timeouts import DEFAULT_CONNECT_TIMEOUT
from inspector.mcp.transports.http_wire import (
    ERROR_BODY_LIMIT,
    display_url,
    failure_layer,
    header_items,
    preview,
)

# OAuth parameters and JSON members whose values are credentials or one-time secrets.
SECRET_FIELDS = frozenset(
    {
        "client_secret",
        "code",
        "code_verifier",
        "access_token",
        "refresh_token",
        "id_token",
        "assertion",
        "client_assertion",
        "registration_access_token",
    }
)


def is_secret_field(name: str) -> bool:
    # Narrower than `masking.is_secret_name`: metadata such as `token_endpoint` or
    # `token_type` must stay readable.
    return name in SECRET_FIELDS or name.endswith(("_token", "_secret", "password"))


def mask_field(name: str, value: str) -> str:
    if is_secret_field(name):
        return mask_secret(value)
    return value


def mask_form(body: str) -> str:
    """An `application/x-www-form-urlencoded` body with its secret values masked."""
    pairs = parse_qsl(body, keep_blank_values=True)
    return urlencode([(name, mask_field(name, value)) for name, value in pairs], safe="•")


def mask_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: mask_field(key, item) if isinstance(item, str) else mask_json(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_json(item) for item in value]
    return value


def mask_query(params: Mapping[str, str]) -> dict[str, str]:
    return {name: mask_field(name, value) for name, value in params.items()}


# Secret members in text that does not parse (a body cut at the read limit, a body
# with the wrong content type): `"name": "value` in JSON, `name=value` in a form.
_JSON_MEMBER = re.compile(r'"(?P<name>[A-Za-z0-9_]+)"\s*:\s*"(?P<value>(?:[^"\\]|\\.)*)')
_FORM_FIELD = re.compile(r"(?P<name>(?<![A-Za-z0-9_])[A-Za-z0-9_]+)=(?P<value>[^&\s\"'?]*)")


def _mask_match(match: re.Match[str]) -> str:
    name, value = match["name"], match["value"]
    shown = mask_field(name, value) if is_secret_field(name) else value
    return match.group(0)[: match.start("value") - match.start()] + shown


def mask_text(text: str) -> str:
    """Any text with the values of secret-named JSON members and form fields masked."""
    return _FORM_FIELD.sub(_mask_match, _JSON_MEMBER.sub(_mask_match, text))


def mask_body(text: str, content_type: str) -> str:
    """A request or response body with its secrets masked, whatever shape it is in."""
    kind = content_type.partition(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        return mask_form(text)
    if kind == "application/json" or kind.endswith("+json") or text.lstrip().startswith("{"):
        try:
            return json.dumps(mask_json(json.loads(text)), indent=None)
        except (ValueError, RecursionError):
            pass
    return mask_text(text)


@dataclass(slots=True)
class HttpRecord:
    """One request and its response (or the failure), masked, ready to display."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None = None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str | None = None
    error: str | None = None
    duration_ms: float = 0.0

    def summary(self) -> str:
        outcome = f"{self.status}" if self.status is not None else f"failed: {self.error}"
        return f"{self.method} {self.url} → {outcome}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "request_headers": self.request_headers,
            "request_body": self.request_body,
            "status": self.status,
            "response_headers": self.response_headers,
            "response_body": self.response_body,
            "error": self.error,
            "duration_ms": self.duration_ms,
        }


@dataclass(slots=True)
class Fetched:
    """A response read whole (bounded), with its record; `response` is None on failure."""

    record: HttpRecord
    response: httpx.Response | None
    text: str = ""

    @property
    def status(self) -> int | None:
        return self.response.status_code if self.response is not None else None

    @property
    def masked_text(self) -> str:
        """The body as read, secrets masked: what an error message may quote."""
        content_type = self.response.headers.get("content-type", "") if self.response else ""
        return mask_body(self.text, str(content_type))

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.text)
        except (ValueError, RecursionError):  # RecursionError: `[[[[…` nested too deep
            return None


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    data: Mapping[str, str] | None = None,
    json_body: Any = None,
    timeout: float = DEFAULT_CONNECT_TIMEOUT,
) -> Fetched:
    """Send one request without following redirects; never raises for HTTP failures."""
    content: bytes | None = None
    request_headers = httpx.Headers(headers or {})
    request_headers.setdefault("Accept", "application/json")
    if data is not None:
        content = urlencode(list(data.items())).encode()
        request_headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif json_body is not None:
        content = json.dumps(json_body).encode()
        request_headers["Content-Type"] = "application/json"
    try:
        request = client.build_request(
            method, url, headers=request_headers, content=content, timeout=timeout
        )
    except httpx.InvalidURL as exc:
        # A URL from a server's metadata; the flow reports it like any failed request.
        record = HttpRecord(method, display_url(url), {}, error=f"invalid URL: {exc}")
        return Fetched(record, None)
    record = HttpRecord(
        method=method,
        url=display_url(request.url),
        request_headers=mask_headers(header_items(request.headers)),
        request_body=mask_body(content.decode(), request_headers["Content-Type"])
        if content is not None
        else None,
    )
    started = time.monotonic()
    try:
        # One deadline for the whole exchange (a body trickling in byte by byte keeps
        # every read within httpx's own timeouts), and a bounded body: callers hold
        # locks over these requests.
        async with asyncio.timeout(timeout):
            response = await client.send(request, stream=True, follow_redirects=False)
            try:
                body = await _read_capped(response)
            finally:
                await response.aclose()
    except (httpx.HTTPError, TimeoutError) as exc:
        if isinstance(exc, TimeoutError):
            exc = TimeoutError(f"no complete answer within {timeout:g} s")
        record.error = f"{failure_layer(exc).value}: {exc or type(exc).__name__}"
        record.duration_ms = round((time.monotonic() - started) * 1000, 3)
        return Fetched(record, None)
    record.duration_ms = round((time.monotonic() - started) * 1000, 3)
    text = body.decode(response.encoding or "utf-8", errors="replace")
    record.status = response.status_code
    record.response_headers = mask_headers(header_items(response.headers))
    record.response_body = preview(mask_body(text, str(response.headers.get("content-type", ""))))
    return Fetched(record, response, text)


async def _read_capped(response: httpx.Response) -> bytes:
    """At most ERROR_BODY_LIMIT bytes of the body; the rest is never read."""
    data = bytearray()
    async for chunk in response.aiter_bytes():
        data.extend(chunk)
        if len(data) >= ERROR_BODY_LIMIT:
            break
    return bytes(data[:ERROR_BODY_LIMIT])
