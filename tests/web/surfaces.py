"""What the surface tests share: a session of the two-version fixture server, listed
whole (every page of its tools, and its prompts), as a person leafing through the tabs."""

from __future__ import annotations

from django.test import AsyncClient

from tests.web.support import connect, page


async def surface_session(client: AsyncClient, version: str) -> str:
    session_id = await connect(client, arguments=f"-m tests.servers.surface_server {version}")
    await list_whole(client, session_id)
    return session_id


async def list_whole(client: AsyncClient, session_id: str) -> None:
    await page(client, f"/sessions/{session_id}/list/tools")
    await read(client, f"/sessions/{session_id}/list/tools", cursor="2")
    await page(client, f"/sessions/{session_id}/list/prompts")


async def read(client: AsyncClient, url: str, **query: str) -> str:
    """A page asked for with a query, as a link or a GET form asks."""
    response = await client.get(url, query)
    assert response.status_code == 200, response.content.decode()[:2000]
    return str(response.content.decode())
