"""The Tasks tab and "Run as task" on the Tools tab, over the real task fixture server:
what a person sees of a task from its start to its result, its cancellation, the list
page by page, input required, and the signals that keep a page's rows fresh."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Awaitable, Callable

import pytest
from django.test import AsyncClient

from inspector import services
from inspector.mcp.trace import Direction, MessageType
from inspector.presenters.signals import event_signals
from inspector.services import runtime
from inspector.sessions.status import SessionStatus
from inspector.sessions.tracked_task import TrackedTask
from tests.conftest import fixture_spec

pytestmark = pytest.mark.django_db(transaction=True)


def body(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


async def open_session(client: AsyncClient, *args: str) -> str:
    snapshot = await services.session_connect(spec=fixture_spec("tasks_server", *args))
    assert snapshot.status is SessionStatus.CONNECTED, snapshot.error
    assert (await client.get(f"/sessions/{snapshot.id}/list/tools")).status_code == 200
    return snapshot.id


async def eventually(check: Callable[[], bool | Awaitable[bool]], timeout: float = 15.0) -> None:
    for _ in range(int(timeout / 0.05)):
        outcome = check()
        if await outcome if isinstance(outcome, Awaitable) else outcome:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {timeout:g} s")


async def run(client: AsyncClient, session_id: str, tool: str, **form: str) -> str:
    response = await client.post(f"/sessions/{session_id}/tools/call", {"tool": tool, **form})
    assert response.status_code == 200
    return body(response)


def only_task(session_id: str) -> TrackedTask:
    """The session's one task, live: the tests watch it change."""
    session = runtime.registry().get(session_id)
    assert session is not None
    (task,) = session.task_tracker.all()
    return task


async def row(client: AsyncClient, session_id: str, task: TrackedTask, **query: str) -> str:
    response = await client.get(
        f"/sessions/{session_id}/tasks/row", {"task": task.task_id, **query}
    )
    assert response.status_code == 200
    return body(response)


async def test_the_form_offers_a_task_only_where_the_tool_allows_it(client: AsyncClient) -> None:
    session_id = await open_session(client)
    detail = f"/sessions/{session_id}/tools/detail"
    optional = body(await client.get(detail, {"name": "brew"}))
    assert '<input type="checkbox" name="as_task" value="1"> Run as task' in optional
    required = body(await client.get(detail, {"name": "render_report"}))
    assert '<input type="hidden" name="as_task" value="1">' in required
    assert '<input type="checkbox" checked disabled> Run as task' in required
    assert "Run as task" not in body(await client.get(detail, {"name": "echo"}))


async def test_a_task_runs_from_the_tools_tab_to_its_result(client: AsyncClient) -> None:
    session_id = await open_session(client)
    started = await run(client, session_id, "brew", **{"arg/cups": "4", "as_task": "1"})
    assert "Running as a task" in started
    assert re.search(r'aria-label="Task status">working<', started)
    task = only_task(session_id)
    assert f'id="tool-task-{task.dom_key}" data-task-id="{task.task_id}"' in started
    panel = body(await client.get(f"/sessions/{session_id}/tasks/"))
    assert f'id="task-{task.dom_key}"' in panel
    await eventually(lambda: task.result is not None)
    done = await row(client, session_id, task)
    assert re.search(r'aria-label="Task status">completed<', done)
    assert "Brewed 4 cups at 92 °C." in done
    assert "structuredContent matches the outputSchema." in done, "shown as a tool result"
    assert 'class="finding-rule"' not in done, "a well-formed result draws no finding"
    assert "Cancel task" not in done
    assert "Send tasks/cancel anyway" in done
    fingerprint = re.search(r'data-task-fingerprint="(\w+)"', done)
    assert fingerprint is not None
    unchanged = await client.get(
        f"/sessions/{session_id}/tasks/row",
        {"task": task.task_id, "in": "tasks", "fingerprint": fingerprint[1]},
    )
    assert unchanged.status_code == 204, "the page already shows the task as it stands"


async def test_a_task_result_shows_the_findings_on_the_answer_that_carried_it(
    client: AsyncClient,
) -> None:
    session_id = await open_session(client, "--bad-results")
    await run(client, session_id, "brew", **{"arg/cups": "1", "as_task": "1"})
    task = only_task(session_id)
    await eventually(lambda: task.result is not None)
    done = await row(client, session_id, task)
    assert "Brewed 1 cups at 92 °C." in done
    assert '<code class="finding-rule">content.is-error</code>' in done


async def test_a_required_tool_runs_as_a_task_and_a_forbidden_one_never(
    client: AsyncClient,
) -> None:
    session_id = await open_session(client)
    assert "Running as a task" in await run(
        client, session_id, "render_report", **{"arg/title": "Q"}
    )
    plain = await run(client, session_id, "echo", **{"arg/message": "hi", "as_task": "1"})
    assert "Running as a task" not in plain
    assert "hi" in plain
    events = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    calls = [
        e.payload["params"]
        for e in events
        if e.method == "tools/call" and e.direction is Direction.OUT
    ]
    assert ["task" in params for params in calls] == [True, False]


