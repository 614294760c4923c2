"""End to end, in Chromium, against the fixture authorization server and protected MCP
server (`tests/servers/oauth_mcp.py`): connect and be refused with a 401, authorize
(the browser goes to the authorization server, a person clicks Approve, and comes back),
call a tool with the token; the guided flow stepped through to the end; a refresh of a
short-lived token; a step-up for a tool that needs more scope.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import free_port, run_inspector
from tests.servers.oauth_harness import OAuthServers, run_oauth_servers

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/work/scratch")
SESSION_PAGE = re.compile(r"/sessions/[0-9a-f]{32}/(#auth)?$")


@pytest.fixture(scope="module")
def cimd_inspector_url() -> Iterator[str]:
    """An inspector that presents its client metadata document URL as its client_id."""
    port = free_port()
    client_id = f"http://127.0.0.1:{port}/oauth/client-metadata.json"
    with run_inspector(port, INSPECTOR_OAUTH_CLIENT_ID_URL=client_id) as url:
        yield url


@pytest.fixture
def short_lived() -> Iterator[OAuthServers]:
    """A pair whose access tokens last one second."""
    with run_oauth_servers(access_token_seconds=1) as servers:
        yield servers


@pytest.fixture
def fresh_servers() -> Iterator[OAuthServers]:
    """A pair of the test's own: the shared inspector keeps the tokens it obtained for
    the shared pair, and would connect to it without being refused."""
    with run_oauth_servers() as servers:
        yield servers


def connect_refused(page: Page, inspector_url: str, servers: OAuthServers) -> None:
    page.goto(inspector_url)
    form = page.get_by_role("region", name="Connect to a server")
    form.get_by_label("Transport", exact=True).select_option("http")
    form.get_by_label("URL", exact=True).fill(servers.mcp_url)
    form.get_by_role("button", name="Connect").click()
    alert = page.locator("#session-needs-authorization")
    expect(alert).to_contain_text("This server requires authorization.")
    expect(alert).to_contain_text("HTTP 401")
    expect(page.get_by_role("tab", name="Auth")).to_have_attribute("aria-selected", "true")


def approve(page: Page, servers: OAuthServers, *scopes: str) -> None:
    """At the authorization server's page: check what is asked, click Approve."""
    expect(page).to_have_url(re.compile(re.escape(servers.issuer + "/authorize?")))
    expect(page.get_by_role("heading", name=re.compile("^Authorize "))).to_be_visible()
    for scope in scopes:
        expect(page.get_by_role("listitem").filter(has_text=scope)).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page).to_have_url(SESSION_PAGE)
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")


def authorize_quickly(page: Page, servers: OAuthServers, *scopes: str) -> None:
    page.locator("#session-needs-authorization").get_by_role("button", name="Authorize").click()
    approve(page, servers, *scopes)


def run_tool(page: Page, name: str) -> Locator:
    page.get_by_role("tab", name="Tools").click()
    tools = page.get_by_role("list", name="Tools")
    tools.get_by_role("button", name=f"Tool {name}", exact=True).click()
    detail = page.locator("#tool-detail")
    expect(detail.get_by_role("heading", name=name)).to_be_visible()
    return detail


def call_add(page: Page) -> None:
    detail = run_tool(page, "add")
    detail.get_by_role("textbox", name="A *").fill("20")
    detail.get_by_role("textbox", name="B *").fill("22")
    detail.get_by_role("button", name="Run tool").click()
    result = page.locator("#tool-results > article").first
    expect(result).to_contain_text("42")
    expect(result.locator(".status")).to_have_text("result")


def test_refused_then_authorized_in_the_browser_and_a_tool_called(
    page: Page, inspector_url: str, oauth_servers: OAuthServers
) -> None:
    connect_refused(page, inspector_url, oauth_servers)
    authorize_quickly(page, oauth_servers, "mcp:tools")
    expect(page.locator("#session-needs-authorization")).to_have_count(0)
    call_add(page)

    page.get_by_role("tab", name="Auth").click()
    token = page.locator("#auth-token")
    expect(token).to_contain_text(oauth_servers.issuer)
    expect(token).to_contain_text("mcp:tools")
    expect(token).to_contain_text("••••••")
    page.get_by_text("Access token claims (decoded, not verified)").click()
    expect(page.locator(".auth-claims pre")).to_contain_text(f'"aud": "{oauth_servers.mcp_url}"')
    page.screenshot(path=str(SCREENSHOTS / "oauth-auth-tab.png"), full_page=True)

    page.get_by_role("tab", name="Protocol").click()
    expect(page.locator("#protocol-log")).to_contain_text("OAuth token request")


