"""The home page's Sessions card: it pages, searches (text, status, days) and deletes, with
and without htmx, and its JSON twin takes the same search; in hosted mode each user sees
and deletes only their own sessions."""

from __future__ import annotations

import re
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.test import AsyncClient

from inspector import services
from inspector.models import EventRecord, SessionRecord, Workspace
from tests.web.support import HTMX, LOGIN_REQUIRED, OWNER_CHECK, connect, signed_in, text_of

pytestmark = pytest.mark.django_db(transaction=True)

START = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def record(
    name: str,
    *,
    day: int = 0,
    status: str = "closed",
    target: str = "",
    events: int = 3,
    owner: Any = None,
) -> str:
    """A session as the store keeps it once ended: its record and its events."""
    session_id = uuid.uuid4().hex
    SessionRecord.objects.create(
        id=session_id,
        owner=owner,
        created_at=START + timedelta(days=day, minutes=len(name)),
        transport="stdio",
        target=target or f"python -m {name}",
        spec={},
        status=status,
        server={"server_info": {"name": name, "version": "1"}},
    )
    EventRecord.objects.bulk_create(
        EventRecord(
            session_id=session_id, seq=seq, timestamp=0.0, kind="message", direction="out",
            data={"seq": seq},
        )
        for seq in range(1, events + 1)
    )  # fmt: skip
    return session_id


async def stored(name: str, **fields: Any) -> str:
    return str(await sync_to_async(record)(name, **fields))


def names_on(page: str) -> list[str]:
    return re.findall(r'id="session-[0-9a-f]{32}-name">([^<]+)</a>', page)


async def json_of(client: AsyncClient, **query: str) -> dict[str, Any]:
    response = await client.get("/sessions.json", query)
    return dict(response.json())


@pytest.fixture
def thirty() -> list[str]:
    """Thirty ended sessions, one a day: server-00 is the oldest."""
    return [record(f"server-{day:02}", day=day) for day in range(30)]


async def test_the_list_pages_by_25_newest_first_and_counts(
    client: AsyncClient, thirty: list[str]
) -> None:
    first = text_of(await client.get("/"))
    assert names_on(first) == [f"server-{day:02}" for day in range(29, 4, -1)]
    assert "Sessions 1\u201325 of 30." in first
    assert "Page 1 of 2" in first
    assert 'rel="next"' in first
    assert 'rel="prev"' not in first

    second = text_of(await client.get("/", {"page": "2"}))
    assert names_on(second) == [f"server-{day:02}" for day in range(4, -1, -1)]
    assert "Sessions 26\u201330 of 30." in second
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second
    # A page past the last shows the last.
    assert names_on(text_of(await client.get("/", {"page": "9"}))) == names_on(second)


async def test_htmx_pages_swap_the_results_and_put_the_search_in_the_address(
    client: AsyncClient, thirty: list[str]
) -> None:
    response = await client.get("/sessions/card", {"q": "server", "page": "2"}, headers=HTMX)
    page = text_of(response)
    assert page.startswith('\n<div id="sessions-results"') or page.lstrip().startswith(
        '<div id="sessions-results"'
    )
    assert "<html" not in page
    assert len(names_on(page)) == 5
    assert response["HX-Push-Url"] == "/?q=server&page=2"
    # The pager's links keep the search.
    assert "/?q=server&amp;page=1" in page
    # Without htmx the same address is the home page's.
    plain = await client.get("/sessions/card", {"q": "server", "page": "2"})
    assert plain.status_code == 302
    assert plain["Location"] == "/?q=server&page=2"


async def test_searching_by_text_finds_the_server_name_or_the_target(client: AsyncClient) -> None:
    await stored("weather", target="uvx mcp-weather")
    await stored("files", target="npx @acme/files --root /srv")
    await stored("acme-notes", target="https://notes.example/mcp")
    await stored("other")

    assert names_on(text_of(await client.get("/", {"q": "ACME"}))) == ["acme-notes", "files"]
    assert names_on(text_of(await client.get("/", {"q": "weath"}))) == ["weather"]
    nothing = text_of(await client.get("/", {"q": "nothing-like-it"}))
    assert names_on(nothing) == []
    assert "No session matches the search." in nothing


