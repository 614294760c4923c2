"""End to end, in Chromium: the Tools tab against a real stdio server of test tools.

A generated form with a nested object and an array is filled and called; an invalid
argument is shown as invalid, then sent on purpose; an output-schema mismatch is
flagged; the list pages are appended; progress shows and a slow call is cancelled; a
10 MB result keeps the page responsive.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.support import choose_era

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS_SERVER = REPO_ROOT / "tests" / "servers" / "tools_server.py"


def connect_tools_server(page: Page, inspector_url: str) -> None:
    page.goto(inspector_url)
    form = page.get_by_role("region", name="Connect to a server")
    form.get_by_label("Transport", exact=True).select_option("stdio")
    # The fixture speaks both eras; these tests are about the legacy one.
    choose_era(form, "legacy")
    form.get_by_label("Command", exact=True).fill(sys.executable)
    form.get_by_label("Arguments", exact=True).fill(str(TOOLS_SERVER))
    form.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")
    expect(page.get_by_role("tab", name="Tools")).to_have_attribute("aria-selected", "true")


def tool_list(page: Page) -> Locator:
    return page.get_by_role("list", name="Tools")


def open_tool(page: Page, title: str) -> Locator:
    tools = tool_list(page)
    button = tools.get_by_role("button", name=f"Tool {title}", exact=True)
    if not button.count():
        tools.get_by_role("button", name="Load more").click()
    tools.get_by_role("button", name=f"Tool {title}", exact=True).click()
    detail = page.locator("#tool-detail")
    expect(detail.get_by_role("heading", name=title)).to_be_visible()
    return detail


def latest_result(page: Page) -> Locator:
    return page.locator("#tool-results > article").first


# True once the JSON view holds the expected arguments (key order aside): the view
# follows the form after a short pause, so the test waits for it like a person would.
SAME_ARGUMENTS = """
(expected) => {
  const canonical = (value) => JSON.stringify(value, (key, inner) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort()) : inner);
  try {
    return canonical(JSON.parse(document.getElementById("tool-args-json").value)) ===
      canonical(expected);
  } catch (error) {
    return false;
  }
}
"""


def wait_for_arguments(page: Page, expected: object) -> None:
    try:
        page.wait_for_function(SAME_ARGUMENTS, arg=expected)
    except PlaywrightTimeoutError:
        shown = page.locator("#tool-args-json").input_value()
        raise AssertionError(f"The JSON view shows {shown}, not {expected}") from None


def test_list_pages_are_appended_and_searchable(page: Page, inspector_url: str) -> None:
    connect_tools_server(page, inspector_url)
    tools = tool_list(page)
    expect(tools.get_by_role("button", name="Tool Create user")).to_be_visible()
    expect(tools.locator("li.item")).to_have_count(10)
    tools.get_by_role("button", name="Load more").click()
    expect(tools.locator("li.item")).to_have_count(15)
    # The first page is still there: pages are appended, not replaced.
    expect(tools.get_by_role("button", name="Tool Create user")).to_be_visible()
    expect(tools.get_by_role("button", name="Tool filler_04")).to_be_visible()
    # Display names follow title, then annotations.title, then name.
    expect(tools.get_by_role("button", name="Tool Wipe all data")).to_be_visible()
    page.get_by_role("searchbox", name="Search Tools").fill("filler")
    expect(tools.locator("li.item:visible")).to_have_count(4)


def test_nested_form_with_array_is_called_and_structured_output_checked(
    page: Page, inspector_url: str
) -> None:
    connect_tools_server(page, inspector_url)
    detail = open_tool(page, "Create user")
    expect(detail.get_by_text("non-destructive")).to_be_visible()
    detail.get_by_label("Full name").fill("Ada Lovelace")
    detail.get_by_label("city").fill("London")
    for count in (1, 2):
        detail.get_by_role("button", name="Add an item to tags").click()
        expect(detail.get_by_role("textbox", name=f"Item {count}", exact=True)).to_be_visible()
    detail.get_by_role("textbox", name="Item 1", exact=True).fill("math")
    detail.get_by_role("textbox", name="Item 2", exact=True).fill("engines")
    detail.get_by_label("role").select_option(label="Administrator")
    expect(detail.get_by_text("The arguments match the input schema.")).to_be_visible()
    wait_for_arguments(
        page,
        {
            "name": "Ada Lovelace",
            "role": "admin",
            "address": {"city": "London"},
            "tags": ["math", "engines"],
        },
    )
    detail.get_by_role("button", name="Run tool").click()
    result = latest_result(page)
    expect(result.get_by_text("result", exact=True)).to_be_visible()
    expect(result.get_by_text("structuredContent matches the outputSchema.")).to_be_visible()
    expect(result.locator(".content-text")).to_contain_text('"name": "Ada Lovelace"')


def test_json_view_drives_the_form(page: Page, inspector_url: str) -> None:
    connect_tools_server(page, inspector_url)
    detail = open_tool(page, "Create user")
    detail.get_by_role("tab", name="JSON").click()
    page.locator("#tool-args-json").fill(
        json.dumps({"name": "Grace", "address": {"city": "Arlington"}, "tags": ["navy"]})
    )
    detail.get_by_role("tab", name="Form").click()
    expect(detail.get_by_label("Full name")).to_have_value("Grace")
    expect(detail.get_by_role("textbox", name="Item 1", exact=True)).to_have_value("navy")


def test_invalid_argument_is_shown_then_sent_on_purpose(page: Page, inspector_url: str) -> None:
    connect_tools_server(page, inspector_url)
    detail = open_tool(page, "Create user")
    detail.get_by_label("Full name").fill("A")
    detail.get_by_label("city").fill("Paris")
    detail.get_by_label("age").fill("-3")
    name_errors = page.locator("#f-arg_2f_name-errors")
    expect(name_errors).to_contain_text("is too short")
    expect(page.locator("#f-arg_2f_age-errors")).to_contain_text("less than the minimum")
    detail.get_by_role("button", name="Run tool").click()
    status = page.locator("#tool-arguments-status")
    expect(status).to_contain_text("Run tool sends only arguments that match")
    page.wait_for_timeout(500)  # a refused run answers at once; give a wrong one time to show
    expect(page.locator("#tool-results > article")).to_have_count(0)
    status.get_by_role("button", name="Send anyway").click()
    result = latest_result(page)
    expect(result).to_contain_text("Sent on purpose with arguments that break the input schema")
    expect(result).to_contain_text("age")


def test_output_schema_mismatch_and_missing_structure_are_flagged(
    page: Page, inspector_url: str
) -> None:
    connect_tools_server(page, inspector_url)
    detail = open_tool(page, "bad_report")
    detail.get_by_role("button", name="Run tool").click()
    result = latest_result(page)
    expect(result).to_contain_text("structuredContent does not match the outputSchema.")
    expect(result).to_contain_text("'three' is not of type 'integer'")
    detail = open_tool(page, "missing_structure")
    detail.get_by_role("button", name="Run tool").click()
    expect(latest_result(page)).to_contain_text("must carry structuredContent")


def test_tool_error_and_media_content(page: Page, inspector_url: str) -> None:
    connect_tools_server(page, inspector_url)
    open_tool(page, "failing").get_by_role("button", name="Run tool").click()
    expect(latest_result(page)).to_contain_text("tool error (isError)")
    open_tool(page, "media").get_by_role("button", name="Run tool").click()
    result = latest_result(page)
    image = result.get_by_role("img", name=re.compile("Image from the server"))
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") == 1
    expect(result.locator("audio")).to_have_count(1)
    expect(result).to_contain_text("embedded text")
    result.get_by_role("button", name="Read test://linked").click()


def test_progress_is_shown_and_a_slow_call_cancelled(page: Page, inspector_url: str) -> None:
    connect_tools_server(page, inspector_url)
    detail = open_tool(page, "slow")
    detail.get_by_label("steps").fill("20")
    detail.get_by_role("button", name="Run tool").click()
    progress = re.compile(r"step \d+ \(\d+ of 20\)")
    expect(detail.locator(".call-progress-message")).to_have_text(progress)
    detail.get_by_role("button", name="Cancel").click()
    result = latest_result(page)
    expect(result.get_by_text("Cancelled", exact=True)).to_be_visible()
    expect(result).to_contain_text("Cancelled by the user")


def test_a_10_mb_result_is_cut_and_the_page_stays_responsive(
    page: Page, inspector_url: str
) -> None:
    connect_tools_server(page, inspector_url)
    detail = open_tool(page, "big_text")
    detail.get_by_label("size").fill(str(10 * 1024 * 1024))
    detail.get_by_role("button", name="Run tool").click()
    result = latest_result(page)
    expect(result.locator(".truncation")).to_contain_text("Showing the first 97.7 KB of 10.0 MB")
    # The page answers at once: a click on another tab switches it.
    page.get_by_role("tab", name="Protocol").click()
    expect(page.locator("#panel-protocol")).to_be_visible()
    page.get_by_role("tab", name="Tools").click()
    with page.expect_download() as download:
        result.get_by_role("link", name="Download").click()
    assert Path(download.value.path()).stat().st_size == 10 * 1024 * 1024


def test_cli_command_follows_the_arguments(page: Page, inspector_url: str) -> None:
    connect_tools_server(page, inspector_url)
    detail = open_tool(page, "log")
    detail.get_by_label("level").fill("warning")
    detail.get_by_label("message").fill("disk almost full")
    cli = page.locator("#tool-cli-text")
    expect(cli).to_contain_text("--method tools/call --tool-name log --tool-arg level=warning")
    expect(cli).to_contain_text("--tool-arg 'message=disk almost full'")
    detail.get_by_role("button", name="Run tool").click()
    expect(latest_result(page)).to_contain_text("logged")
    page.get_by_role("tab", name="Server log").click()
    expect(page.locator("#server-log")).to_contain_text("disk almost full")


def test_list_changed_marks_the_list_stale(page: Page, inspector_url: str) -> None:
    connect_tools_server(page, inspector_url)
    open_tool(page, "mutate").get_by_role("button", name="Run tool").click()
    stale = page.locator("#stale-tools")
    expect(stale).to_be_visible()
    stale.get_by_role("button", name="Refresh").click()
    tools = tool_list(page)
    tools.get_by_role("button", name="Load more").click()
    expect(tools.get_by_role("button", name="Tool added_later")).to_be_visible()
    expect(page.locator("#stale-tools")).to_be_hidden()


def test_a_tool_error_is_marked_as_such_in_the_protocol_tab(page: Page, inspector_url: str) -> None:
    connect_tools_server(page, inspector_url)
    open_tool(page, "failing").get_by_role("button", name="Run tool").click()
    expect(latest_result(page)).to_contain_text("tool error (isError)")
    page.get_by_role("tab", name="Protocol").click()
    call = (
        page.get_by_role("list", name="Protocol messages")
        .locator(":scope > li")
        .filter(has=page.get_by_text(re.compile(r"^tools/call \(id \d+\)$")))
    )
    outcome = call.locator(".outcome")
    # Answered, but the tool failed: neither the green "ok" nor a protocol error.
    expect(outcome).to_have_text(re.compile(r"^tool error · [\d.]+ ms$"))
    expect(outcome).to_have_class(re.compile(r"\boutcome-tool-error\b"))


def test_a_reconnect_lists_afresh(page: Page, inspector_url: str) -> None:
    connect_tools_server(page, inspector_url)
    open_tool(page, "log")
    page.get_by_role("button", name="Disconnect").click()
    session_status = page.get_by_role("status", name="Session status")
    expect(session_status).to_have_text("closed")
    page.get_by_role("button", name="Reconnect").click()
    expect(session_status).to_have_text("connected")
    # Listed again from the new connection, with no word of a change nobody announced.
    tools = tool_list(page)
    expect(tools.get_by_role("button", name="Load more")).to_be_visible()
    expect(page.locator("#stale-tools")).to_be_hidden()
    detail = open_tool(page, "failing")
    detail.get_by_role("button", name="Run tool").click()
    expect(latest_result(page)).to_contain_text("tool error (isError)")
    expect(page.get_by_text("not in the server's last listing")).to_have_count(0)


def test_only_what_the_person_set_is_sent(page: Page, inspector_url: str) -> None:
    connect_tools_server(page, inspector_url)
    detail = open_tool(page, "Create user")
    # role and active have defaults: named beside the field, not filled in.
    expect(detail.get_by_text("Left empty, the server's default applies: Viewer")).to_be_visible()
    detail.get_by_label("Full name").fill("Ada Lovelace")
    detail.get_by_label("city").fill("London")
    wait_for_arguments(page, {"name": "Ada Lovelace", "address": {"city": "London"}})
    cli = page.locator("#tool-cli-text")
    expect(cli).to_contain_text("--tool-arg 'name=Ada Lovelace'")
    expect(cli).not_to_contain_text("role=")
    expect(cli).not_to_contain_text("active=")
    detail.get_by_role("button", name="Run tool").click()
    expect(latest_result(page)).to_contain_text('"name": "Ada Lovelace"')
    page.get_by_role("tab", name="Protocol").click()
    call = (
        page.get_by_role("list", name="Protocol messages")
        .locator(":scope > li")
        .filter(has=page.get_by_text(re.compile(r"^tools/call \(id \d+\)$")))
    )
    sent = call.locator("pre")
    expect(sent).to_contain_text('"Ada Lovelace"')
    expect(sent).not_to_contain_text('"active"')
    expect(sent).not_to_contain_text('"role"')


def test_a_field_filled_validly_loses_its_invalid_mark(page: Page, inspector_url: str) -> None:
    connect_tools_server(page, inspector_url)
    detail = open_tool(page, "Create user")
    name = detail.get_by_label("Full name")
    name.fill("A")
    expect(page.locator("#f-arg_2f_name-errors")).to_contain_text("is too short")
    expect(name).to_have_attribute("aria-invalid", "true")
    name.fill("Ada Lovelace")
    expect(page.locator("#f-arg_2f_name-errors")).to_have_text("")
    expect(name).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator('.sf-field[data-name="arg/name"]')).not_to_have_class(
        re.compile(r"\binvalid\b")
    )
    detail.get_by_label("city").fill("London")
    expect(page.locator("#tool-arguments-status")).to_contain_text(
        "The arguments match the input schema."
    )
    expect(detail.locator("[aria-invalid=true]")).to_have_count(0)


def test_a_fresh_tool_is_not_judged_before_anything_is_typed(
    page: Page, inspector_url: str
) -> None:
    connect_tools_server(page, inspector_url)
    detail = open_tool(page, "Create user")
    status = page.locator("#tool-arguments-status")
    expect(status).to_contain_text("Fields marked * are still to fill in")
    expect(detail.get_by_text("Required.")).to_have_count(0)
    expect(status.get_by_role("button", name="Send anyway")).to_have_count(0)
    expect(detail.locator("[aria-invalid=true]")).to_have_count(0)
    # A try to send shows every problem, on its field.
    detail.get_by_role("button", name="Run tool").click()
    expect(status).to_contain_text("2 problems with these arguments")
    expect(page.locator("#f-arg_2f_name-errors")).to_have_text("Required.")
    expect(page.locator("#f-arg_2f_address_2f_city-errors")).to_have_text("Required.")
    expect(detail.get_by_label("Full name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#tool-results > article")).to_have_count(0)


def test_a_json_error_stays_with_the_json_view(page: Page, inspector_url: str) -> None:
    connect_tools_server(page, inspector_url)
    detail = open_tool(page, "Create user")
    detail.get_by_label("Full name").fill("Ada Lovelace")
    detail.get_by_label("city").fill("London")
    status = page.locator("#tool-arguments-status")
    expect(status).to_contain_text("The arguments match the input schema.")
    # Leaving the field sends the form once more ("change"); that answer, and any typing
    # pause's, are in before the JSON is edited, as a person's would be.
    detail.get_by_label("city").blur()
    page.wait_for_load_state("networkidle")
    detail.get_by_role("tab", name="JSON").click()
    page.locator("#tool-args-json").fill('{"name": ')
    expect(status).to_contain_text("The JSON is not valid")
    detail.get_by_role("tab", name="Form").click()
    # The form is what Run tool sends now: its state, not the JSON view's error.
    expect(status).not_to_contain_text("The JSON is not valid")
    expect(status).to_contain_text("The arguments match the input schema.")
    detail.get_by_role("button", name="Run tool").click()
    expect(latest_result(page)).to_contain_text('"name": "Ada Lovelace"')
