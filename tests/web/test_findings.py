"""The findings of the message checks on the session page."""

from __future__ import annotations

import re

import pytest
from django.test import AsyncClient

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
    row = row[: row.index("</li>\n</ol>") if "</li>\n</ol>" in row else len(row)]
    assert 'data-rule="capabilities.list-changed"' in row
    assert '<code class="path">$.method</code>' in row or '<code class="path">$' in row
    assert (
        'class="spec-link" href="https://modelcontextprotocol.io/specification/2025-11-25/' in row
    )


async def test_a_clean_server_shows_no_badge(client: AsyncClient) -> None:
    session_id = await connect(client)
    html = (await client.get(f"/sessions/{session_id}/")).content.decode()
    assert "initialize (id 1)" in html
    assert "findings-badge" not in html
    assert 'class="finding ' not in html
