"""End to end, in Chromium: the connect form shows the chosen transport's fields, keeps the
settings few people change under Advanced, fills itself from a pasted command line, URL or
configuration, and still connects without JavaScript.

Elements are found by role and label, as a person would find them.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.support import screenshot

pytestmark = pytest.mark.browser

TOOLS_SERVER = str(Path(__file__).resolve().parents[2] / "tests" / "servers" / "tools_server.py")


def connect_form(page: Page, inspector_url: str) -> Locator:
    page.goto(inspector_url)
    return page.get_by_role("region", name="Connect to a server")


def paste(form: Locator, text: str) -> Locator:
    """Paste into the form's first field; the status line that says what was recognised."""
    form.get_by_label("Paste a command line, URL or configuration").fill(text)
    return form.get_by_role("status", name="What the paste filled in")


def test_each_transport_shows_only_its_own_fields(page: Page, inspector_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    form = connect_form(page, inspector_url)
    transport = form.get_by_label("Transport", exact=True)
    command = form.get_by_label("Command", exact=True)
    url = form.get_by_label("URL", exact=True)
    client_id = form.get_by_label("OAuth client ID", exact=True)

    expect(transport).to_have_value("stdio")
    expect(command).to_be_visible()
    expect(form.get_by_label("Environment", exact=True)).to_be_visible()
    expect(url).to_be_hidden()
    expect(client_id).to_be_hidden()
    screenshot(page, "connect-home-stdio")
    command.fill("uvx")

    transport.select_option("http")
    expect(url).to_be_visible()
    expect(client_id).to_be_visible()
    expect(command).to_be_hidden()
    expect(form.get_by_label("Working directory", exact=True)).to_be_hidden()
    screenshot(page, "connect-home-http")
    url.fill("https://example.com/mcp")

    transport.select_option("sse")
    expect(url).to_have_value("https://example.com/mcp")
    screenshot(page, "connect-home-sse")

    transport.select_option("stdio")
    expect(command).to_have_value("uvx")
    expect(url).to_be_hidden()


def test_advanced_is_collapsed_until_opened(page: Page, inspector_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    form = connect_form(page, inspector_url)
    era = form.get_by_label("Protocol era", exact=True)
    timeout = form.get_by_label("Connect timeout (seconds)", exact=True)
    expect(era).to_be_hidden()
    expect(timeout).to_be_hidden()
    form.get_by_text("Advanced: protocol era and version, timeouts, consent").click()
    expect(era).to_be_visible()
    expect(timeout).to_be_visible()
    expect(form.get_by_label("Inbox timeout (seconds)", exact=True)).to_be_visible()
    screenshot(page, "connect-home-advanced")


def test_advanced_opens_itself_after_a_failed_connect(page: Page, inspector_url: str) -> None:
    form = connect_form(page, inspector_url)
    form.get_by_text("Advanced: protocol era and version, timeouts, consent").click()
    # A modern version with the legacy era: an error in the Advanced group.
    form.get_by_label("Protocol version", exact=True).select_option("2026-07-28")
    form.get_by_label("Command", exact=True).fill(sys.executable)
    form.get_by_role("button", name="Connect").click()
    version = form.get_by_label("Protocol version", exact=True)
    expect(form.get_by_text("2026-07-28 has no initialize handshake", exact=False)).to_be_visible()
    expect(version).to_be_visible()
    expect(version).to_have_value("2026-07-28")


def test_advanced_opens_itself_for_a_value_other_than_the_default(
    page: Page, inspector_url: str
) -> None:
    form = connect_form(page, inspector_url)
    form.get_by_text("Advanced: protocol era and version, timeouts, consent").click()
    form.get_by_label("Connect timeout (seconds)", exact=True).fill("7")
    # No command: the form comes back with its error, Advanced still open for the 7 s.
    form.get_by_role("button", name="Connect").click()
    expect(form.get_by_text("A stdio server needs a command to run.")).to_be_visible()
    expect(form.get_by_label("Connect timeout (seconds)", exact=True)).to_be_visible()
    expect(form.get_by_label("Connect timeout (seconds)", exact=True)).to_have_value("7")


def test_a_pasted_command_line_fills_the_stdio_fields(page: Page, inspector_url: str) -> None:
    form = connect_form(page, inspector_url)
    form.get_by_label("Transport", exact=True).select_option("http")
    status = paste(form, "npx -y @modelcontextprotocol/server-everything")
    expect(status).to_have_text(re.compile(r"^Filled in from the command line \(stdio: npx"))
    expect(form.get_by_label("Transport", exact=True)).to_have_value("stdio")
    expect(form.get_by_label("Command", exact=True)).to_have_value("npx")
    expect(form.get_by_label("Arguments", exact=True)).to_have_value(
        "-y @modelcontextprotocol/server-everything"
    )
    expect(form.get_by_label("URL", exact=True)).to_be_hidden()

    status = paste(form, "FOO=bar BAZ='two words' uvx mcp-server-fetch --x 'y z'")
    expect(status).to_contain_text("2 environment variables")
    expect(form.get_by_label("Command", exact=True)).to_have_value("uvx")
    expect(form.get_by_label("Arguments", exact=True)).to_have_value("mcp-server-fetch --x 'y z'")
    expect(form.get_by_label("Environment", exact=True)).to_have_value("FOO=bar\nBAZ=two words")


def test_a_pasted_url_picks_the_transport_by_its_path(page: Page, inspector_url: str) -> None:
    form = connect_form(page, inspector_url)
    status = paste(form, "https://mcp.example.com/mcp")
    expect(status).to_have_text(re.compile(r"Streamable HTTP at https://mcp\.example\.com/mcp"))
    expect(form.get_by_label("Transport", exact=True)).to_have_value("http")
    expect(form.get_by_label("URL", exact=True)).to_have_value("https://mcp.example.com/mcp")
    expect(form.get_by_label("Command", exact=True)).to_be_hidden()

    paste(form, "http://127.0.0.1:8000/sse")
    expect(form.get_by_label("Transport", exact=True)).to_have_value("sse")
    expect(form.get_by_label("URL", exact=True)).to_have_value("http://127.0.0.1:8000/sse")


def test_a_pasted_mcp_servers_snippet_fills_the_form(page: Page, inspector_url: str) -> None:
    form = connect_form(page, inspector_url)
    snippet = {
        "mcpServers": {
            "everything": {
                "command": "npx",
                "args": ["-y", "@modelcontextprotocol/server-everything"],
                "env": {"API_KEY": "k-123"},
            },
            "remote": {"url": "https://remote.example.com/mcp"},
        }
    }
    status = paste(form, json.dumps(snippet, indent=2))
    expect(status).to_contain_text("Filled in the server “everything” from the configuration")
    expect(status).to_contain_text("1 more server")
    expect(form.get_by_label("Command", exact=True)).to_have_value("npx")
    expect(form.get_by_label("Environment", exact=True)).to_have_value("API_KEY=k-123")

    one_server = {"url": "https://remote.example.com/sse", "headers": {"X-Key": "abc"}}
    paste(form, json.dumps(one_server))
    expect(form.get_by_label("Transport", exact=True)).to_have_value("http")
    expect(form.get_by_label("URL", exact=True)).to_have_value("https://remote.example.com/sse")
    expect(form.get_by_label("Headers", exact=True)).to_have_value("X-Key: abc")


def test_unrecognised_text_stays_as_typed(page: Page, inspector_url: str) -> None:
    form = connect_form(page, inspector_url)
    form.get_by_label("Command", exact=True).fill("my-server")
    broken = '{"mcpServers": {"x": {"command": "npx",}'
    status = paste(form, broken)
    expect(status).to_contain_text("This looks like JSON, but")
    expect(status).to_contain_text("The text was left as typed.")
    expect(form.get_by_label("Paste a command line, URL or configuration")).to_have_value(broken)
    expect(form.get_by_label("Command", exact=True)).to_have_value("my-server")


def test_without_javascript_every_group_shows_and_connects(
    browser: Browser, inspector_url: str
) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 800}
    )
    try:
        page = context.new_page()
        form = connect_form(page, inspector_url)
        for label in ("Command", "Environment", "URL", "Headers", "OAuth client ID"):
            expect(form.get_by_label(label, exact=True)).to_be_visible()
        # Nothing to paste into without the script that reads it.
        expect(form.get_by_label("Paste a command line, URL or configuration")).to_be_hidden()
        screenshot(page, "connect-home-no-javascript")
        form.get_by_text("Advanced: protocol era and version, timeouts, consent").click()
        expect(form.get_by_label("Protocol era", exact=True)).to_be_visible()
        form.get_by_label("Command", exact=True).fill(sys.executable)
        form.get_by_label("Arguments", exact=True).fill(TOOLS_SERVER)
        form.get_by_role("button", name="Connect").click()
        expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f]+/$"))
        expect(page.get_by_role("status", name="Session status")).to_have_text("connected")
    finally:
        context.close()


