"""End to end, in Chromium: import a pasted configuration, see it listed with its secrets
masked, export it, and connect to the stdio fixture server with one click.

Elements are found by role and label, as a person would find them.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = Path("/tmp/saved-servers.png")
MASK = "••••••"
TOKEN = "ghp_browser0123456789"
BEARER = "Bearer s3cr3t-t0ken-value"

CONFIG = {
    "mcpServers": {
        "fixture-everything": {
            "command": sys.executable,
            "args": ["-m", "tests.servers.everything_py"],
            "cwd": str(REPO_ROOT),
            "env": {"API_TOKEN": TOKEN, "MODE": "browser"},
        },
        "remote-api": {
            "type": "http",
            "url": "https://mcp.example.com/mcp",
            "headers": {"Authorization": BEARER},
        },
    }
}


def saved_servers(page: Page) -> Locator:
    return page.get_by_role("region", name="Saved servers")


def saved_row(page: Page, name: str) -> Locator:
    return (
        saved_servers(page)
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=name, exact=True))
    )


def test_import_list_export_and_connect(page: Page, inspector_url: str, tmp_path: Path) -> None:
    page.goto(inspector_url)
    expect(page.get_by_role("heading", name="Saved servers")).to_be_visible()

    # Import a pasted configuration.
    saved_servers(page).get_by_role("link", name="Import…").click()
    expect(page.get_by_role("heading", name="Import servers")).to_be_visible()
    page.get_by_label("Or paste JSON").fill(json.dumps(CONFIG, indent=2))
    page.get_by_role("button", name="Import").click()
    report = page.get_by_role("status").filter(has_text="Saved:")
    expect(report).to_contain_text("Saved: fixture-everything, remote-api.")
    report.get_by_role("link", name="See them on the home page").click()

    # Listed, with every secret masked and the rest readable.
    everything = saved_row(page, "fixture-everything")
    expect(everything).to_contain_text("stdio")
    expect(everything).to_contain_text("tests.servers.everything_py")
    expect(everything).to_contain_text(f"ghp_{MASK}")
    expect(everything).to_contain_text("browser")
    remote = saved_row(page, "remote-api")
    expect(remote).to_contain_text("Streamable HTTP")
    expect(remote).to_contain_text(f"Bearer s3cr{MASK}")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    html = page.content()
    assert TOKEN not in html
    assert "s3cr3t-t0ken-value" not in html

    # Export all, secrets masked.
    with page.expect_download() as masked_download:
        saved_servers(page).get_by_role("button", name="Export all").click()
    assert masked_download.value.suggested_filename == "mcp-servers.json"
    masked_path = tmp_path / "masked.json"
    masked_download.value.save_as(masked_path)
    masked = json.loads(masked_path.read_text())
    assert masked["mcpServers"]["fixture-everything"]["env"] == {
        "API_TOKEN": f"ghp_{MASK}",
        "MODE": "browser",
    }
    assert masked["mcpServers"]["remote-api"]["headers"] == {"Authorization": f"Bearer s3cr{MASK}"}

    # Export one server with its secrets: the file is the one that was imported.
    saved_servers(page).get_by_label("Include secrets").check()
    with page.expect_download() as clear_download:
        everything.get_by_role("button", name="Export").click()
    assert clear_download.value.suggested_filename == "fixture-everything.mcp.json"
    clear_path = tmp_path / "clear.json"
    clear_download.value.save_as(clear_path)
    assert json.loads(clear_path.read_text()) == {
        "mcpServers": {"fixture-everything": CONFIG["mcpServers"]["fixture-everything"]}
    }

    # One click connects, and lands on the session page, connected.
    everything.get_by_role("button", name="Connect").click()
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f]+/$"))
    expect(page.get_by_role("heading", name="Fixture Everything", level=1)).to_be_visible()
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")
    assert TOKEN not in page.content()


def test_save_from_the_connect_form(page: Page, inspector_url: str) -> None:
    page.goto(inspector_url)
    form = page.get_by_role("region", name="Connect to a server")
    form.get_by_label("Transport", exact=True).select_option("http")
    form.get_by_label("URL", exact=True).fill("https://saved.example.com/mcp")
    form.get_by_label("Headers", exact=True).fill("X-Api-Key: key-0123456789abcdef")
    form.get_by_label("Save as", exact=True).fill("saved-from-form")
    form.get_by_role("button", name="Save", exact=True).click()

    expect(form.get_by_role("status").filter(has_text="Saved as")).to_contain_text(
        "Saved as “saved-from-form”"
    )
    row = saved_row(page, "saved-from-form")
    expect(row).to_contain_text("https://saved.example.com/mcp")
    expect(row).to_contain_text(f"key-{MASK}")
    expect(page).not_to_have_url(re.compile(r"/sessions/"))
