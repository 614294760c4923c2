"""The services' door: read models, owners, and what a page may know of a session."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest

from inspector import services
from inspector.models import Workspace
from inspector.services import runtime
from inspector.services.hosting import forwarded_names
from tests.conftest import fixture_spec

pytestmark = pytest.mark.django_db(transaction=True)


async def test_session_owned_hides_another_owners_session() -> None:
    snapshot = await services.session_connect(spec=fixture_spec("everything_py"), owner_id=7)
    assert snapshot.resident
    assert snapshot.status is services.SessionStatus.CONNECTED
    found = await services.session_owned(session_id=snapshot.id, owner_id=7)
    assert found.id == snapshot.id
    with pytest.raises(services.SessionNotFound):
        await services.session_owned(session_id=snapshot.id, owner_id=8)
    assert await services.session_list(owner_id=8) == []


async def test_a_session_no_longer_held_is_only_recorded() -> None:
    snapshot = await services.session_connect(spec=fixture_spec("everything_py"))
    await runtime.registry().close_all()
    runtime.registry.cache_clear()  # as after a restart of the inspector
    recorded = await services.session_get(session_id=snapshot.id)
    assert not recorded.resident
    assert not recorded.can_reconnect
    assert recorded.status is services.SessionStatus.CLOSED


async def test_consent_get_is_a_copy_that_changes_only_through_the_services() -> None:
    snapshot = await services.session_connect(spec=fixture_spec("everything_py"))
    consent = await services.consent_get(session_id=snapshot.id)
    with pytest.raises(dataclasses.FrozenInstanceError):
        consent.roots = ()  # type: ignore[misc]
    await services.root_add(session_id=snapshot.id, location="/srv/data", name="data")
    assert consent.roots == (), "what a caller already holds does not change under it"
    (root,) = (await services.consent_get(session_id=snapshot.id)).roots
    assert root.uri == "file:///srv/data"
    with pytest.raises(services.UnknownSwitch):
        await services.switch_set(session_id=snapshot.id, name="no_such_switch", on=True)


async def test_the_copied_command_line_leaves_secrets_out() -> None:
    spec = dataclasses.replace(fixture_spec("everything_py"), env={"API_TOKEN": "s3cr3t"})
    snapshot = await services.session_connect(spec=spec)
    command = await services.tool_call_command(
        session_id=snapshot.id, name="echo", arguments={"message": "hi"}
    )
    assert '"API_TOKEN=${API_TOKEN}"' in command
    assert "s3cr3t" not in command
    assert "--tool-name echo --tool-arg message=hi" in command
    assert "s3cr3t" not in str(snapshot.spec)


async def test_tool_call_builds_the_request_and_catalog_item_get_finds_the_tool() -> None:
    snapshot = await services.session_connect(spec=fixture_spec("everything_py"))
    with pytest.raises(services.CatalogItemNotFound):
        await services.catalog_item_get(
            session_id=snapshot.id, listing=services.Listing.TOOLS, key="echo"
        )
    call, page = await services.listing_page(
        session_id=snapshot.id, listing=services.Listing.TOOLS, cursor=None, call_key="list-1"
    )
    assert call.error is None
    assert page is not None
    tool = await services.catalog_item_get(
        session_id=snapshot.id, listing=services.Listing.TOOLS, key="echo"
    )
    assert tool["name"] == "echo"
    called = await services.tool_call(
        session_id=snapshot.id, name="echo", arguments={"message": "hi"}, call_key="call-1"
    )
    assert called.error is None
    assert called.result is not None
    sent = await services.event_get(session_id=snapshot.id, seq=called.request_seq or 0)
    params = sent.payload["params"]
    assert (params["name"], params["arguments"]) == ("echo", {"message": "hi"})
    assert params["_meta"]["progressToken"] == "call-1", "the call key is its progress token"


def test_the_services_take_keyword_arguments_only() -> None:
    for name in services.__all__:
        function = getattr(services, name)
        if not inspect.iscoroutinefunction(function):
            continue
        for parameter in inspect.signature(function).parameters.values():
            assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, f"{name}({parameter.name})"


async def test_hosted_no_session_starts_a_stdio_command_the_operator_did_not_allow(
    settings: Any,
) -> None:
    """The connect form checks the allow-list, and so does the service every path ends in
    (a session host takes its specs from the channel layer, not from a form)."""
    settings.LOCAL_MODE = False
    settings.INSPECTOR_STDIO_ALLOWLIST = []
    with pytest.raises(services.StdioNotAllowed):
        await services.session_connect(spec=fixture_spec("everything_py"))
    assert runtime.registry().all() == []

    settings.INSPECTOR_STDIO_ALLOWLIST = [fixture_spec("everything_py").command]
    allowed = await services.session_connect(spec=fixture_spec("everything_py"))
    assert allowed.status is services.SessionStatus.CONNECTED


async def test_a_sessions_owner_is_read_from_its_record_never_from_its_host() -> None:
    """Every request naming a session asks who owns it: with sessions on session hosts,
    that must not be a trip to the host."""
    team = await Workspace.objects.acreate(name="Platform")
    snapshot = await services.session_connect(spec=fixture_spec("everything_py"), owner_id=team.pk)
    assert await services.session_owner(session_id=snapshot.id) == team.pk
    await runtime.registry().close_all()
    runtime.registry.cache_clear()  # held elsewhere now, as far as this process knows
    assert await services.session_owner(session_id=snapshot.id) == team.pk
    with pytest.raises(services.SessionNotFound):
        await services.session_owner(session_id="0" * 32)
    forwarded = forwarded_names(vars(services))
    assert "session_owner" not in forwarded
    assert "session_get" in forwarded
