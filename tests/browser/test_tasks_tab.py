"""End to end, in Chromium: tools run as tasks from the Tools tab and followed in the
Tasks tab, against the real task fixture server (hand-written: the `mcp` package has no
tasks). A task is seen working, then completed with its result shown as a tool result;
another is cancelled, and a second cancel is refused plainly."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.support import choose_era

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
TASKS_SERVER = REPO_ROOT / "tests" / "servers" / "tasks_server.py"
# Slow enough stages that a person (and this test) sees the task working first.
SERVER_ARGUMENTS = f"{TASKS_SERVER} --stage-ms 1500"


def connect_tasks_server(page: Page, inspector_url: str) -> None:
    page.goto(inspector_url)
    form = page.get_by_role("region", name="Connect to a server")
    form.get_by_label("Transport", exact=True).select_option("stdio")
    # The fixture speaks both eras; these tests are about the legacy one.
    choose_era(form, "legacy")
    form.get_by_label("Command", exact=True).fill(sys.executable)
    form.get_by_label("Arguments", exact=True).fill(SERVER_ARGUMENTS)
    form.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")
    expect(page.get_by_role("tab", name="Tasks")).to_be_visible()


def open_tool(page: Page, title: str) -> Locator:
    page.get_by_role("list", name="Tools").get_by_role("button", name=f"Tool {title}").click()
    detail = page.locator("#tool-detail")
    expect(detail.get_by_role("heading", name=title)).to_be_visible()
    return detail


def task_in_tasks_tab(page: Page, tool: str) -> Locator:
    page.get_by_role("tab", name="Tasks").click()
    tasks = page.get_by_role("list", name="Tasks")
    row = tasks.get_by_role("listitem").filter(has=page.get_by_text(tool, exact=True))
    expect(row).to_have_count(1)
    return row


def test_a_task_run_to_completion(page: Page, inspector_url: str) -> None:
    connect_tasks_server(page, inspector_url)
    detail = open_tool(page, "Brew coffee")
    detail.get_by_label("cups").fill("3")
    detail.get_by_label("Run as task").check()
    detail.get_by_role("button", name="Run tool").click()
    started = page.locator("#tool-results > article").first
    expect(started).to_contain_text("Running as a task")
    row = task_in_tasks_tab(page, "brew")
    status = row.get_by_role("status", name="Task status")
    expect(status).to_have_text("working")
    expect(row).to_contain_text("Heating water")  # the server's status message, as it moves
    expect(status).to_have_text("completed", timeout=20_000)
    result = row.get_by_role("article", name="Result of brew")
    expect(result).to_contain_text("Brewed 3 cups at 92 °C.")
    expect(result).to_contain_text("structuredContent matches the outputSchema.")
    expect(row.get_by_role("button", name="Cancel task")).to_have_count(0)
    # The Tools tab's copy of the row followed along.
    page.get_by_role("tab", name="Tools").click()
    expect(started.get_by_role("status", name="Task status")).to_have_text("completed")


def test_a_task_is_cancelled_and_a_second_cancel_refused(page: Page, inspector_url: str) -> None:
    connect_tasks_server(page, inspector_url)
    detail = open_tool(page, "long_job")
    detail.get_by_label("Run as task").check()
    detail.get_by_role("button", name="Run tool").click()
    expect(page.locator("#tool-results > article").first).to_contain_text("Running as a task")
    row = task_in_tasks_tab(page, "long_job")
    status = row.get_by_role("status", name="Task status")
    expect(status).to_have_text("working")
    row.get_by_role("button", name="Cancel task").click()
    expect(status).to_have_text("cancelled")
    expect(row).to_contain_text("Cancelled with tasks/cancel.")
    expect(row.get_by_role("article", name="Result of long_job")).to_contain_text(
        "The task was cancelled."
    )
    row.get_by_role("button", name="Send tasks/cancel anyway").click()
    expect(row.get_by_role("alert")).to_contain_text(
        "The server refused to cancel: JSON-RPC error -32602"
    )
    expect(row.get_by_role("alert")).to_contain_text("a task that has ended cannot be cancelled")
    page.get_by_role("tab", name="Protocol").click()
    log = page.locator("#protocol-log")
    expect(log.locator('li[data-method="tasks/cancel"][data-direction="out"]')).to_have_count(2)
    expect(log.locator('li[data-method="notifications/cancelled"]')).to_have_count(0)
