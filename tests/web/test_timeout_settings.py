"""Per-connection timeouts: set on the connect form (and a saved server, and a config
file), validated, carried into the session, shown on its page; and a request that runs
out of time says which limit it hit, in the words of its transport."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from django.test import AsyncClient

from inspector import services
from inspector.mcp.versions import EraChoice
from inspector.services import runtime
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.status import SessionStatus
from tests.conftest import fixture_spec
from tests.servers.http_harness import RunningServer
from tests.web.support import connect, connect_form, import_text, listed

pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"hx-request": "true"}


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


def spec_of(session_id: str) -> ConnectionSpec:
    session = runtime.registry().get(session_id)
    assert session is not None
    return session.spec


async def test_the_connect_form_carries_the_timeouts_into_the_session(
    client: AsyncClient,
) -> None:
    # An unticked checkbox is absent from the POST: progress does not reset the timeout.
    session_id = await connect(client, request_timeout="5", max_total_timeout="20")
    spec = spec_of(session_id)
    assert (spec.request_timeout, spec.max_total_timeout) == (5, 20)
    assert spec.reset_timeout_on_progress is False
    page = page_text(await client.get(f"/sessions/{session_id}/"))
    assert "request 5 s, not restarted by progress; connect 30 s" in page

    session_id = await connect(
        client, request_timeout="5", max_total_timeout="20", reset_timeout_on_progress="on"
    )
    assert spec_of(session_id).reset_timeout_on_progress is True
    page = page_text(await client.get(f"/sessions/{session_id}/"))
    assert (
        "request 5 s, restarted by each progress notification; at most 20 s in all; connect 30 s"
    ) in page
    json_spec = (await client.get(f"/sessions/{session_id}.json")).json()["session"]["spec"]
    assert json_spec["max_total_timeout"] == 20


async def test_the_home_page_offers_the_timeout_fields(client: AsyncClient) -> None:
    page = page_text(await client.get("/"))
    assert "Progress notifications reset the request timeout" in page
    assert 'name="reset_timeout_on_progress" id="id_reset_timeout_on_progress" checked' in page
    assert "Maximum total time per request (seconds)" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"request_timeout": "60", "max_total_timeout": "30"},
            "The maximum total time must be at least the request timeout (60 s).",
        ),
        ({"request_timeout": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"max_total_timeout": "100000"}, "Ensure this value is less than or equal to 86400."),
        ({"connect_timeout": "3600"}, "Ensure this value is less than or equal to 600."),
    ],
)
async def test_timeouts_are_validated(
    client: AsyncClient, fields: dict[str, str], message: str
) -> None:
    response = await client.post("/connect", connect_form(**fields), headers=HTMX)
    assert response.status_code == 422
    assert message in page_text(response)
    assert await services.session_list(owner_id=None) == []


async def test_a_saved_server_keeps_its_timeouts_through_export_and_import(
    client: AsyncClient,
) -> None:
    fields = connect_form(
        save_as="patient", request_timeout="120", max_total_timeout="3600"
    )  # reset unticked
    assert (await client.post("/servers/save", fields)).status_code == 302
    saved = (await listed(client))["patient"]
    edit = page_text(await client.get(f"/servers/{saved['id']}/edit"))
    assert 'name="request_timeout" value="120.0"' in edit
    assert 'name="max_total_timeout" value="3600.0"' in edit
    assert 'name="reset_timeout_on_progress" id="id_reset_timeout_on_progress">' in edit

    exported = (await client.post("/servers/export", {"server": saved["id"]})).content
    entry = json.loads(exported)["mcpServers"]["patient"]
    assert entry["inspector"] == {  # the era is left out: legacy is the default
        "requestTimeout": 120,
        "maxTotalTimeout": 3600,
        "resetTimeoutOnProgress": False,
    }
    document = {"mcpServers": {"copy": entry}}
    outcome = await import_text(client, json.dumps(document))
    assert outcome.status_code == 200
    copy = (await listed(client))["copy"]
    response = await client.post(f"/servers/{copy['id']}/connect")
    assert response.status_code == 302, page_text(response)[:2000]
    (session,) = await services.session_list(owner_id=None)
    spec = spec_of(session.id)
    assert (spec.request_timeout, spec.max_total_timeout) == (120, 3600)
    assert spec.reset_timeout_on_progress is False


async def test_a_config_file_cannot_cap_a_request_below_its_timeout(client: AsyncClient) -> None:
    entry = {"command": "x", "inspector": {"requestTimeout": 90, "maxTotalTimeout": 60}}
    response = await import_text(client, json.dumps({"mcpServers": {"short": entry}}))
    assert '"inspector.maxTotalTimeout" (60 s) must be at least the request timeout (90 s)' in (
        page_text(response)
    )
    # Without a maximum, a long request timeout raises the default cap with it.
    entry = {"command": "x", "inspector": {"requestTimeout": 900}}
    await import_text(client, json.dumps({"mcpServers": {"long": entry}}))
    long = (await listed(client))["long"]
    edit = page_text(await client.get(f"/servers/{long['id']}/edit"))
    assert 'name="max_total_timeout" value="900.0"' in edit


# -- which limit a request hit ----------------------------------------------------------


async def call_slow_tool(client: AsyncClient, **options: object) -> str:
    snapshot = await services.session_connect(spec=fixture_spec("tools_server", **options))
    assert snapshot.status is SessionStatus.CONNECTED, snapshot.error
    await client.get(f"/sessions/{snapshot.id}/list/tools")
    form = {"tool": "slow", "arg/steps": "20"}
    response = await client.post(f"/sessions/{snapshot.id}/tools/call", form)
    return page_text(response)


async def test_a_request_timeout_is_named_and_progress_that_did_not_reset_it(
    client: AsyncClient,
) -> None:
    page = await call_slow_tool(client, request_timeout=1.0, reset_timeout_on_progress=False)
    assert "Timed out (request timeout)" in page
    assert (
        "No response within the request timeout of 1 s "
        "(progress does not reset it on this connection)."
    ) in page
    assert "sent notifications/cancelled" in page


async def test_the_maximum_total_is_named_when_progress_kept_a_request_alive(
    client: AsyncClient,
) -> None:
    page = await call_slow_tool(client, request_timeout=1.0, max_total_timeout=1.5)
    assert "Timed out (maximum total time)" in page
    assert (
        "No response within the maximum total time of 1.5 s, "
        "although the server was reporting progress."
    ) in page


async def test_an_http_request_timeout_is_not_described_as_stdio(
    client: AsyncClient, mcp_http_server: RunningServer
) -> None:
    # The request timeout is below the connect timeout, and the JSON flavour keeps the
    # POST unanswered until the result: the POST itself runs out of time.
    spec = ConnectionSpec(
        TransportKind.HTTP,
        url=mcp_http_server.url("/json/mcp"),
        connect_timeout=30,
        request_timeout=1.0,
        era=EraChoice.LEGACY,
    )
    snapshot = await services.session_connect(spec=spec)
    assert snapshot.status is SessionStatus.CONNECTED, snapshot.error
    await client.get(f"/sessions/{snapshot.id}/list/tools")
    form = {"tool": "wait", "source": "json", "arguments_json": '{"seconds": 3}'}
    page = page_text(await client.post(f"/sessions/{snapshot.id}/tools/call", form))
    assert "Timed out (request timeout)" in page
    assert (
        "No response within the request timeout of 1 s: the server had not answered the HTTP POST."
        in page
    )
    assert "not reading its input" not in page