def test_guided_mode_step_by_step_with_a_client_metadata_document(
    page: Page, cimd_inspector_url: str, oauth_servers: OAuthServers
) -> None:
    connect_refused(page, cimd_inspector_url, oauth_servers)
    panel = page.locator("#auth-panel")
    panel.get_by_role("button", name="Start guided authorization").click()
    steps = panel.get_by_role("listitem", name=re.compile(r"^Step \d+: "))
    expected = [
        ("Protected resource metadata", oauth_servers.issuer),
        ("Authorization server metadata", "client_id_metadata_document_supported"),
        ("Client registration", "/oauth/client-metadata.json"),
        ("Authorization request", "code_challenge"),
    ]
    for count, (title, learned) in enumerate(expected, start=1):
        panel.get_by_role("button", name="Continue").click()
        step = panel.get_by_role("listitem", name=f"Step {count}: {title.lower()}")
        expect(step).to_contain_text(f"{count}. {title}")
        expect(step).to_contain_text(learned)
        expect(steps).to_have_count(count)
    page.screenshot(path=str(SCREENSHOTS / "oauth-guided.png"), full_page=True)
    expect(panel.get_by_role("button", name="Continue")).to_have_count(0)
    panel.get_by_role("link", name="Open the authorization page").click()
    approve(page, oauth_servers, "mcp:tools")
    page.get_by_role("tab", name="Auth").click()
    expect(panel.locator("#auth-flow-done")).to_contain_text("Authorized")
    expect(panel.get_by_role("listitem", name=re.compile("token request"))).to_be_visible()
    call_add(page)


def test_a_short_lived_token_is_refreshed_and_the_call_still_works(
    page: Page, inspector_url: str, short_lived: OAuthServers
) -> None:
    connect_refused(page, inspector_url, short_lived)
    authorize_quickly(page, short_lived, "mcp:tools")
    time.sleep(1.5)  # the access token has expired
    call_add(page)
    assert "refresh_token" in [entry.get("grant_type") for entry in short_lived.as_log()]
    page.get_by_role("tab", name="Protocol").click()
    expect(page.locator("#protocol-log")).to_contain_text("OAuth token refresh")
    page.get_by_role("tab", name="Auth").click()
    expect(page.locator("#auth-token")).to_contain_text("mcp:tools")


def test_a_tool_that_needs_more_scope_steps_up_then_succeeds(
    page: Page, inspector_url: str, fresh_servers: OAuthServers
) -> None:
    oauth_servers = fresh_servers
    connect_refused(page, inspector_url, oauth_servers)
    authorize_quickly(page, oauth_servers, "mcp:tools")
    detail = run_tool(page, "admin_secret")
    detail.get_by_role("button", name="Run tool").click()
    refusal = page.locator("#tool-needs-authorization")
    expect(refusal).to_contain_text("refused the call for want of authorization")
    refusal.get_by_role("button", name="Authorize").click()
    approve(page, oauth_servers, "mcp:tools", "mcp:admin")
    detail = run_tool(page, "admin_secret")
    detail.get_by_role("button", name="Run tool").click()
    expect(page.locator("#tool-results > article").first).to_contain_text("the vault code is 0451")


def test_a_second_connection_uses_the_stored_token(
    page: Page, inspector_url: str, fresh_servers: OAuthServers
) -> None:
    connect_refused(page, inspector_url, fresh_servers)
    authorize_quickly(page, fresh_servers, "mcp:tools")
    page.goto(inspector_url)
    form = page.get_by_role("region", name="Connect to a server")
    form.get_by_label("Transport", exact=True).select_option("http")
    form.get_by_label("URL", exact=True).fill(fresh_servers.mcp_url)
    form.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")
    call_add(page)
