"""What the web tests share: forms as a browser submits them, sessions started beside a
test, the inbox, saved servers, signed-in browsers."""

from __future__ import annotations

import asyncio
import html
import re
import sys
from collections.abc import Awaitable
from html.parser import HTMLParser
from typing import Any, TypeVar

from asgiref.sync import ThreadSensitiveContext
from django.contrib.auth import get_user_model
from django.test import AsyncClient

from inspector import services
from inspector.sessions.calls import CallOutcome
from tests.conftest import REPO_ROOT

T = TypeVar("T")


def connect_form(**fields: str) -> dict[str, str]:
    form = {
        "transport": "stdio",
        "command": sys.executable,
        "arguments": "-m tests.servers.everything_py",
        "environment": "",
        "cwd": str(REPO_ROOT),
        "url": "",
        "headers": "",
        # The fixture servers speak both eras; these tests are about the legacy one.
        "era": "legacy",
        "protocol_version": "2025-11-25",
        "connect_timeout": "30",
        "request_timeout": "60",
    }
    form.update(fields)
    return form


async def connect(client: AsyncClient, **fields: str) -> str:
    response = await client.post("/connect", connect_form(**fields))
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/sessions/([0-9a-f]{32})/", response["Location"])
    assert match
    return match.group(1)


HTMX = {"hx-request": "true"}


async def import_text(client: AsyncClient, text: str, **fields: str) -> Any:
    return await client.post("/servers/import", {"text": text, **fields}, headers=HTMX)


async def listed(client: AsyncClient) -> dict[str, dict[str, Any]]:
    servers = (await client.get("/servers.json")).json()["servers"]
    return {server["name"]: server for server in servers}


async def export(client: AsyncClient, **fields: str) -> Any:
    return await client.post("/servers/export", fields)


def text_of(response: Any) -> str:
    return str(response.content.decode()).replace("&#x27;", "'").replace("&quot;", '"')


def beside(request: Awaitable[T]) -> asyncio.Task[T]:
    """A request that runs while the test makes others, each in its own thread context
    as under Daphne (the test client shares one, and a sync-only middleware such as
    WhiteNoise would hold it for the whole of a long request)."""

    async def alone() -> T:
        async with ThreadSensitiveContext():
            return await request

    return asyncio.create_task(alone())


def start_tool(session_id: str, name: str, **arguments: Any) -> asyncio.Task[CallOutcome]:
    return asyncio.create_task(
        services.tool_call(
            session_id=session_id, name=name, arguments=arguments, call_key=f"key-{name}"
        )
    )


async def waiting(session_id: str) -> services.ApprovalSnapshot:
    for _ in range(250):
        if pending := (await services.consent_get(session_id=session_id)).pending:
            return pending[0]
        await asyncio.sleep(0.02)
    raise AssertionError("nothing reached the inbox")


async def page(client: AsyncClient, url: str, data: dict[str, Any] | None = None) -> str:
    response = await (client.post(url, data) if data is not None else client.get(url))
    assert response.status_code == 200, response.content.decode()[:2000]
    return html.unescape(response.content.decode())


def answer_url(session_id: str, approval: services.ApprovalSnapshot) -> str:
    return f"/sessions/{session_id}/inbox/{approval.id}/answer"


def text_reply(text: str, model: str) -> dict[str, str]:
    """The inbox form's fields that approve a sampling request with a text answer."""
    return {
        "decision": "approve",
        "role": "assistant",
        "content_kind": "text",
        "text": text,
        "model": model,
        "stop_reason": "endTurn",
    }


def tool_text(call: CallOutcome) -> str:
    assert call.error is None, call.error
    assert call.result is not None
    return str(call.result["content"][0]["text"])


OWNER_CHECK = "inspector.middleware.SessionOwnerMiddleware"


LOGIN_REQUIRED = "django.contrib.auth.middleware.LoginRequiredMiddleware"


async def signed_in(name: str) -> AsyncClient:
    user = await get_user_model().objects.acreate_user(name, password="x")
    browser = AsyncClient(headers={"host": "127.0.0.1"})
    await browser.aforce_login(user)
    return browser


class _FormReader(HTMLParser):
    def __init__(self, form_class: str) -> None:
        super().__init__()
        self.form_class = form_class
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form" and self.form_class in found.get("class", "").split():
            self.inside = True
        if not self.inside:
            return
        name = found.get("name", "")
        if tag == "input" and name and found.get("type") not in ("submit", "button", "file"):
            if found.get("type") in ("checkbox", "radio") and "checked" not in found:
                return
            self.fields.append((name, found.get("value", "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in found:
            self.fields.append((self._select, found.get("value", "")))
        elif tag == "textarea":
            self._textarea = name
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None


def form_fields(page: str, form_class: str) -> list[tuple[str, str]]:
    """The name/value pairs of the first form with `form_class`, as submitted."""
    reader = _FormReader(form_class)
    reader.feed(page)
    return reader.fields
