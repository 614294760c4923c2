"""End to end, in Chromium: connect to a real stdio server, watch the protocol log live,
disconnect and reconnect, filter the log, and survive a dropped websocket.

Elements are found by role and label, as a person would find them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.support import choose_era

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = Path("/tmp/session.png")
NEGOTIATED = "2025-11-25"
OUTCOME_OK = re.compile(r"ok · \d+(\.\d+)? ms")

# Keeps a reference to every websocket the page opens, so a test can drop them behind the
# app's back, and can hold new ones closed for a while (as a network outage would).
TRACK_WEBSOCKETS = """
(() => {
  const Native = window.WebSocket;
  const state = { sockets: [], blocked: false, opened: 0 };
  window.__websockets = state;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      state.sockets.push(this);
      if (state.blocked) {
        this.close();  // fails while CONNECTING: no message is ever delivered
        return;
      }
      this.addEventListener("open", () => { state.opened += 1; });
    }
  };
})();
"""


# -- helpers -----------------------------------------------------------------------------


def open_home(page: Page, inspector_url: str) -> None:
    page.goto(inspector_url)
    expect(page.get_by_role("heading", name="Connect to a server")).to_be_visible()


def fill_stdio(page: Page, command: str, arguments: str = "", cwd: str = "") -> None:
    form = page.get_by_role("region", name="Connect to a server")
    form.get_by_label("Transport", exact=True).select_option("stdio")
    # The fixture speaks both eras; these tests are about the legacy one.
    choose_era(form, "legacy")
    form.get_by_label("Command", exact=True).fill(command)
    form.get_by_label("Arguments", exact=True).fill(arguments)
    form.get_by_label("Working directory", exact=True).fill(cwd)
    form.get_by_role("button", name="Connect").click()


def connect_everything(page: Page, inspector_url: str) -> None:
    open_home(page, inspector_url)
    fill_stdio(page, sys.executable, "-m tests.servers.everything_py", str(REPO_ROOT))
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f]+/$"))
    expect(page.get_by_role("heading", name="Fixture Everything")).to_be_visible()
    expect(live_status(page)).to_have_text("Live")
    show_protocol(page)


def show_protocol(page: Page) -> None:
    """A connected session opens on the server's features; the wire is one tab away."""
    page.get_by_role("tab", name="Protocol").click()
    expect(page.get_by_role("tabpanel", name="Protocol")).to_be_visible()


def live_status(page: Page) -> Locator:
    """The live stream's status line (one of two status regions on the page)."""
    return page.locator("#live-status")


def session_status(page: Page) -> Locator:
    """The session's status badge in the header."""
    return page.get_by_role("status", name="Session status")


def method_filter(page: Page) -> Locator:
    return page.get_by_role("form", name="Filter events").get_by_role("searchbox", name="Method")


def direction_filter(page: Page) -> Locator:
    # By role: the label wraps the select, so its text content includes every option.
    return page.get_by_role("form", name="Filter events").get_by_role("combobox", name="Direction")


def protocol_log(page: Page) -> Locator:
    return page.get_by_role("list", name="Protocol messages")


def protocol_rows(page: Page) -> Locator:
    return protocol_log(page).locator(":scope > li")


def initialize_requests(page: Page) -> Locator:
    return (
        protocol_rows(page)
        .filter(has_text="initialize (id ")
        .filter(has_not_text="result of initialize")
    )


def initialize_results(page: Page) -> Locator:
    return protocol_rows(page).filter(has_text="result of initialize")


def row_seqs(page: Page, selector: str = "#protocol-log > li, #console-log > li") -> list[int]:
    values: list[str] = page.locator(selector).evaluate_all(
        "rows => rows.map(row => row.dataset.seq)"
    )
    return [int(value) for value in values]


def lane_seqs(page: Page) -> dict[str, list[int]]:
    return {lane: row_seqs(page, f"#{lane} > li") for lane in ("protocol-log", "console-log")}


def assert_extends(page: Page, before: dict[str, list[int]]) -> dict[str, list[int]]:
    """Every row shown before is still shown, in place; new rows only come after."""
    after = lane_seqs(page)
    for lane, seqs in before.items():
        assert after[lane][: len(seqs)] == seqs, f"{lane}: {seqs} became {after[lane]}"
    return after