def test_a_saved_servers_edit_page_groups_its_fields_the_same_way(
    page: Page, inspector_url: str
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    form = connect_form(page, inspector_url)
    name = f"edit-groups-{uuid.uuid4().hex[:8]}"
    status = paste(form, "https://edit.example.com/mcp")
    expect(status).to_contain_text("Streamable HTTP")
    screenshot(page, "connect-home-pasted", full_page=False)
    form.get_by_text("Advanced: protocol era and version, timeouts, consent").click()
    form.get_by_label("Protocol era", exact=True).select_option("auto")
    form.get_by_label("Save as", exact=True).fill(name)
    form.get_by_role("button", name="Save", exact=True).click()
    saved = page.get_by_role("region", name="Saved servers")
    saved.get_by_role("row").filter(has_text=name).get_by_role("link", name="Edit").click()

    edit = page.get_by_role("region", name="Edit saved server")
    expect(edit.get_by_label("URL", exact=True)).to_have_value("https://edit.example.com/mcp")
    expect(edit.get_by_label("Command", exact=True)).to_be_hidden()
    # Its era is not the default: Advanced is open at it.
    expect(edit.get_by_label("Protocol era", exact=True)).to_be_visible()
    expect(edit.get_by_label("Protocol era", exact=True)).to_have_value("auto")
    screenshot(page, "saved-server-edit")
