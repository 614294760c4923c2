"""Load tests from a session's page: started from the form, run in the background in a
session of their own, and shown with their figures and the latency chart."""

from __future__ import annotations

import html
import re

import pytest
from django.test import AsyncClient

from inspector import services
from inspector.services.runtime import doctor_runs
from tests.web.support import connect

pytestmark = pytest.mark.django_db(transaction=True)


async def page_of(client: AsyncClient, url: str) -> str:
    return html.unescape((await client.get(url)).content.decode())


async def started(client: AsyncClient, session_id: str, **fields: str) -> str:
    form = {"tool": "add", "arguments": '{"a": 2, "b": 3}', "concurrency": "3",
            "duration": "1", **fields}  # fmt: skip
    response = await client.post(f"/sessions/{session_id}/load/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(rf"/sessions/{session_id}/load/([0-9a-f]{{32}})/", response["Location"])
    assert match
    return match.group(1)


async def test_a_load_test_runs_and_shows_its_figures_and_chart(client: AsyncClient) -> None:
    session_id = await connect(client)
    page = html.unescape((await client.get(f"/sessions/{session_id}/")).content.decode())
    assert f'href="/sessions/{session_id}/load/" id="load-test-link"' in page
    form = (await client.get(f"/sessions/{session_id}/load/")).content.decode()
    assert '<datalist id="load-tools">' in form
    load_id = await started(client, session_id)
    running = (await client.get(f"/sessions/{session_id}/load/{load_id}/")).content.decode()
    assert "Running…" in running
    await doctor_runs().wait(load_id)
    done = html.unescape(
        (await client.get(f"/sessions/{session_id}/load/{load_id}/")).content.decode()
    )
    requests = re.search(r'id="load-requests">(\d+) in', done)
    assert requests
    assert int(requests.group(1)) > 0
    assert "(error rate 0.0)" in done
    assert re.search(r'id="load-latency">p50 [\d.]+ ms · p90', done)
    assert '<svg class="load-chart" role="img"' in done
    assert '<polyline class="p50" points="' in done
    result = await client.get(f"/sessions/{session_id}/load/{load_id}/result.json")
    assert result.json()["format"] == "inspector-load/1"
    assert result.json()["max_in_flight"] <= 3
    back = html.unescape((await client.get(f"/sessions/{session_id}/")).content.decode())
    assert f'href="/sessions/{session_id}/load/{load_id}/">add' in back
    progress = await client.get(f"/sessions/{session_id}/load/{load_id}/progress")
    assert progress.status_code == 204
    assert progress["HX-Refresh"] == "true"


async def test_errors_are_counted_and_a_missing_tool_is_said(client: AsyncClient) -> None:
    session_id = await connect(client)
    load_id = await started(client, session_id, tool="no_such_tool")
    await doctor_runs().wait(load_id)
    page = html.unescape(
        (await client.get(f"/sessions/{session_id}/load/{load_id}/")).content.decode()
    )
    assert 'id="load-error"' in page
    assert "no_such_tool" in page


async def test_a_bad_form_starts_nothing(client: AsyncClient) -> None:
    session_id = await connect(client)
    response = await client.post(
        f"/sessions/{session_id}/load/",
        {"tool": "add", "arguments": "[1]", "concurrency": "0", "duration": "1"},
    )
    assert response.status_code == 422
    body = html.unescape(response.content.decode())
    assert "The arguments are a JSON object ({...})." in body
    assert "Ensure this value is greater than or equal to 1." in body
    assert await services.load_test_list(session_id=session_id) == []
    missing = await client.get(f"/sessions/{session_id}/load/{'0' * 32}/")
    assert missing.status_code == 404
