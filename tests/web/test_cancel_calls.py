"""Every call a page makes can be watched and cancelled: a resource read and a prompt get
carry the page's key as their progress token, Cancel sends notifications/cancelled, and
the result says "Cancelled" plainly."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Awaitable
from typing import Any

import pytest
from django.test import AsyncClient

from inspector import services
from inspector.mcp.client.types import InFlight
from inspector.mcp.trace import MessageType
from inspector.services import runtime
from inspector.sessions.status import SessionStatus
from tests.conftest import fixture_spec
from tests.web.support import beside

pytestmark = pytest.mark.django_db(transaction=True)

PROGRESS_URI = "fixture://slow/progress"


async def open_session() -> str:
    snapshot = await services.session_connect(spec=fixture_spec("resources_server"))
    assert snapshot.status is SessionStatus.CONNECTED, snapshot.error
    return snapshot.id


async def progressing(session_id: str, method: str) -> InFlight:
    """The request once the server has reported progress on it."""
    session = runtime.registry().get(session_id)
    assert session is not None
    for _ in range(250):
        for request in session.in_flight():
            if request.method == method and request.progress_updates:
                return request
        await asyncio.sleep(0.02)
    raise AssertionError(f"no progress on {method}")


async def cancel_while_running(
    client: AsyncClient, session_id: str, method: str, page: Awaitable[Any], key: str
) -> str:
    running = beside(page)
    request = await progressing(session_id, method)
    assert request.progress_token == key, "the page's key is the progress token"
    assert request.progress_message.endswith("step 1")
    cancelled = await client.post(f"/sessions/{session_id}/calls/cancel", {"call_key": key})
    assert cancelled.status_code == 204
    response = await asyncio.wait_for(running, 10)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


async def sent_cancellations(session_id: str) -> list[dict[str, Any]]:
    events = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    return [
        e.payload["params"]
        for e in events
        if e.method == "notifications/cancelled" and e.message_type is MessageType.NOTIFICATION
    ]


async def test_a_resource_read_is_cancelled(client: AsyncClient) -> None:
    session_id = await open_session()
    key = "read0123456789ab"
    url = f"/sessions/{session_id}/resources/read?uri={PROGRESS_URI}&call_key={key}"
    page = await cancel_while_running(client, session_id, "resources/read", client.get(url), key)
    assert '<span class="status status-cancelled">Cancelled</span>' in page
    assert "<strong>Cancelled.</strong> Cancelled by the user." in page
    assert "marked “late” in the Protocol tab" in page
    (cancellation,) = await sent_cancellations(session_id)
    assert cancellation["reason"] == "Cancelled by the user."


async def test_a_prompt_get_is_cancelled(client: AsyncClient) -> None:
    session_id = await open_session()
    await client.get(f"/sessions/{session_id}/list/prompts")
    detail = html.unescape(
        (await client.get(f"/sessions/{session_id}/prompts/detail?name=slow")).content.decode()
    )
    # The form is a call: it shows its progress and offers Cancel while it runs.
    assert "data-call data-call-form" in detail
    assert 'class="cancel-call"' in detail
    key = "prompt0123456789"
    get = client.post(f"/sessions/{session_id}/prompts/get", {"prompt": "slow", "call_key": key})
    page = await cancel_while_running(client, session_id, "prompts/get", get, key)
    assert '<span class="status status-cancelled">Cancelled</span>' in page
    assert "<strong>Cancelled.</strong> Cancelled by the user." in page
    assert len(await sent_cancellations(session_id)) == 1


async def test_reads_from_every_entry_point_are_calls(client: AsyncClient) -> None:
    """The detail's read, Refresh and Read again, and the template form all carry a
    progress box with Cancel, and start as calls."""
    session_id = await open_session()
    await client.get(f"/sessions/{session_id}/list/resources")
    await client.get(f"/sessions/{session_id}/list/templates")
    detail = (
        await client.get(f"/sessions/{session_id}/resources/detail?uri=fixture://text/plain")
    ).content.decode()
    assert 'hx-trigger="load" hx-swap="outerHTML" data-call>' in detail
    assert "Reading…" in detail
    read = (
        await client.get(f"/sessions/{session_id}/resources/read?uri=fixture://text/plain")
    ).content.decode()
    assert read.count('data-call hx-indicator="next .call-progress"') == 2
    assert read.count('class="cancel-call"') == 2
    template = (
        await client.get(
            f"/sessions/{session_id}/resources/template?uriTemplate=fixture://items/{{category}}/{{id}}"
        )
    ).content.decode()
    assert "data-call data-call-form" in template
    assert 'class="cancel-call"' in template


async def test_a_late_answer_is_marked_in_the_protocol_tab(client: AsyncClient) -> None:
    # This server answers after 0.5 s whatever it was told in between.
    snapshot = await services.session_connect(spec=fixture_spec("broken_stdio", "slow=0.5"))
    session_id = snapshot.id
    call = asyncio.ensure_future(
        services.tool_call(session_id=session_id, name="x", arguments={}, call_key="late-call-1")
    )
    await asyncio.sleep(0.1)
    cancelled = await client.post(
        f"/sessions/{session_id}/calls/cancel", {"call_key": "late-call-1"}
    )
    assert cancelled.status_code == 204
    outcome = await call
    page = ""
    for _ in range(50):
        page = html.unescape((await client.get(f"/sessions/{session_id}/")).content.decode())
        if "late:" in page:
            break
        await asyncio.sleep(0.05)
    assert (
        f"result of tools/call (id 2), late: ignored, the request #{outcome.request_seq} "
        "was already cancelled"
    ) in page
    assert '<code class="finding-rule">client.late-response</code>' in page
    # The request's own row keeps the outcome the person saw.
    assert re.search(rf'id="outcome-{outcome.request_seq}">cancelled', page)