async def test_searching_by_status_and_by_days(client: AsyncClient) -> None:
    await stored("failed-one", status="failed", day=1)
    await stored("closed-one", day=2)
    await stored("expired-one", status="expired", day=3)
    # Recorded as connected, but no process holds it: a restart left it so.
    await stored("left-by-restart", status="connected", day=4)

    assert names_on(text_of(await client.get("/", {"status": "failed"}))) == ["failed-one"]
    disconnected = text_of(await client.get("/", {"status": "disconnected"}))
    assert names_on(disconnected) == ["left-by-restart"]
    assert names_on(text_of(await client.get("/", {"status": "connected"}))) == []

    days = {"since": "2026-11-02", "until": "2026-11-03"}
    assert names_on(text_of(await client.get("/", days))) == ["closed-one", "failed-one"]
    since = text_of(await client.get("/", {"since": "2026-11-04"}))
    assert names_on(since) == ["left-by-restart", "expired-one"]


async def test_a_bad_search_says_what_is_wrong_and_narrows_by_the_rest(
    client: AsyncClient,
) -> None:
    await stored("kept", day=1)
    await stored("other", day=5)
    page = text_of(await client.get("/", {"since": "2026-11-03", "until": "2026-11-01"}))
    assert "The last day comes before the first." in page
    assert names_on(page) == ["other"]
    page = text_of(await client.get("/", {"since": "yesterday"}))
    assert "Enter a valid date." in page
    assert names_on(page) == ["other", "kept"]

    answer = await client.get("/sessions.json", {"status": "sleeping"})
    assert answer.status_code == 400
    assert "status" in answer.json()["errors"]


async def test_the_json_twin_takes_the_same_search_and_pages(
    client: AsyncClient, thirty: list[str]
) -> None:
    first = await json_of(client)
    assert (first["total"], first["page"], first["pages"], first["page_size"]) == (30, 1, 2, 25)
    assert len(first["sessions"]) == 25
    second = await json_of(client, page="2")
    assert [s["server"]["server_info"]["name"] for s in second["sessions"]] == [
        f"server-{day:02}" for day in range(4, -1, -1)
    ]
    found = await json_of(client, q="server-1", since="2026-11-12")
    assert [s["server"]["server_info"]["name"] for s in found["sessions"]] == [
        "server-19", "server-18", "server-17", "server-16", "server-15", "server-14",
        "server-13", "server-12", "server-11",
    ]  # fmt: skip
    assert found["total"] == 9


async def test_deleting_a_session_deletes_its_events_and_keeps_the_search(
    client: AsyncClient,
) -> None:
    gone = await stored("gone", events=50)
    kept = await stored("kept")
    response = await client.post(
        f"/sessions/{gone}/delete", {"confirmed": "1", "q": "o"}, headers=HTMX
    )
    page = text_of(response)
    assert "Deleted 1 session and its events." in page
    assert names_on(page) == ["kept"]
    assert 'name="q" value="o"' in page
    assert not await SessionRecord.objects.filter(id=gone).aexists()
    assert await EventRecord.objects.filter(session_id=gone).acount() == 0
    assert await EventRecord.objects.filter(session_id=kept).acount() == 3
    assert (await client.get(f"/sessions/{gone}/")).status_code == 404


async def test_without_javascript_a_delete_asks_first_then_goes_back_to_the_list(
    client: AsyncClient,
) -> None:
    session_id = await stored("asked", events=4)
    asking = text_of(await client.post(f"/sessions/{session_id}/delete", {"status": "closed"}))
    assert "Delete the session of “asked”?" in asking
    assert 'name="confirmed" value="1"' in asking
    assert await SessionRecord.objects.filter(id=session_id).aexists(), "nothing deleted yet"

    done = await client.post(
        f"/sessions/{session_id}/delete", {"confirmed": "1", "status": "closed"}
    )
    assert done.status_code == 302
    assert done["Location"] == "/?status=closed&deleted=1#sessions-heading"
    home = text_of(await client.get(done["Location"]))
    assert "Deleted 1 session and its events." in home
    assert "Deleted “1”" not in home, "the Saved servers card deleted nothing"
    assert not await SessionRecord.objects.filter(id=session_id).aexists()


