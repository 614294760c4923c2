"""The Skills tab (draft `io.modelcontextprotocol/skills`) against the fixture server
`tests/servers/skills_server.py`, in the modern era the extension is specified for."""

from __future__ import annotations

import re

import pytest
from django.test import AsyncClient

from inspector import services
from inspector.mcp.versions import EraChoice
from inspector.sessions.status import SessionStatus
from tests.conftest import fixture_spec
from tests.web.support import page

pytestmark = pytest.mark.django_db(transaction=True)


async def open_skills_session() -> str:
    spec = fixture_spec("skills_server", era=EraChoice.MODERN)
    snapshot = await services.session_connect(spec=spec)
    assert snapshot.status is SessionStatus.CONNECTED, snapshot.error
    return snapshot.id


async def test_the_skills_tab_lists_skills_and_checks_digests(client: AsyncClient) -> None:
    session_id = await open_skills_session()
    session_page = await page(client, f"/sessions/{session_id}/")
    assert ">Skills (draft)</button>" in session_page
    base = f"/sessions/{session_id}/skills/"

    listed = await page(client, base)
    assert ">draft</span>" in listed
    assert 'aria-label="Skill git-workflow"' in listed
    assert "Follow the team's Git conventions" in listed
    assert 'aria-label="Skill refunds"' in listed
    assert "skill://acme/billing/refunds/SKILL.md" in listed
    assert 'Its content is generated ("dynamic")' in listed
    assert "Read references/branching.md" in listed

    good = await page(
        client,
        f"{base}read",
        {
            "uri": "skill://git-workflow/references/branching.md",
            **published(listed, "branching.md"),
        },
    )
    assert "Digest verified: sha256:" in good
    assert "One branch per change." in good

    tampered = await page(
        client,
        f"{base}read",
        {"uri": "skill://acme/billing/refunds/examples/email.md", **published(listed, "email.md")},
    )
    assert "Digest mismatch: the content read is not what the skill's entry describes" in tampered
    assert "A host must not use it." in tampered
    assert 'role="alert"' in tampered

    dynamic = await page(client, f"{base}read", {"uri": "skill://reports/daily/SKILL.md"})
    assert "No digest published (dynamic skill)" in dynamic

    root = await page(client, f"{base}directory", {"uri": "skill://acme/billing/refunds"})
    assert '<span class="mono">SKILL.md</span>' in root
    assert '<span class="mono">examples</span>/' in root
    sub = await page(client, f"{base}directory", {"uri": "skill://acme/billing/refunds/examples"})
    assert '<span class="mono">email.md</span>' in sub

    unlisted = await page(client, f"{base}get", {"uri": "skill://hidden/unlisted/SKILL.md"})
    assert 'aria-label="Skill unlisted"' in unlisted
    unknown = await page(client, f"{base}get", {"uri": "skill://nope/SKILL.md"})
    assert "skills/get failed:" in unknown
    assert "No skill is served at skill://nope/SKILL.md" in unknown

    # Every request went through the session, so the Protocol tab has them.
    events = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    methods = {event.method for event in events}
    assert {"skills/list", "skills/get", "resources/directory/read", "resources/read"} <= methods
    # The extension's results are cacheable: their ttlMs is no finding.
    assert not [f.message for e in events for f in e.findings if f.rule == "modern.ttl"]


async def test_no_skills_tab_without_the_extension(client: AsyncClient) -> None:
    snapshot = await services.session_connect(spec=fixture_spec("everything_py"))
    assert "Skills (draft)" not in await page(client, f"/sessions/{snapshot.id}/")


def published(listed: str, file_name: str) -> dict[str, str]:
    """The digest and size the listing's Read form carries for a file."""
    found = re.search(
        rf'name="uri" value="[^"]*/{re.escape(file_name)}"><input type="hidden" name="digest" '
        r'value="([^"]*)"><input type="hidden" name="size" value="([^"]*)">',
        listed,
    )
    assert found, listed
    return {"digest": found.group(1), "size": found.group(2)}
