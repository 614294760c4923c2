"""The findings of the message checks on the session page: the rows' badges and lists,
the header's totals, the filter, the Findings tab, the result panels and the marked JSON."""

from __future__ import annotations

import re

import pytest
from django.test import AsyncClient

from inspector import services
from inspector.mcp.findings import Finding, Severity
from inspector.mcp.judge.rules import RULES
from inspector.mcp.trace import Direction, EventKind, TraceEvent
from inspector.presenters import rule_groups
from inspector.presenters.signals import event_signals
from inspector.services import runtime
from inspector.views import findings as findings_views
from tests.conftest import fixture_spec
from tests.web.support import connect

pytestmark = pytest.mark.django_db(transaction=True)

BREAKER = "-m tests.servers.rule_breaker"


async def test_a_rule_breaking_row_has_a_badge_and_lists_its_findings(
    client: AsyncClient,
) -> None:
    session_id = await connect(client, arguments=f"{BREAKER} capabilities.list-changed")
    html = (await client.get(f"/sessions/{session_id}/")).content.decode()
    badge = re.search(
        r'<span class="badge badge-error findings-badge" id="findings-badge-(\d+)"[^>]*>'
        r'<span aria-hidden="true">1 error</span>'
        r'<span class="visually-hidden">1 finding, worst: error</span>',
        html,
    )
    assert badge, html
    row = html[html.index(f'id="event-{badge.group(1)}"') :]
    row = row[: row.index("</details>")]
    assert 'data-rule="capabilities.list-changed"' in row
    assert '<code class="finding-path">$' in row
    assert (
        'class="spec-link" href="https://modelcontextprotocol.io/specification/2025-11-25/' in row
    )
    assert re.search(rf'id="event-{badge.group(1)}"[^>]*data-findings="1"', html)
    assert '<input type="checkbox" id="filter-findings" name="findings"> With findings' in html


async def test_a_clean_server_shows_no_badge(client: AsyncClient) -> None:
    session_id = await connect(client)
    html = (await client.get(f"/sessions/{session_id}/")).content.decode()
    assert "initialize (id 1)" in html
    assert "findings-badge" not in html
    assert 'class="finding ' not in html
    assert 'data-findings="0"' in html
    assert not re.search(r'data-findings="[1-9]', html)


async def test_the_header_counts_the_sessions_findings(client: AsyncClient) -> None:
    session_id = await connect(client, arguments=f"{BREAKER} tools.name")
    html = (await client.get(f"/sessions/{session_id}/")).content.decode()
    assert 'id="findings-errors" data-count="0">0 errors</span>' in html
    session = runtime.registry().get(session_id)
    assert session is not None
    await session.request("tools/list", {})
    totals = (await client.get(f"/sessions/{session_id}/findings/totals")).content.decode()
    assert 'id="findings-warnings" data-count="1">1 warning</span>' in totals
    assert 'hx-trigger="inspector:findings from:body delay:300ms"' in totals


def test_a_push_with_findings_signals_them() -> None:
    flagged = TraceEvent(
        kind=EventKind.MESSAGE,
        direction=Direction.IN,
        findings=[Finding(rule="tools.name", message="bad", severity=Severity.WARNING)],
    )
    assert {"type": "findings"} in event_signals([flagged])
    assert {"type": "findings"} not in event_signals([TraceEvent(EventKind.MESSAGE, Direction.IN)])


async def test_the_findings_view_groups_the_session_by_rule(client: AsyncClient) -> None:
    session_id = await connect(client, arguments=f"{BREAKER} tools.name")
    session = runtime.registry().get(session_id)
    assert session is not None
    await session.request("tools/list", {})
    await session.request("tools/list", {})
    page = (await client.get(f"/sessions/{session_id}/")).content.decode()
    assert 'id="tab-findings"' in page
    assert 'href="#findings" data-tab="findings"' in page
    html = (await client.get(f"/sessions/{session_id}/findings/")).content.decode()
    group = html[html.index('<li class="rule-group" id="rule-tools.name"') :]
    assert '<span class="badge badge-warning">warning</span>' in group
    assert '<span class="rule-count">2 times</span>' in group
    assert RULES["tools.name"].sentence.replace("'", "&#x27;") in group
    assert 'href="https://modelcontextprotocol.io/specification/2025-11-25/server/tools"' in group
    links = re.findall(
        rf'<a href="/sessions/{session_id}/events/(\d+)/" data-show-event="\1">'
        r"#\1 result of tools/list",
        group,
    )
    assert len(links) == 2


async def test_a_clean_session_has_no_findings_to_show(client: AsyncClient) -> None:
    session_id = await connect(client)
    html = (await client.get(f"/sessions/{session_id}/findings/")).content.decode()
    assert 'id="findings-none"' in html
    assert "rule-group" not in html


async def test_a_tool_result_shows_the_findings_of_its_answer(client: AsyncClient) -> None:
    session_id = await connect(client, arguments=f"{BREAKER} content.base64")
    await client.get(f"/sessions/{session_id}/list/tools")
    html = (
        await client.post(f"/sessions/{session_id}/tools/call", {"tool": "probe"})
    ).content.decode()
    result = html[html.index('<article class="result') :]
    assert 'data-rule="content.base64"' in result
    assert '<code class="finding-path">$.result.content[0].data</code>' in result


async def test_a_clean_tool_result_shows_no_findings(client: AsyncClient) -> None:
    session_id = await connect(client, arguments=f"{BREAKER} capabilities.list-changed")
    await client.get(f"/sessions/{session_id}/list/tools")
    html = (
        await client.post(f"/sessions/{session_id}/tools/call", {"tool": "probe"})
    ).content.decode()
    assert 'class="findings"' not in html