async def test_delete_every_ended_session_matching_leaves_the_others_and_live_ones(
    client: AsyncClient,
) -> None:
    live = await connect(client)
    for day in range(3):
        await stored(f"old-{day}", day=day)
    kept = await stored("recent", day=20)
    response = await client.post(
        "/sessions/delete", {"confirmed": "1", "until": "2026-11-10"}, headers=HTMX
    )
    assert "Deleted 3 sessions and their events." in text_of(response)
    left = await json_of(client)
    assert {s["id"] for s in left["sessions"]} == {live, kept}
    assert (await services.session_get(session_id=live)).connected
    # A search matching everything still spares the live session.
    await client.post("/sessions/delete", {"confirmed": "1"}, headers=HTMX)
    assert [s["id"] for s in (await json_of(client))["sessions"]] == [live]
    assert (await services.session_get(session_id=live)).connected


async def test_a_delete_of_every_match_with_a_wrong_search_deletes_nothing(
    client: AsyncClient,
) -> None:
    early = await stored("early", day=1)
    late = await stored("late", day=5)
    wrong = {"confirmed": "1", "since": "2026-11-04", "until": "2026-11-02"}
    response = await client.post("/sessions/delete", wrong, headers=HTMX)
    assert response.status_code == 422
    assert "Nothing was deleted: the search has a mistake (until)." in text_of(response)
    assert await SessionRecord.objects.filter(id__in=[early, late]).acount() == 2


async def test_a_live_session_is_disconnected_before_it_is_deleted(client: AsyncClient) -> None:
    live = await connect(client)
    page = text_of(await client.get("/"))
    assert "Disconnect and delete" in page
    assert "Disconnect the live session of" in page
    session = services.runtime.registry().get(live)
    assert session is not None
    assert session.status.value == "connected"

    await client.post(f"/sessions/{live}/delete", {"confirmed": "1"}, headers=HTMX)
    assert session.status.value == "closed", "its connection was closed"
    assert services.runtime.registry().get(live) is None
    assert not await SessionRecord.objects.filter(id=live).aexists()
    assert await EventRecord.objects.filter(session_id=live).acount() == 0


@pytest.fixture
def hosted(settings: Any) -> None:
    settings.LOCAL_MODE = False
    settings.INSPECTOR_STDIO_ALLOWLIST = [sys.executable]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index(OWNER_CHECK), LOGIN_REQUIRED)
    settings.MIDDLEWARE = middleware


async def test_hosted_each_user_lists_searches_and_deletes_only_their_own(hosted: None) -> None:
    alice, bob = await signed_in("alice"), await signed_in("bob")
    users = get_user_model().objects
    alice_user = await users.aget(username="alice")
    bob_user = await users.aget(username="bob")
    alices = await stored(
        "alices-server", owner=await Workspace.objects.aget(personal_of=alice_user)
    )
    bobs = await stored("bobs-server", owner=await Workspace.objects.aget(personal_of=bob_user))

    assert names_on(text_of(await alice.get("/"))) == ["alices-server"]
    assert names_on(text_of(await alice.get("/", {"q": "server"}))) == ["alices-server"]
    assert [s["id"] for s in (await json_of(bob))["sessions"]] == [bobs]

    # Alice cannot delete Bob's session, one by one or in bulk.
    refused = await alice.post(f"/sessions/{bobs}/delete", {"confirmed": "1"}, headers=HTMX)
    assert refused.status_code == 404
    await alice.post("/sessions/delete", {"confirmed": "1"}, headers=HTMX)
    assert not await SessionRecord.objects.filter(id=alices).aexists()
    assert await SessionRecord.objects.filter(id=bobs).aexists()
    assert await EventRecord.objects.filter(session_id=bobs).acount() == 3
