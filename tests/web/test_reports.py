"""Report cards in the browser's pages: "Check this server" on a session and on a saved
server runs the doctor in the background, in a session of its own; the report opens on a
permalink with a verdict, what to fix, each check's evidence linked to its event, a
comparison with the previous report, and downloads."""

from __future__ import annotations

import html
import json
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import pytest
from django.test import AsyncClient

from inspector import services
from inspector.services import runtime
from tests.conftest import REPO_ROOT
from tests.web.support import connect, page

pytestmark = pytest.mark.django_db(transaction=True)

FAULTS = "-m tests.servers.doctor_faults faults"
PLAIN = "-m tests.servers.doctor_faults plain"
REPORT_URL = re.compile(r"^/reports/([0-9a-f]{32})/$")


async def start_check(client: AsyncClient, url: str) -> str:
    """Press a "Check this server" button; the report's id, from where it leads."""
    response = await client.post(url)
    assert response.status_code == 302, response.content.decode()[:2000]
    match = REPORT_URL.match(response["Location"])
    assert match, response["Location"]
    return match.group(1)


async def finished(client: AsyncClient, report_id: str) -> str:
    await runtime.doctor_runs().wait(report_id)
    return await page(client, f"/reports/{report_id}/")


def evidence_links(text: str, check_id: str) -> list[str]:
    """The event links of one check on the report page (its own list item)."""
    item = re.search(
        rf'<li[^>]*aria-label="{re.escape(check_id)}: [^"]*"[^>]*>(.*?)</li>', text, re.S
    )
    assert item, f"no check {check_id} on the page"
    return re.findall(r'href="(/sessions/[0-9a-f]{32}/events/\d+/)"', item.group(1))


def mcp_config(arguments: str, name: str = "faulty") -> str:
    return json.dumps(
        {
            "mcpServers": {
                name: {"command": sys.executable, "args": arguments.split(), "cwd": str(REPO_ROOT)}
            }
        }
    )


async def saved_server(client: AsyncClient, arguments: str) -> int:
    response = await client.post("/servers/import", {"text": mcp_config(arguments)})
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    servers = (await client.get("/servers.json")).json()["servers"]
    return int(servers[0]["id"])


async def point_at(server_id: int, arguments: str) -> None:
    """The saved server's settings change (as its Edit form would change them)."""
    named = await services.saved_server_masked(server_id=server_id, owner_id=None)
    await services.saved_server_update(
        server_id=server_id,
        name=named.name,
        spec=replace(named.spec, args=tuple(arguments.split())),
        owner_id=None,
    )


async def test_a_check_from_a_session_finds_the_faults_and_leaves_the_session_alone(
    client: AsyncClient,
) -> None:
    session_id = await connect(client, arguments=FAULTS)
    session_page = await page(client, f"/sessions/{session_id}/")
    assert "Check this server" in session_page
    assert "This session is not touched" in session_page
    before = await services.session_get(session_id=session_id)

    report_id = await start_check(client, f"/sessions/{session_id}/check")
    text = await finished(client, report_id)

    assert 'Verdict: <span id="report-verdict">Needs fixing</span>' in text
    to_fix = text[text.index('id="report-to-fix"') : text.index('id="report-changes"')]
    # Each failure says what to fix, in words for someone who does not know the protocol.
    assert "remove text addressed to the model rather than describing the tool" in to_fix
    assert "first report of this server" in text
    # Each section's counts are in the summary at the top.
    assert re.search(r'id="summary-connection".*?count-fail', text, re.S)
    # A failure's evidence leads to the event that proves it: the banner on stdout.
    links = evidence_links(text, "connection.stdio.stdout")
    assert links
    event_page = await page(client, links[0])
    assert "doctor-faults v0 ready" in event_page
    # The checks ran in a session of their own; the person's is as it was.
    after = await services.session_get(session_id=session_id)
    assert after.connected
    assert after.last_seq == before.last_seq
    assert f"/sessions/{session_id}/" not in links[0]
    # The session's page lists the report.
    assert f'href="/reports/{report_id}/"' in await page(client, f"/sessions/{session_id}/")


async def test_a_clean_server_gets_no_failure(client: AsyncClient) -> None:
    session_id = await connect(client, arguments=PLAIN)
    report_id = await start_check(client, f"/sessions/{session_id}/check")
    text = await finished(client, report_id)
    totals = re.search(r'id="report-totals"><strong>(\d+)</strong> failed', text)
    assert totals is not None
    assert totals.group(1) == "0", text[:3000]
    assert "Needs fixing" not in text
    assert "doctor-plain" in text


async def test_the_page_follows_a_running_check_and_a_stopped_one_says_so(
    client: AsyncClient,
) -> None:
    session_id = await connect(client, arguments="-m tests.servers.doctor_faults hang")
    report_id = await start_check(client, f"/sessions/{session_id}/check")

    running = await page(client, f"/reports/{report_id}/progress")
    assert "Checking the server…" in running
    assert 'hx-trigger="every 1s"' in running
    assert "Run the checks again" not in await page(client, f"/reports/{report_id}/")

    await services.session_close_all()
    stopped = await page(client, f"/reports/{report_id}/")
    assert "Stopped: the inspector shut down before the checks ended." in stopped
    assert 'hx-trigger="every 1s"' not in stopped
    done = await client.get(f"/reports/{report_id}/progress", headers={"hx-request": "true"})
    assert done["HX-Refresh"] == "true"


