"""End to end, in Chromium: the Skills tab (draft) against `tests/servers/skills_server.py`:
a verified file, a file whose digest does not match, and a skill's directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import connect_stdio, screenshot

pytestmark = pytest.mark.browser
SKILLS_SERVER = Path(__file__).resolve().parents[1] / "servers" / "skills_server.py"


def test_skill_files_are_checked_against_their_digests(page: Page, inspector_url: str) -> None:
    connect_stdio(page, inspector_url, str(SKILLS_SERVER), era="modern")
    page.get_by_role("tab", name="Skills (draft)").click()
    skills = page.get_by_role("list", name="Skills")
    git = skills.get_by_role("article", name="Skill git-workflow")
    expect(git).to_contain_text("Follow the team's Git conventions")
    git.get_by_role("button", name="Read references/branching.md of git-workflow").click()
    expect(git.get_by_role("status")).to_contain_text("Digest verified")

    refunds = skills.get_by_role("article", name="Skill refunds")
    refunds.get_by_role("button", name="Read examples/email.md of refunds").click()
    expect(refunds.get_by_role("alert")).to_contain_text("Digest mismatch")
    refunds.get_by_role("button", name="Read the directory of refunds").click()
    directory = refunds.get_by_role("list", name="Directory skill://acme/billing/refunds")
    expect(directory).to_contain_text("SKILL.md")
    directory.get_by_role("button", name="Open examples").click()
    expect(
        refunds.get_by_role("list", name="Directory skill://acme/billing/refunds/examples")
    ).to_contain_text("email.md")
    screenshot(page, "skills")
