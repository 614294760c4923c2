"""The MCP Apps sandbox listener: only the proxy page and its script, only for loopback
Host names, with the policy built from the View's declaration (checked again here)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from inspector.sandbox import SandboxApp, by_port

HOST = "http://127.0.0.1:6280"


async def get(path: str, query: str = "", host: bytes = b"127.0.0.1:7000") -> dict[str, Any]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"host", host)],
        "server": ("127.0.0.1", 7000),
    }
    await SandboxApp()(scope, receive, send)
    headers = {name.decode(): value.decode() for name, value in sent[0]["headers"]}
    return {"status": sent[0]["status"], "headers": headers, "body": sent[1]["body"]}


async def test_the_page_gets_the_views_policy_and_only_its_host_may_frame_it() -> None:
    query = urlencode({"host": HOST, "csp": json.dumps({"connectDomains": ["https://a.example"]})})
    page = await get("/sandbox/", query)
    assert page["status"] == 200
    policy = page["headers"]["content-security-policy"]
    assert "connect-src https://a.example" in policy
    assert f"frame-ancestors {HOST}" in policy
    assert b"proxy.js" in page["body"]


async def test_the_script_is_served_and_nothing_else() -> None:
    script = await get("/sandbox/proxy.js")
    assert script["status"] == 200
    assert b"sandbox-proxy-ready" in script["body"]
    assert (await get("/"))["status"] == 404
    assert (await get("/static/inspector/js/apps-host.js"))["status"] == 404


async def test_a_foreign_host_or_a_query_the_inspector_never_writes_is_refused() -> None:
    query = urlencode({"host": HOST})
    assert (await get("/sandbox/", query, host=b"evil.example:7000"))["status"] == 403
    assert (await get("/sandbox/", urlencode({"host": "https://evil.example"})))["status"] == 400
    assert (await get("/sandbox/", urlencode({"host": HOST, "csp": "{"})))["status"] == 400


async def test_requests_are_split_by_the_port_they_reached() -> None:
    reached: list[str] = []

    def app(name: str) -> Any:
        async def handle(scope: Any, receive: Any, send: Any) -> None:
            reached.append(name)

        return handle

    both = by_port(app("main"), app("sandbox"), 7000)
    await both({"type": "http", "server": ("127.0.0.1", 7000)}, None, None)  # type: ignore[arg-type]
    await both({"type": "http", "server": ("127.0.0.1", 6280)}, None, None)  # type: ignore[arg-type]
    assert reached == ["sandbox", "main"]


async def test_a_bind_beyond_loopback_serves_the_names_it_was_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INSPECTOR_ALLOWED_HOSTS", "box.lan")
    query = urlencode({"host": "http://box.lan:6280"})
    assert (await get("/sandbox/", query, host=b"box.lan:7000"))["status"] == 200
    assert (await get("/sandbox/", query, host=b"other.lan:7000"))["status"] == 403