async def test_a_saved_server_is_checked_again_and_compared_with_its_last_report(
    client: AsyncClient,
) -> None:
    server_id = await saved_server(client, PLAIN)
    assert f'action="/servers/{server_id}/check"' in await page(client, "/")
    first = await start_check(client, f"/servers/{server_id}/check")
    assert "first report of this saved server" in await finished(client, first)

    await point_at(server_id, FAULTS)
    worse = await start_check(client, f"/servers/{server_id}/check")
    text = await finished(client, worse)
    assert f'href="/reports/{first}/" id="previous-report"' in text
    worse_part = text[text.index('id="changes-worse"') :]
    worse_part = worse_part[: worse_part.index("</div>")]
    assert "connection.stdio.stdout" in worse_part
    assert "pass</span> → <span" in worse_part

    # Run again from the report: the saved server's settings as they are now.
    await point_at(server_id, PLAIN)
    better = await start_check(client, f"/reports/{worse}/again")
    text = await finished(client, better)
    assert f'href="/reports/{worse}/" id="previous-report"' in text
    better_part = text[text.index('id="changes-better"') :]
    better_part = better_part[: better_part.index("</div>")]
    assert "connection.stdio.stdout" in better_part
    assert 'id="changes-worse"' not in text

    home = await page(client, "/")
    listed = home[home.index(f'id="saved-server-{server_id}-reports"') :]
    listed = listed[: listed.index("</p>")]
    assert [f"/reports/{better}/", f"/reports/{worse}/", f"/reports/{first}/"] == re.findall(
        r'href="(/reports/[0-9a-f]{32}/)"', listed
    )


async def test_the_report_downloads_as_json_junit_and_markdown(client: AsyncClient) -> None:
    session_id = await connect(client, arguments=FAULTS)
    report_id = await start_check(client, f"/sessions/{session_id}/check")
    await finished(client, report_id)

    as_json = await client.get(f"/reports/{report_id}/download/json")
    assert as_json["Content-Disposition"].endswith('.json"')
    document: dict[str, Any] = json.loads(as_json.content)
    assert document["format"] == "inspector-doctor/1"
    assert document["verdict"] == "fail"
    failed = [
        check["id"]
        for section in document["sections"]
        for check in section["checks"]
        if check["status"] == "fail"
    ]
    assert "connection.stdio.stdout" in failed

    junit = ET.fromstring((await client.get(f"/reports/{report_id}/download/junit")).content)
    assert junit.tag == "testsuites"
    assert int(junit.get("failures", "0")) == len(failed)

    markdown = (await client.get(f"/reports/{report_id}/download/markdown")).content.decode()
    assert markdown.startswith("# Report card:")
    assert "connection.stdio.stdout" in markdown

    assert (await client.get(f"/reports/{report_id}/download/pdf")).status_code == 404


async def test_a_check_that_cannot_start_says_why(client: AsyncClient, settings: Any) -> None:
    session_id = await connect(client, arguments=PLAIN)
    runtime.registry().max_sessions = 1
    response = await client.post(f"/sessions/{session_id}/check")
    assert response.status_code == 409
    assert "the limit is 1" in html.unescape(response.content.decode())
    assert await services.report_list_for_session(session_id=session_id, owner_id=None) == []


async def test_an_unknown_report_is_not_found(client: AsyncClient) -> None:
    for path in ("", "progress", "download/json"):
        assert (await client.get(f"/reports/{'0' * 32}/{path}")).status_code == 404
    assert (await client.post(f"/reports/{'0' * 32}/again")).status_code == 404


async def test_a_tool_named_like_one_of_another_connected_server_is_reported(
    client: AsyncClient,
) -> None:
    # Two versions of one weather server: both have `forecast` and `alerts`.
    other_id = await connect(client, arguments="-m tests.servers.surface_server v2")
    await client.get(f"/sessions/{other_id}/list/tools")  # its catalog: the first page
    session_id = await connect(client, arguments="-m tests.servers.surface_server v1")
    report_id = await start_check(client, f"/sessions/{session_id}/check")
    text = html.unescape(await finished(client, report_id))
    assert "forecast (also on" in text
    as_json = await client.get(f"/reports/{report_id}/download/json")
    document: dict[str, Any] = json.loads(as_json.content)
    shadowing = next(
        check
        for section in document["sections"]
        for check in section["checks"]
        if check["id"] == "security.shadowing"
    )
    assert shadowing["status"] == "fail"
    assert sorted(shadowing["detail"]["clashes"]) == ["alerts", "forecast"]
    assert shadowing["evidence"]


async def test_shadowing_is_skipped_when_no_other_server_lists_tools(client: AsyncClient) -> None:
    session_id = await connect(client, arguments="-m tests.servers.surface_server v1")
    # The examined session's own listing is its server's, not another's.
    await client.get(f"/sessions/{session_id}/list/tools")
    report_id = await start_check(client, f"/sessions/{session_id}/check")
    text = html.unescape(await finished(client, report_id))
    assert "No other connected server lists tools" in text
