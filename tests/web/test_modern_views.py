"""Every tab against a server of the 2026-07-28 era (`tests/servers/modern_everything.py`, over
stdio and Streamable HTTP): what the era removed is not offered, what replaced it is used,
and what it added (caching hints, excluded tools, rounds of input) is shown."""

from __future__ import annotations

import asyncio
import html
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import AsyncClient

from inspector import services
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent
from inspector.mcp.versions import EraChoice
from inspector.presenters.signals import event_signals
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.status import SessionStatus
from tests.conftest import fixture_spec
from tests.servers.http_harness import RunningServer, run_server
from tests.web.support import (
    answer_url,
    beside,
    form_fields,
    start_tool,
    text_reply,
    tool_text,
    waiting,
)

pytestmark = pytest.mark.django_db(transaction=True)

MODERN_SERVER = Path(__file__).resolve().parents[1] / "servers" / "modern_everything.py"


@pytest.fixture(scope="module")
def modern_http() -> Iterator[RunningServer]:
    with run_server("modern_everything.py") as server:
        yield server


def stdio_spec() -> ConnectionSpec:
    return ConnectionSpec(
        TransportKind.STDIO,
        command=sys.executable,
        args=(str(MODERN_SERVER),),
        era=EraChoice.MODERN,
    )


async def open_session(spec: ConnectionSpec) -> str:
    snapshot = await services.session_connect(spec=spec)
    assert snapshot.status is SessionStatus.CONNECTED, snapshot.error
    return snapshot.id


def http_spec(server: RunningServer) -> ConnectionSpec:
    return ConnectionSpec(TransportKind.HTTP, url=server.url("/mcp"), era=EraChoice.AUTO)


