"""What the workspace tests share: hosted mode, accounts signed in with an address, team
workspaces made through their form, and invitations made through the members page."""

from __future__ import annotations

import html
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.test import AsyncClient

from inspector.models import Membership
from tests.web.support import LOGIN_REQUIRED, OWNER_CHECK

LINK = re.compile(r'id="new-invite-link"[^>]*value="([^"]+)"')
SECRET_PATH = re.compile(r"https?://[^/\s]+(/invite/[A-Za-z0-9_-]+/)")


def hosted_mode(settings: Any) -> None:
    """Hosted mode as `INSPECTOR_MODE=hosted` sets it up: accounts, sign-in required."""
    settings.LOCAL_MODE = False
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index(OWNER_CHECK), LOGIN_REQUIRED)
    settings.MIDDLEWARE = middleware


def browser() -> AsyncClient:
    return AsyncClient(headers={"host": "127.0.0.1"})


async def account(name: str, email: str = "") -> tuple[AsyncClient, int]:
    """A signed-in browser and its account's id."""
    user = await get_user_model().objects.acreate_user(
        name, email=email or f"{name}@example.com", password="correct horse"
    )
    signed_in = browser()
    await signed_in.aforce_login(user)
    return signed_in, user.pk


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


async def new_team(admin: AsyncClient, name: str) -> None:
    """Make a team workspace through its form; the browser acts in it from then on."""
    response = await admin.post("/workspace/new", {"name": name})
    assert response.status_code == 302, text(response)[:2000]
    assert response["Location"] == "/workspace/members/"


async def invite_link(admin: AsyncClient, role: str = "member", expires_in: str = "1d") -> str:
    """An invite link from the members page; the path of its accept page."""
    response = await admin.post(
        "/workspace/invitations/link", {"role": role, "expires_in": expires_in}
    )
    assert response.status_code == 200, text(response)[:2000]
    found = LINK.search(response.content.decode())
    assert found, "the page shows no invite link"
    path = SECRET_PATH.fullmatch(html.unescape(found.group(1)))
    assert path, found.group(1)
    return path.group(1)


async def role_in(workspace_name: str, user_id: int) -> str | None:
    membership = await Membership.objects.filter(
        workspace__name=workspace_name, user_id=user_id
    ).afirst()
    return membership.role if membership is not None else None


async def members_heading(browser: AsyncClient) -> str:
    """The members page's heading: which workspace the browser acts in."""
    response = await browser.get("/workspace/members/")
    assert response.status_code == 200, text(response)[:2000]
    found = re.search(r'<h1 id="members-heading">([^<]*)</h1>', text(response))
    assert found
    return found.group(1)


ROW = re.compile(r"<tr>\s*<th scope=\"row\">([^<\s]+).*?</tr>", re.S)
SHOWN_ROLE = re.compile(r'<option value="(\w+)" selected>|class="status role-(\w+)"')


async def members_shown(browser: AsyncClient) -> dict[str, str]:
    """The members page's table as a person reads it: each account and its role."""
    response = await browser.get("/workspace/members/")
    assert response.status_code == 200, text(response)[:2000]
    page = response.content.decode()
    table = page.split('aria-label="Members"', 1)[1].split("</table>", 1)[0]
    shown = {}
    for row in ROW.finditer(table):
        role = SHOWN_ROLE.search(row.group(0))
        assert role, row.group(0)
        shown[row.group(1)] = role.group(1) or role.group(2)
    return shown


def words(response: Any) -> str:
    """A page's text as read on screen: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", text(response)).split())
