"""Hosted mode's limits: live sessions per account and per workspace, counted from the
database; requests per minute per account and per workspace. Each refusal is a 429 that
names the limit, in a sentence the page shows."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import AsyncClient
from django.utils import timezone

from inspector.models import SessionRecord, Workspace
from inspector.services import runtime
from inspector.services.limits import WINDOW_SECONDS
from tests.web.support import (
    HTMX,
    LOGIN_REQUIRED,
    OWNER_CHECK,
    connect,
    connect_form,
    page,
    signed_in,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hosted(settings: Any) -> Any:
    """Hosted mode as `INSPECTOR_MODE=hosted` sets it up, with no limit but those a test
    sets."""
    settings.LOCAL_MODE = False
    settings.INSPECTOR_STDIO_ALLOWLIST = [sys.executable]
    settings.INSPECTOR_OUTBOUND_ALLOW = ["127.0.0.1"]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index(OWNER_CHECK), LOGIN_REQUIRED)
    settings.MIDDLEWARE = middleware
    settings.INSPECTOR_LIMIT_LIVE_SESSIONS_PER_USER = 0
    settings.INSPECTOR_LIMIT_LIVE_SESSIONS_PER_WORKSPACE = 0
    settings.INSPECTOR_LIMIT_REQUESTS_PER_MINUTE_PER_USER = 0
    settings.INSPECTOR_LIMIT_REQUESTS_PER_MINUTE_PER_WORKSPACE = 0
    return settings


@pytest.fixture
async def alice(hosted: Any) -> AsyncClient:
    return await signed_in("alice")


def reason(response: Any) -> str:
    """The sentence the page shows (flash.js reads `.failure-reason`)."""
    match = re.search(r'class="failure-reason[^"]*"[^>]*>([^<]*)<', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1)


async def refused_connect(browser: AsyncClient, **headers: str) -> Any:
    response = await browser.post("/connect", connect_form(), headers=headers)
    assert response.status_code == 429, response.content.decode()[:2000]
    assert "Retry-After" not in response, "waiting does not help: disconnecting does"
    return response


async def live_sessions() -> int:
    return await SessionRecord.objects.filter(status__in=["connecting", "connected"]).acount()


async def test_a_persons_live_sessions_limit_refuses_the_next_connect_until_one_ends(
    alice: AsyncClient, hosted: Any
) -> None:
    hosted.INSPECTOR_LIMIT_LIVE_SESSIONS_PER_USER = 2
    first = await connect(alice)
    await connect(alice)

    refused = await refused_connect(alice)
    assert reason(refused) == "You have 2 live sessions, the limit is 2: disconnect one first."
    # The connect form posted through htmx gets the sentence alone, for the page's flash.
    fragment = await refused_connect(alice, **HTMX)
    assert fragment.content.decode().startswith('<p class="failure-reason')
    assert await live_sessions() == 2, "no server was started"

    # Another account has its own count.
    bob = await signed_in("bob")
    await connect(bob)

    assert (await alice.post(f"/sessions/{first}/disconnect")).status_code in (200, 302)
    await connect(alice)
    assert await live_sessions() == 3, "two of hers, one of his"


async def test_sessions_other_processes_hold_count_too(alice: AsyncClient, hosted: Any) -> None:
    """Another process's live session is only a row here: it counts all the same."""
    hosted.INSPECTOR_LIMIT_LIVE_SESSIONS_PER_USER = 1
    alice_id = (await get_user_model().objects.aget(username="alice")).pk
    personal = await Workspace.objects.aget(personal_of_id=alice_id)
    await SessionRecord.objects.acreate(
        id="e" * 32,
        owner_id=personal.pk,
        started_by_id=alice_id,
        created_at=timezone.now(),
        transport="http",
        target="https://elsewhere.example/mcp",
        spec={},
        status="connected",
    )
    refused = await refused_connect(alice)
    assert reason(refused) == "You have 1 live session, the limit is 1: disconnect one first."
    assert not runtime.registry().all(), "this process holds none"


async def test_a_workspaces_own_limit_counts_every_live_session_it_holds(
    alice: AsyncClient,
) -> None:
    workspace = await Workspace.objects.aget(personal_of__username="alice")
    workspace.max_live_sessions = 1
    await workspace.asave()
    only = await connect(alice)

    refused = await refused_connect(alice)
    assert reason(refused) == "This workspace has 1 live session, its limit: disconnect one first."
    # Bringing back the session it holds adds none.
    assert (await alice.post(f"/sessions/{only}/reconnect")).status_code in (200, 302)
    assert await live_sessions() == 1

    await alice.post(f"/sessions/{only}/disconnect")
    await connect(alice)


async def a_fresh_window() -> None:
    """Start at the beginning of a minute's window, so that a test's requests fall in one."""
    into = time.time() % WINDOW_SECONDS
    if into > WINDOW_SECONDS - 10:
        await asyncio.sleep(WINDOW_SECONDS - into + 0.1)


async def test_a_persons_request_limit_refuses_with_retry_after(
    alice: AsyncClient, hosted: Any
) -> None:
    hosted.INSPECTOR_LIMIT_REQUESTS_PER_MINUTE_PER_USER = 5
    await a_fresh_window()
    for _ in range(5):
        await page(alice, "/sessions.json")

    refused = await alice.get("/sessions.json", headers=HTMX)
    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert 1 <= wait <= WINDOW_SECONDS
    assert reason(refused) in {
        f"You sent 5 requests in the last minute, the limit is 5: wait {seconds} s."
        for seconds in (wait, wait - 1, wait + 1)
    }
    # Someone else is not held back by it.
    bob = await signed_in("bob")
    assert (await bob.get("/sessions.json")).status_code == 200


async def test_a_workspaces_request_limit_is_its_own(alice: AsyncClient, hosted: Any) -> None:
    hosted.INSPECTOR_LIMIT_REQUESTS_PER_MINUTE_PER_WORKSPACE = 1000
    workspace = await Workspace.objects.aget(personal_of__username="alice")
    workspace.max_requests_per_minute = 3
    await workspace.asave()
    await a_fresh_window()
    for _ in range(3):
        await page(alice, "/")

    refused = await alice.get("/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= WINDOW_SECONDS
    assert reason(refused).startswith(
        "This workspace sent 3 requests in the last minute, its limit: wait "
    )
    assert "Limit reached" in refused.content.decode(), "a page of its own without htmx"