async def test_cancel_then_cancel_again_is_refused_plainly(client: AsyncClient) -> None:
    session_id = await open_session(client)
    await run(client, session_id, "long_job", as_task="1")
    task = only_task(session_id)
    url = f"/sessions/{session_id}/tasks/cancel"
    cancelled = body(await client.post(url, {"task": task.task_id}))
    assert re.search(r'aria-label="Task status">cancelled<', cancelled)
    assert "Cancelled with <code>tasks/cancel</code>." in cancelled
    refused = body(await client.post(url, {"task": task.task_id}))
    assert (
        "The server refused to cancel: JSON-RPC error -32602: Cannot cancel task: it is already "
        "cancelled — the task had already ended (cancelled), and a task that has ended cannot "
        "be cancelled."
    ) in refused
    events = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    assert "notifications/cancelled" not in {event.method for event in events}


async def test_the_list_comes_page_by_page(client: AsyncClient) -> None:
    session_id = await open_session(client)
    for title in ("a", "b", "c"):
        await run(client, session_id, "render_report", **{"arg/title": title})
    panel = body(await client.get(f"/sessions/{session_id}/tasks/"))
    assert panel.count('class="task task-') == 3
    cursor = re.search(r'tasks/list\?cursor=([^"]+)"', panel)
    assert cursor is not None, "the server has a second page"
    more = body(await client.get(f"/sessions/{session_id}/tasks/list?cursor={cursor[1]}"))
    assert more.count('class="task task-') == 3
    assert "Load more" not in more
    events = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    listed = [
        e.payload["params"].get("cursor")
        for e in events
        if e.method == "tasks/list" and e.message_type is MessageType.REQUEST
    ]
    assert listed == [None, cursor[1]]
    bad = body(await client.get(f"/sessions/{session_id}/tasks/list?cursor=nonsense"))
    assert "Listing tasks failed:</strong> JSON-RPC error -32602: Invalid cursor" in bad
    assert "Try again" in bad


async def test_input_required_is_answered_in_the_inbox(client: AsyncClient) -> None:
    session_id = await open_session(client)
    await run(client, session_id, "confirm_order")
    task = only_task(session_id)
    await eventually(lambda: task.input_required)
    waiting = await row(client, session_id, task)
    assert 'Input required — answer it in the <a href="#inbox">inbox</a>.' in waiting
    assert "Waiting on <code>tasks/result</code>…" in waiting

    session = runtime.registry().get(session_id)
    assert session is not None
    inbox = session.consent.inbox
    await eventually(lambda: bool(inbox.pending()))
    (approval,) = inbox.pending()
    assert approval.related_task == task.task_id
    shown = body(await client.get(f"/sessions/{session_id}/inbox"))
    assert f"task {task.task_id}" in shown
    assert "Confirm the order of a bicycle?" in shown
    name_field = f"elicit-{approval.id[:12]}/name"
    answer = await client.post(
        f"/sessions/{session_id}/inbox/{approval.id}/answer",
        {"decision": "accept", name_field: "Grace"},
    )
    assert "Accepted by the local user." in body(answer)
    await eventually(lambda: task.result is not None)
    assert "Order of a bicycle confirmed by Grace." in await row(client, session_id, task)


async def test_pushes_signal_each_word_about_a_task(client: AsyncClient) -> None:
    session_id = await open_session(client, "--notify")
    await run(client, session_id, "render_report", **{"arg/title": "t"})
    task = only_task(session_id)
    await eventually(lambda: task.result is not None)
    signalled: dict[str, set[int]] = {}
    for event in await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000):
        for signal in event_signals([event]):
            if signal["type"] == "task_status":
                assert signal["task"] == task.task_id
                signalled.setdefault(event.method or "", set()).add(signal["seq"])
    assert {"tools/call", "tasks/get", "tasks/result"} <= set(signalled)
    assert signalled["tasks/result"] == {0}
    notified = signalled["notifications/tasks/status"]
    assert 0 not in notified, "a notification's seq goes to the page, to be handed back"


async def test_a_notification_the_page_saw_updates_the_row(client: AsyncClient) -> None:
    session_id = await open_session(client, "--notify", "--poll-ms", "30000")
    await run(client, session_id, "render_report", **{"arg/title": "t"})
    task = only_task(session_id)

    async def completed_notice() -> bool:
        events = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
        return any(
            e.method == "notifications/tasks/status"
            and e.payload["params"]["status"] == "completed"
            for e in events
        )

    await eventually(completed_notice)
    assert task.status == "working", "no poll yet at a 30 s interval"
    events = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    seq = next(
        e.seq
        for e in events
        if e.method == "notifications/tasks/status" and e.payload["params"]["status"] == "completed"
    )
    noted = await row(client, session_id, task, seq=str(seq))
    assert re.search(r'aria-label="Task status">completed<', noted)


async def test_the_tasks_tab_is_there_when_the_server_declares_tasks(client: AsyncClient) -> None:
    session_id = await open_session(client)
    page = body(await client.get(f"/sessions/{session_id}/"))
    assert 'id="tab-tasks"' in page
    other = await services.session_connect(spec=fixture_spec("everything_py"))
    assert 'id="tab-tasks"' not in body(await client.get(f"/sessions/{other.id}/"))


async def test_an_unknown_task_is_not_found(client: AsyncClient) -> None:
    session_id = await open_session(client)
    response = await client.get(f"/sessions/{session_id}/tasks/row", {"task": "nope"})
    assert response.status_code == 404