def assert_no_duplicates(page: Page) -> None:
    for lane in ("#protocol-log > li", "#console-log > li"):
        seqs = row_seqs(page, lane)
        assert seqs == sorted(set(seqs)), f"{lane}: rows repeated or out of order: {seqs}"
    everything = row_seqs(page)
    assert len(everything) == len(set(everything)), f"a seq shows in both lanes: {everything}"


# -- tests -------------------------------------------------------------------------------


def test_connect_watch_disconnect_reconnect(page: Page, inspector_url: str) -> None:
    open_home(page, inspector_url)
    fill_stdio(page, sys.executable, "-m tests.servers.everything_py", str(REPO_ROOT))

    # The session page: identity, negotiated version, the Protocol tab, a live stream.
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f]+/$"))
    expect(page.get_by_role("heading", name="Fixture Everything", level=1)).to_be_visible()
    expect(page.locator("#negotiated-version")).to_have_text(NEGOTIATED)
    version = page.get_by_role("definition").filter(has=page.locator("#negotiated-version"))
    expect(version).to_have_text(NEGOTIATED)
    expect(page.get_by_role("tab", name="Tools")).to_have_attribute("aria-selected", "true")
    show_protocol(page)
    expect(page.get_by_role("tab", name="Protocol")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Protocol")).to_be_visible()
    expect(live_status(page)).to_have_text("Live")
    expect(session_status(page)).to_have_text("connected")

    # The handshake in the protocol log: the request, answered, and its paired result.
    request = initialize_requests(page)
    expect(request).to_have_count(1)
    expect(request).to_contain_text(OUTCOME_OK)
    result = initialize_results(page)
    expect(result).to_have_count(1)
    expect(result).to_contain_text(re.compile(r"answers #\d+ · \d+(\.\d+)? ms"))
    expect(protocol_log(page).get_by_text("notifications/initialized", exact=True)).to_be_visible()

    # Expanding the request shows the raw JSON that went over the wire.
    body = request.locator("pre")
    expect(body).to_be_hidden()
    # Click the summary's text: its middle may be the outcome link, which only jumps.
    request.get_by_text(re.compile(r"^initialize \(id \d+\)$")).click()
    expect(body).to_be_visible()
    expect(body).to_contain_text('"protocolVersion"')
    expect(body).to_contain_text(f'"{NEGOTIATED}"')

    # The server's stderr, in its own lane.
    console = page.get_by_role("list", name="Server output")
    expect(console.get_by_text("fixture-everything starting")).to_be_visible()

    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # Disconnect: the header updates itself from the websocket.
    page.get_by_role("button", name="Disconnect").click()
    expect(session_status(page)).to_have_text("closed")
    reconnect = page.get_by_role("button", name="Reconnect")
    expect(reconnect).to_be_visible()
    expect(page.get_by_role("button", name="Disconnect")).to_have_count(0)

    # Reconnect: a second handshake arrives live, with nothing shown twice.
    listings = protocol_log(page).locator('li[data-method="tools/list"][data-direction="out"]')
    listed_before = listings.count()
    reconnect.click()
    expect(session_status(page)).to_have_text("connected")
    expect(initialize_requests(page)).to_have_count(2)
    expect(initialize_requests(page).nth(1)).to_contain_text(OUTCOME_OK)
    expect(initialize_results(page)).to_have_count(2)
    expect(page.get_by_role("button", name="Disconnect")).to_be_visible()
    expect(console.get_by_text("fixture-everything starting")).to_have_count(2)
    assert_no_duplicates(page)

    # The open Tools tab lists the new connection's tools; once answered, nothing is on
    # its way. A reload then renders the same history, and the stream resumes after it.
    expect(listings).not_to_have_count(listed_before)
    expect(protocol_log(page).locator(".outcome-pending")).to_have_count(0)
    seqs_before = lane_seqs(page)
    page.reload()
    expect(live_status(page)).to_have_text("Live")
    assert lane_seqs(page) == seqs_before


def test_failed_connect_names_the_layer_and_the_command(page: Page, inspector_url: str) -> None:
    open_home(page, inspector_url)
    fill_stdio(page, "no-such-command-xyz")

    alert = page.get_by_role("region", name="Connect to a server").get_by_role("alert")
    expect(alert).to_contain_text("process layer")
    expect(alert).to_contain_text("no-such-command-xyz")
    expect(page.get_by_role("heading", name="Connect to a server")).to_be_visible()
    # The failed attempt is recorded, and its wire traffic is one link away.
    expect(alert.get_by_role("link", name="See what went over the wire")).to_be_visible()


def test_filters_narrow_the_protocol_log(page: Page, inspector_url: str) -> None:
    connect_everything(page, inspector_url)
    rows = protocol_rows(page)
    expect(initialize_results(page)).to_have_count(1)
    # The Tools tab lists the tools as the page opens: count once that has arrived too.
    expect(rows.filter(has_text="result of tools/list")).to_have_count(1)
    total = rows.count()
    assert total >= 4, "expected lifecycle rows besides the handshake"

    method_filter(page).fill("initialize")
    visible = rows.filter(visible=True)
    expect(visible).not_to_have_count(total)
    for index in range(rows.count()):
        row = rows.nth(index)
        method = row.get_attribute("data-method") or ""
        if "initialize" in method:
            expect(row).to_be_visible()
        else:
            expect(row).to_be_hidden()
    expect(visible.filter(has_text="notifications/initialized")).to_have_count(1)

    direction_filter(page).select_option(label="Server to client")
    expect(visible).to_have_count(1)
    expect(visible).to_contain_text("result of initialize")
    for index in range(rows.count()):
        row = rows.nth(index)
        if row.get_attribute("data-direction") != "in":
            expect(row).to_be_hidden()

    # Clearing the method filter shows every inbound row again, and only those.
    method_filter(page).fill("")
    for index in range(rows.count()):
        row = rows.nth(index)
        if row.get_attribute("data-direction") == "in":
            expect(row).to_be_visible()
        else:
            expect(row).to_be_hidden()

    # Back to both directions: everything shows.
    direction_filter(page).select_option(label="Both")
    expect(rows.filter(visible=True)).to_have_count(total)


def test_events_during_a_websocket_drop_are_replayed_once(
    context: BrowserContext, page: Page, inspector_url: str
) -> None:
    context.add_init_script(TRACK_WEBSOCKETS)
    connect_everything(page, inspector_url)
    page.get_by_role("button", name="Disconnect").click()
    expect(session_status(page)).to_have_text("closed")
    before = lane_seqs(page)

    # The network goes away: the open socket dies and new ones cannot connect.
    page.evaluate(
        """() => {
            window.__websockets.blocked = true;
            window.__websockets.sockets.forEach(socket => socket.close());
        }"""
    )
    expect(live_status(page)).to_have_text(re.compile("Reconnecting"))

    # Meanwhile the session moves on: reconnecting it records a whole new handshake.
    with page.expect_response(re.compile(r"/reconnect$")) as response:
        page.get_by_role("button", name="Reconnect").click()
    assert response.value.status == 204
    expect(live_status(page)).to_have_text(re.compile("Reconnecting"))
    expect(initialize_requests(page)).to_have_count(1)  # nothing could reach the page
    assert lane_seqs(page) == before

    # The network comes back: the page asks for what it missed, and shows it once.
    opened = page.evaluate("() => window.__websockets.opened")
    page.evaluate("() => { window.__websockets.blocked = false; }")
    expect(live_status(page)).to_have_text("Live")
    assert page.evaluate("() => window.__websockets.opened") == opened + 1
    expect(session_status(page)).to_have_text("connected")
    expect(initialize_requests(page)).to_have_count(2)
    expect(initialize_results(page)).to_have_count(2)
    expect(initialize_requests(page).nth(1)).to_contain_text(OUTCOME_OK)
    assert_no_duplicates(page)
    after = assert_extends(page, before)

    # A second drop with nothing new in between replays nothing.
    opened = page.evaluate("() => window.__websockets.opened")
    page.evaluate("() => window.__websockets.sockets.forEach(socket => socket.close())")
    page.wait_for_function("n => window.__websockets.opened > n", arg=opened)
    expect(live_status(page)).to_have_text("Live")
    page.get_by_role("button", name="Disconnect").click()
    expect(session_status(page)).to_have_text("closed")
    assert_no_duplicates(page)
    assert_extends(page, after)