def body(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


async def get(client: AsyncClient, url: str, data: dict[str, Any] | None = None) -> str:
    response = await (client.post(url, data) if data is not None else client.get(url))
    assert response.status_code == 200, response.content.decode()[:2000]
    return body(response)


async def sent(session_id: str, method: str) -> list[dict[str, Any]]:
    events = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    return [
        event.payload
        for event in events
        if event.method == method and event.message_type is MessageType.REQUEST
    ]


# Tools -----------------------------------------------------------------------------------


async def test_tools_with_an_invalid_header_are_excluded_and_say_why(
    client: AsyncClient, modern_http: RunningServer
) -> None:
    session_id = await open_session(http_spec(modern_http))
    listing = await get(client, f"/sessions/{session_id}/list/tools")
    assert 'aria-label="Tool regional_greeting"' in listing
    assert 'aria-label="Tool bad_header"' not in listing
    excluded = re.search(
        r'<ul class="excluded-items" aria-label="Excluded tools">(.*?)</ul>', listing, re.S
    )
    assert excluded, listing[:3000]
    assert (
        '<span class="mono">bad_header</span> <span class="badge badge-warning">excluded</span>'
        in (excluded.group(1))
    )
    assert "'Bad Zone'" in excluded.group(1)
    assert "Cache hint: fresh for 60 s (ttlMs 60000); public: any cache may share it" in listing

    detail = await get(client, f"/sessions/{session_id}/tools/detail?name=regional_greeting")
    assert (
        "Sent as HTTP headers too (x-mcp-header): <code>region</code> as "
        "<code>Mcp-Param-Region</code>"
    ) in detail
    form = {
        "tool": "regional_greeting",
        "source": "json",
        "arguments_json": json.dumps({"region": "eu-west", "name": "Ada"}),
    }
    result = await get(client, f"/sessions/{session_id}/tools/call", form)
    assert "Hello Ada, from eu-west (header Mcp-Param-Region: eu-west)" in result


# Resources and prompts ---------------------------------------------------------------------


async def test_lists_and_reads_show_their_cache_hints(
    client: AsyncClient, modern_http: RunningServer
) -> None:
    session_id = await open_session(http_spec(modern_http))
    resources = await get(client, f"/sessions/{session_id}/list/resources")
    assert "Cache hint: fresh for 30 s (ttlMs 30000); public: any cache may share it" in resources
    templates = await get(client, f"/sessions/{session_id}/list/templates")
    assert "Cache hint: fresh for 5 min (ttlMs 300000)" in templates
    read = await get(client, f"/sessions/{session_id}/resources/read?uri=modern://hello")
    assert "Hello from the modern era." in read
    assert "Cache hint: fresh for 5 s (ttlMs 5000); private: for this user only" in read

    await get(client, f"/sessions/{session_id}/list/prompts")
    got = await get(
        client,
        f"/sessions/{session_id}/prompts/get",
        {"prompt": "greet", "prompt-arg/name": "Ada", "prompt-arg/style": "formal"},
    )
    assert "Say hello to Ada in a formal way." in got


async def test_subscribing_listens_and_the_update_arrives(client: AsyncClient) -> None:
    session_id = await open_session(stdio_spec())
    panel = await get(client, f"/sessions/{session_id}/resources/")
    assert ">Subscriptions</h2>" in panel, "the modern server offers updates through listen"
    first = await get(client, f"/sessions/{session_id}/resources/read?uri=modern://counter")
    assert "count: 0" in first
    assert ">Subscribe</button>" in first

    subscribed = await get(
        client, f"/sessions/{session_id}/resources/subscribe", {"uri": "modern://counter"}
    )
    assert ">Unsubscribe</button>" in subscribed
    assert '<span class="badge badge-info">listening</span>' in subscribed
    ack = re.search(
        r'<pre class="json" aria-label="Acknowledged notifications">(.*?)</pre>', subscribed, re.S
    )
    assert ack, subscribed[:3000]
    assert json.loads(ack.group(1))["resourceSubscriptions"] == ["modern://counter"]
    assert await sent(session_id, "resources/subscribe") == [], "the modern era has none"
    # The first stream (opened on connect) asked for list changes only; it was replaced.
    *_, listen = await sent(session_id, "subscriptions/listen")
    assert listen["params"]["notifications"]["resourceSubscriptions"] == ["modern://counter"]

    # The server changes the counter half a second after the subscription.
    updates: list[Any] = []
    for _ in range(100):
        events = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
        updates = [e for e in events if e.method == "notifications/resources/updated"]
        if updates:
            break
        await asyncio.sleep(0.05)
    [update] = updates
    assert update.payload["params"]["uri"] == "modern://counter"
    again = await get(client, f"/sessions/{session_id}/resources/read?uri=modern://counter")
    assert "count: 1" in again

    unsubscribed = await get(
        client, f"/sessions/{session_id}/resources/unsubscribe", {"uri": "modern://counter"}
    )
    assert ">Subscribe</button>" in unsubscribed
    assert await services.resource_subscription_list(session_id=session_id) == []
    reopened = await sent(session_id, "subscriptions/listen")
    assert "resourceSubscriptions" not in reopened[-1]["params"]["notifications"]


def test_a_notification_for_a_replaced_stream_changes_nothing_on_the_page() -> None:
    def changed(**detail: Any) -> TraceEvent:
        return TraceEvent(
            EventKind.MESSAGE,
            Direction.IN,
            message_type=MessageType.NOTIFICATION,
            method="notifications/tools/list_changed",
            payload={},
            detail=detail,
        )

    assert event_signals([changed()]) == [{"type": "list_changed", "listing": "tools"}]
    assert event_signals([changed(stale_subscription=1)]) == []


# The Server log ------------------------------------------------------------------------------


async def test_the_log_level_travels_in_each_requests_meta(client: AsyncClient) -> None:
    session_id = await open_session(stdio_spec())
    page = await get(client, f"/sessions/{session_id}/")
    assert '<label for="set-level">Log level asked for by each request</label>' in page
    assert '<option value="" selected>none (no log messages)</option>' in page
    assert ">Ping</button>" not in page

    await services.tool_call(
        session_id=session_id,
        name="log",
        arguments={"level": "error", "message": "unasked"},
        call_key="quiet",
    )
    url = f"/sessions/{session_id}/logging/level"
    assert "is not a log level" in await get(client, url, {"level": "loud"})
    said = await get(client, url, {"level": "warning"})
    assert "From the next request on, log messages at warning and above are asked for." in said
    for level in ("info", "warning"):
        arguments = {"level": level, "message": f"said at {level}"}
        await services.tool_call(
            session_id=session_id, name="log", arguments=arguments, call_key=level
        )
    calls = await sent(session_id, "tools/call")
    assert "io.modelcontextprotocol/logLevel" not in calls[0]["params"]["_meta"]
    assert calls[-1]["params"]["_meta"]["io.modelcontextprotocol/logLevel"] == "warning"
    assert await sent(session_id, "logging/setLevel") == [], "the modern era has none"
    events = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    logged = [e.payload["params"]["data"] for e in events if e.method == "notifications/message"]
    assert logged == ["said at warning"]
    page = await get(client, f"/sessions/{session_id}/")
    assert "<option selected>warning</option>" in page


# Input required: the inbox and the Protocol tab -----------------------------------------------


async def test_an_input_request_is_answered_in_the_inbox_and_the_call_goes_on(
    client: AsyncClient,
) -> None:
    session_id = await open_session(stdio_spec())
    running = start_tool(session_id, "ask_llm", question="Which colour?")
    approval = await waiting(session_id)
    inbox = await get(client, f"/sessions/{session_id}/inbox")
    assert "Which colour?" in inbox
    assert "You are a careful assistant." in inbox
    calls = await sent(session_id, "tools/call")
    origin = re.search(
        r'Input llm asked for by <a href="#event-(\d+)" data-show-event="\d+">'
        r'<span class="mono">tools/call ask_llm</span> \(event #\d+\)</a>, round 1',
        inbox,
    )
    assert origin, inbox[:4000]
    answered = await get(
        client,
        f"/sessions/{session_id}/inbox/{approval.id}/answer",
        text_reply("Blue.", "by-hand"),
    )
    assert "Approved by the local user." in answered
    assert tool_text(await running) == "assistant said 'Blue.' (model by-hand)"
    calls = await sent(session_id, "tools/call")
    assert len(calls) == 2, "the first round and the retry with the answer"
    retry = calls[1]["params"]
    assert retry["inputResponses"]["llm"]["content"] == {"type": "text", "text": "Blue."}
    assert retry["requestState"]

    page = await get(client, f"/sessions/{session_id}/")
    first = origin.group(1)
    rounds = re.findall(
        rf'<li class="event [^"]*round-of-request" id="event-(\d+)"[^>]* data-origin-seq="{first}"',
        page,
    )
    assert len(rounds) >= 3, "the input request, its answer and the retry"
    assert f"input llm, round 1 of #{first}" in page
    assert f"round 2 of #{first}" in page


# In flight, and the Client tab ----------------------------------------------------------------


async def test_a_call_in_flight_is_listed_and_cancelled(
    client: AsyncClient, modern_http: RunningServer
) -> None:
    session_id = await open_session(http_spec(modern_http))
    running = start_tool(session_id, "count", steps=20)
    page = ""
    for _ in range(250):
        page = await get(client, f"/sessions/{session_id}/inflight")
        if "tools/call count" in page:
            break
        await asyncio.sleep(0.02)
    row = re.search(
        r'<li class="inflight-row"[^>]*aria-label="(tools/call count \(id (\d+)\))"', page
    )
    assert row, page[:3000]
    cancelled = await get(
        client, f"/sessions/{session_id}/inflight/cancel", {"request_id": row.group(2)}
    )
    assert f"Cancelled {row.group(1)}." in cancelled
    outcome = await running
    assert outcome.error is not None
    # What stays in flight is the notification stream opened on connect.
    assert "tools/call count" not in await get(client, f"/sessions/{session_id}/inflight")


async def test_the_client_tabs_consent_mode_holds_a_modern_call(client: AsyncClient) -> None:
    session_id = await open_session(stdio_spec())
    await get(client, f"/sessions/{session_id}/list/tools")
    switch = {"switch": "confirm_tool_calls", "on": "true"}
    await get(client, f"/sessions/{session_id}/client/switch", switch)
    form = {"tool": "add", "source": "json", "arguments_json": '{"a": 40, "b": 2}'}
    call = beside(get(client, f"/sessions/{session_id}/tools/call", form))
    approval = await waiting(session_id)
    assert "Tool call awaiting confirmation" in await get(client, f"/sessions/{session_id}/inbox")
    assert await sent(session_id, "tools/call") == [], "held until confirmed"
    await get(client, answer_url(session_id, approval), {"decision": "approve"})
    assert "42" in await call
    [request] = await sent(session_id, "tools/call")
    assert request["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] == "2026-07-28"


# Tasks (the modern tasks extension) ---------------------------------------------------------


async def test_the_tasks_tab_follows_a_task_of_the_extension(client: AsyncClient) -> None:
    spec = fixture_spec("modern_tasks_server", era=EraChoice.MODERN, approval_timeout=30.0)
    session_id = await open_session(spec)
    page = await get(client, f"/sessions/{session_id}/")
    assert 'id="tab-tasks"' in page, "the server offers io.modelcontextprotocol/tasks"
    running = start_tool(session_id, "long_job", label="backup")
    approval = await waiting(session_id)
    tab = await get(client, f"/sessions/{session_id}/tasks/")
    assert "task-1" in tab
    raw = (await client.get(f"/sessions/{session_id}/inbox")).content.decode()
    assert "Go on with the job?" in raw
    fields = dict(form_fields(raw, "elicitation-answer"))
    fields[f"elicit-{approval.id[:12]}/go"] = "true"  # an optional boolean: not set, yet
    await get(client, answer_url(session_id, approval), {**fields, "decision": "accept"})
    assert tool_text(await running) == "backup done, go=True"
    tab = await get(client, f"/sessions/{session_id}/tasks/")
    assert "completed" in tab
    # The extension has no tasks/result: the outcome shown is the one the last state
    # carried, and nothing offers to fetch it.
    assert "backup done, go=True" in tab
    assert "Get result" not in tab