async def test_resource_and_prompt_results_show_the_findings_of_their_answer(
    client: AsyncClient,
) -> None:
    snapshot = await services.session_connect(spec=fixture_spec("resources_server"))
    session_id = snapshot.id
    await client.get(f"/sessions/{session_id}/list/resources")
    await client.get(f"/sessions/{session_id}/list/prompts")
    read = (
        await client.get(f"/sessions/{session_id}/resources/read?uri=fixture%3A//malformed")
    ).content.decode()
    assert 'aria-label="Findings"' in read
    assert 'data-rule="shape.' in read
    fine = (
        await client.get(f"/sessions/{session_id}/resources/read?uri=fixture%3A//text/plain")
    ).content.decode()
    assert 'aria-label="Findings"' not in fine
    got = (
        await client.post(f"/sessions/{session_id}/prompts/get", {"prompt": "malformed"})
    ).content.decode()
    assert 'aria-label="Findings"' in got
    assert 'data-rule="shape.' in got


async def test_the_raw_json_of_a_row_marks_each_findings_path(client: AsyncClient) -> None:
    session_id = await connect(client, arguments=f"{BREAKER} tools.name")
    session = runtime.registry().get(session_id)
    assert session is not None
    await session.request("tools/list", {})
    html = (await client.get(f"/sessions/{session_id}/")).content.decode()
    marks = re.findall(r'<mark class="finding-mark" title="([^"]*)">([^<]*)</mark>', html)
    assert marks == [("tools.name", "        &quot;name&quot;: &quot;bad name!&quot;,")]
    # Rows without findings keep their plain body.
    assert html.count('<pre class="marked-json">') == 1


async def test_a_rule_broken_often_lists_every_event_a_page_at_a_time(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rule_groups, "SHOWN_OCCURRENCES", 2)
    monkeypatch.setattr(findings_views, "SHOWN_OCCURRENCES", 2)
    monkeypatch.setattr(rule_groups, "OCCURRENCES_PAGE", 2)
    session_id = await connect(client, arguments=f"{BREAKER} tools.name")
    session = runtime.registry().get(session_id)
    assert session is not None
    for _ in range(5):
        await session.request("tools/list", {})
    html = (await client.get(f"/sessions/{session_id}/findings/")).content.decode()
    more = f'hx-get="/sessions/{session_id}/findings/tools.name/?start=2"'
    assert more in html
    assert ">Show 3 more</button>" in html
    linked = set(re.findall(r'data-show-event="(\d+)"', html))
    pages = 0
    url = f"/sessions/{session_id}/findings/tools.name/?start=2"
    while url:
        part = (await client.get(url)).content.decode()
        linked |= set(re.findall(r'data-show-event="(\d+)"', part))
        follow = re.search(r'hx-get="([^"]+\?start=\d+)"', part)
        url = follow.group(1) if follow else ""
        pages += 1
    flagged = await services.flagged_event_list(session_id=session_id)
    assert linked == {str(event.seq) for event in flagged}
    assert len(linked) == 5
    assert pages == 2


async def test_an_event_has_a_page_of_its_own_with_its_pair(client: AsyncClient) -> None:
    session_id = await connect(client, arguments=f"{BREAKER} tools.name")
    session = runtime.registry().get(session_id)
    assert session is not None
    await session.request("tools/list", {})
    flagged = await services.flagged_event_list(session_id=session_id)
    answer = flagged[-1]
    assert answer.seq is not None
    assert answer.request_seq is not None
    html = (await client.get(f"/sessions/{session_id}/events/{answer.seq}/")).content.decode()
    assert f"Event #{answer.seq} of" in html
    focused = html[html.index(f'id="event-{answer.seq}"') - 200 :]
    assert '<li class="event focused' in focused
    assert "<details open>" in focused
    assert 'data-rule="tools.name"' in focused
    assert f'id="event-{answer.request_seq}"' in html, "the request it answers"
    assert f'href="/sessions/{session_id}/#event-{answer.seq}" id="open-in-session"' in html
    assert f'href="/sessions/{session_id}/events/{answer.seq - 1}/" rel="prev"' in html
    request = (
        await client.get(f"/sessions/{session_id}/events/{answer.request_seq}/")
    ).content.decode()
    assert f'id="event-{answer.seq}"' in request, "a request's page shows its answer"
    missing = await client.get(f"/sessions/{session_id}/events/99999/")
    assert missing.status_code == 404


async def test_a_jump_loads_every_row_between_an_earlier_event_and_the_first_shown(
    client: AsyncClient,
) -> None:
    session_id = await connect(client)
    session = runtime.registry().get(session_id)
    assert session is not None
    for _ in range(5):
        await session.request("ping", {})
    url = f"/sessions/{session_id}/events"
    part = (await client.get(f"{url}?before=9&from=3")).content.decode()
    shown = [int(seq) for seq in re.findall(r'<li class="event[^"]*"[^>]* data-seq="(\d+)"', part)]
    console = [
        int(seq) for seq in re.findall(r'class="console-line[^"]*"[^>]*data-seq="(\d+)"', part)
    ]
    assert sorted(shown + console) == list(range(3, 9))
    assert 'hx-get="/sessions/' + session_id + '/events?before=3"' in part
    for bad in ("before=9&from=9", "before=9&from=0", "before=5000&from=1"):
        assert (await client.get(f"{url}?{bad}")).status_code == 400, bad
