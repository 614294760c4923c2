"""axe-core over every page, in the light and the dark theme, and the theme control.

Each test walks one group of pages a person reaches in turn, against the real fixture
servers, and asks axe-core for WCAG 2.1 A/AA violations in both colour schemes (the
system setting, emulated). Screenshots of each land under INSPECTOR_SCREENS.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.axe import assert_clean, audit, axe_script, describe, violations
from tests.browser.conftest import EXPECT_TIMEOUT_MS
from tests.browser.support import choose_era, connect_stdio, inbox, open_inbox, screenshot
from tests.browser.test_apps import connect_apps_server
from tests.browser.test_apps import run_tool as run_app_tool
from tests.browser.test_inbox import card, connect_consent_server
from tests.browser.test_inbox import run_tool as run_consent_tool
from tests.browser.test_model import configure_model
from tests.servers.http_harness import run_server
from tests.servers.oauth_harness import OAuthServers, run_oauth_servers

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG = {
    "mcpServers": {
        "axe-everything": {
            "command": sys.executable,
            "args": ["-m", "tests.servers.everything_py"],
            "cwd": str(REPO_ROOT),
            "env": {"MODE": "accessibility"},
        }
    }
}


@pytest.fixture(scope="session")
def axe() -> Path:
    return axe_script()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    # axe is injected as a script tag, which the pages' strict CSP would refuse.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    yield context
    context.close()


def background(page: Page) -> str:
    return str(page.evaluate("() => getComputedStyle(document.body.parentElement).backgroundColor"))


def show_tab(page: Page, label: str) -> Locator:
    """Opens a session tab and waits until its panel has loaded."""
    page.get_by_role("tab", name=label, exact=True).click()
    panel = page.get_by_role("tabpanel", name=label, exact=True)
    expect(panel).to_be_visible()
    expect(panel.get_by_text("Loading…", exact=True)).to_have_count(0)
    return panel


def test_theme_follows_the_system_and_the_remembered_choice(
    browser: Browser, page: Page, inspector_url: str, axe: Path
) -> None:
    # The pages' own CSP applies here: the theme script must work under it.
    strict = browser.new_context(viewport={"width": 1280, "height": 800})
    strict.set_default_timeout(EXPECT_TIMEOUT_MS)
    refused: list[str] = []
    themed = strict.new_page()
    themed.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        themed.emulate_media(color_scheme="light")
        themed.goto(inspector_url)
        light = background(themed)
        choice = themed.get_by_label("Theme", exact=True)
        expect(choice).to_have_value("system")
        themed.emulate_media(color_scheme="dark")
        dark = background(themed)
        assert dark != light
        # Chosen Light, the page stays light under a dark system setting, after a reload too.
        choice.select_option("light")
        assert background(themed) == light
        themed.reload()
        expect(themed.get_by_label("Theme", exact=True)).to_have_value("light")
        assert background(themed) == light
        # Chosen Dark under a light system setting.
        themed.emulate_media(color_scheme="light")
        themed.get_by_label("Theme", exact=True).select_option("dark")
        themed.reload()
        assert themed.evaluate("() => document.documentElement.dataset.theme") == "dark"
        assert background(themed) == dark
        # Applied before the first paint: a blocking script in <head>, ahead of the styles.
        assert themed.evaluate(
            """() => {
                const script = document.querySelector('head script[src*="theme.js"]');
                const styles = document.querySelector('head link[rel="stylesheet"]');
                return Boolean(script && !script.defer && !script.async
                    && script.compareDocumentPosition(styles) & Node.DOCUMENT_POSITION_FOLLOWING);
            }"""
        )
        # Back to System: the setting decides again.
        themed.get_by_label("Theme", exact=True).select_option("system")
        assert background(themed) == light
        assert not refused, refused
    finally:
        strict.close()

    # axe over a page where Dark was chosen (this page's context lets axe be injected).
    page.emulate_media(color_scheme="light")
    page.goto(inspector_url)
    page.get_by_label("Theme", exact=True).select_option("dark")
    page.reload()
    assert background(page) == dark
    found = violations(page, axe)
    assert not found, describe("home, Dark chosen in the top bar", found)
    screenshot(page, "home-dark-chosen")


def test_home_saved_servers_and_every_session_tab(
    page: Page, inspector_url: str, axe: Path
) -> None:
    problems: list[str] = []
    # A saved server, and a session of it, so that both lists have rows.
    page.goto(inspector_url)
    page.get_by_role("region", name="Saved servers").get_by_role("link", name="Import…").click()
    expect(page.get_by_role("heading", name="Import servers")).to_be_visible()
    problems += audit(page, axe, "servers-import")
    page.get_by_label("Or paste JSON").fill(json.dumps(CONFIG))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status").filter(has_text="Saved:")).to_be_visible()
    page.goto(inspector_url)
    saved = page.get_by_role("region", name="Saved servers")
    saved.get_by_role("row", name=re.compile("axe-everything")).get_by_role(
        "button", name="Connect"
    ).click()
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")
    session_url = page.url
    page.goto(inspector_url)
    expect(page.locator("#sessions-results").get_by_role("link").first).to_be_visible()
    problems += audit(page, axe, "home")

    page.goto(session_url)
    expect(page.locator("#live-status")).to_have_text("Live")
    tools = show_tab(page, "Tools")
    tools.get_by_role("button", name="Tool echo", exact=True).click()
    detail = page.locator("#tool-detail")
    expect(detail.get_by_role("heading", name="echo")).to_be_visible()
    detail.get_by_role("textbox").first.fill("hello from the accessibility pass")
    detail.get_by_role("button", name="Run tool").click()
    expect(page.locator("#tool-results > article").first).to_contain_text("accessibility pass")
    problems += audit(page, axe, "session-tools")
    labels = page.get_by_role("tablist", name="Session views").get_by_role("tab").all_inner_texts()
    for label in labels:
        if label == "Tools":
            continue
        show_tab(page, label)
        problems += audit(page, axe, f"session-{label.lower().replace(' ', '-')}")

    # An event's own page (its permalink).
    show_tab(page, "Protocol")
    permalink = page.locator("#protocol-log .permalink").first.get_attribute("href")
    assert permalink
    page.goto(
        re.sub(r"/sessions/.*", "", page.url) + permalink
        if permalink.startswith("/")
        else permalink
    )
    expect(page.locator(".event.focused")).to_have_count(1)
    problems += audit(page, axe, "event-permalink")
    assert_clean(problems)


CONSENT_SERVER = REPO_ROOT / "tests" / "servers" / "consent_server.py"
EVERYTHING_SERVER = REPO_ROOT / "tests" / "servers" / "everything_py.py"
SKILLS_SERVER = REPO_ROOT / "tests" / "servers" / "skills_server.py"


def connect_python(page: Page, inspector_url: str, arguments: str) -> None:
    connect_stdio(page, inspector_url, arguments)
    expect(page.locator("#live-status")).to_have_text("Live")


def pending(page: Page, kind: str) -> Locator:
    open_inbox(page)
    found = inbox(page).get_by_role("article", name=kind, exact=True)
    expect(found).to_have_count(1)
    return found


def run(page: Page, tool: str) -> None:
    show_tab(page, "Tools")
    page.get_by_role("list", name="Tools").get_by_role(
        "button", name=f"Tool {tool}", exact=True
    ).click()
    detail = page.locator("#tool-detail")
    expect(detail.get_by_role("heading", name=tool)).to_be_visible()
    detail.get_by_role("button", name="Run tool").click()


def test_the_inbox_with_each_kind_of_request(page: Page, inspector_url: str, axe: Path) -> None:
    problems: list[str] = []
    connect_python(page, inspector_url, str(CONSENT_SERVER))

    run(page, "ask_llm")
    sampling = pending(page, "Sampling request")
    problems += audit(page, axe, "inbox-sampling")
    sampling.get_by_role("button", name="Reject").click()
    expect(sampling.get_by_role("status")).to_be_visible()

    run(page, "collect_profile")
    elicitation = pending(page, "Elicitation")
    problems += audit(page, axe, "inbox-elicitation-form")
    elicitation.get_by_role("button", name="Decline").click()
    expect(elicitation.get_by_role("status")).to_have_text("Declined by the local user.")

    run(page, "connect_account")
    pending(page, "Elicitation").get_by_role("button", name="Accept").click()
    accepted = page.get_by_role("region", name="Accepted links")
    expect(accepted.get_by_text("completed", exact=True)).to_be_visible()
    problems += audit(page, axe, "inbox-elicitation-url")

    client = show_tab(page, "Client")
    roots = client.get_by_role("region", name="Roots")
    roots.get_by_label("Root path or file:// URI").fill("/srv/demo")
    roots.get_by_label("Name", exact=True).fill("Demo")
    roots.get_by_role("button", name="Add root").click()
    request = pending(page, "Roots request")
    problems += audit(page, axe, "inbox-roots")
    request.get_by_role("button", name="Share roots").click()
    expect(page.locator("#inbox-count")).to_have_text("0")

    client = show_tab(page, "Client")
    client.get_by_role("checkbox", name="Confirm every tool call").check()
    expect(client.get_by_role("checkbox", name="Confirm every tool call")).to_be_checked()
    run(page, "delete_everything")
    held = pending(page, "Tool call awaiting confirmation")
    problems += audit(page, axe, "inbox-tool-consent")
    held.get_by_role("button", name="Run the tool").click()
    expect(page.locator("#inbox-count")).to_have_text("0")
    assert_clean(problems)


SESSION_URL = re.compile(r"/sessions/[0-9a-f]{32}/$")
DOCTOR_FAULTS = REPO_ROOT / "tests" / "servers" / "doctor_faults.py"
EVERYTHING = REPO_ROOT / "tests" / "servers" / "everything_py.py"


def saved_row(page: Page, name: str) -> Locator:
    return (
        page.get_by_role("region", name="Saved servers")
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=name, exact=True))
    )


# Names of this module's own: the other browser tests share the inspector and save theirs.
WEATHER = "axe-weather"


def connect_saved_weather(page: Page, inspector_url: str, version: str) -> str:
    """Saves (or edits) "axe-weather" to start the surface fixture at `version`, connects."""
    page.goto(inspector_url)
    if saved_row(page, WEATHER).count():
        saved_row(page, WEATHER).get_by_role("link", name="Edit").click()
        page.get_by_label("Arguments", exact=True).fill(
            f"-m tests.servers.surface_server {version}"
        )
        page.get_by_role("button", name="Save").click()
    else:
        form = page.get_by_role("region", name="Connect to a server")
        form.get_by_label("Transport", exact=True).select_option("stdio")
        choose_era(form, "legacy")
        form.get_by_label("Command", exact=True).fill(sys.executable)
        form.get_by_label("Arguments", exact=True).fill(
            f"-m tests.servers.surface_server {version}"
        )
        form.get_by_label("Working directory", exact=True).fill(str(REPO_ROOT))
        form.get_by_label("Save as", exact=True).fill(WEATHER)
        form.get_by_role("button", name="Save", exact=True).click()
        expect(form.get_by_role("status").filter(has_text="Saved as")).to_be_visible()
    saved_row(page, WEATHER).get_by_role("button", name="Connect").click()
    expect(page).to_have_url(SESSION_URL)
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")
    return page.url


def test_baseline_drift_compare_and_replay(page: Page, inspector_url: str, axe: Path) -> None:
    problems: list[str] = []
    before = connect_saved_weather(page, inspector_url, "v1")
    show_tab(page, "Tools")
    page.get_by_role("button", name="Pin as baseline").click()
    expect(page.get_by_role("status").filter(has_text="Pinned as the baseline")).to_be_visible()
    after = connect_saved_weather(page, inspector_url, "v2")
    show_tab(page, "Tools")
    drift = page.get_by_role("alert").filter(has_text="changed since the baseline pinned")
    drift.get_by_text("What changed").click()
    expect(drift.get_by_role("list", name="Changes")).to_be_visible()
    problems += audit(page, axe, "baseline-drift")

    page.get_by_role("link", name="Compare with another session…").click()
    page.get_by_label("Compare with", exact=True).select_option(
        before.rstrip("/").rsplit("/", 1)[1]
    )
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page.get_by_role("list", name="Changes")).to_be_visible()
    problems += audit(page, axe, "compare")

    page.goto(before)
    page.get_by_role("link", name="Replay…").click()
    expect(page.get_by_role("heading", name=re.compile("Replay the requests"))).to_be_visible()
    problems += audit(page, axe, "replay-form")
    page.get_by_label("Replay against").select_option(after.rstrip("/").rsplit("/", 1)[1])
    page.get_by_role("button", name="Run the replay").click()
    expect(page.get_by_role("status").filter(has_text="same,")).to_contain_text("Done:")
    problems += audit(page, axe, "replay-results")
    assert_clean(problems)


@pytest.fixture
def own_oauth_servers() -> Iterator[OAuthServers]:
    """An authorization server and MCP server of this test's own: the tokens it gets are
    stored for them, not for the pair the OAuth tests start from unauthorized."""
    with run_oauth_servers() as servers:
        yield servers


def test_report_load_test_and_auth_pages(
    page: Page, inspector_url: str, axe: Path, own_oauth_servers: OAuthServers
) -> None:
    oauth_servers = own_oauth_servers
    problems: list[str] = []
    # A connection that fails: the home page with its alert.
    page.goto(inspector_url)
    form = page.get_by_role("region", name="Connect to a server")
    form.get_by_label("Transport", exact=True).select_option("stdio")
    form.get_by_label("Command", exact=True).fill(sys.executable)
    form.get_by_label("Arguments", exact=True).fill(str(DOCTOR_FAULTS))
    form.get_by_role("button", name="Connect").click()
    expect(form.get_by_role("alert")).to_contain_text("Could not connect")
    problems += audit(page, axe, "connect-failed")
    # A report card with failures, warnings and passes.
    connect_python(page, inspector_url, f"{DOCTOR_FAULTS} faults")
    page.get_by_role("region", name="Report card").get_by_role(
        "button", name="Check this server"
    ).click()
    expect(page).to_have_url(re.compile(r"/reports/[0-9a-f]{32}/$"))
    verdict = page.get_by_role("heading", name=re.compile("^Verdict:"))
    expect(verdict).to_have_text("Verdict: Needs fixing", timeout=60_000)
    problems += audit(page, axe, "report")

    # A load test's figures and chart.
    connect_python(page, inspector_url, str(EVERYTHING))
    page.get_by_role("link", name="Load test a tool…").click()
    problems += audit(page, axe, "load-test-form")
    page.get_by_label("Tool", exact=True).fill("add")
    page.get_by_label("Arguments").fill('{"a": 1, "b": 2}')
    page.get_by_label("Concurrency").fill("2")
    page.get_by_label("Duration (seconds)").fill("1")
    page.get_by_role("button", name="Start the load test").click()
    expect(page.locator("#load-throughput")).to_contain_text("calls a second", timeout=30_000)
    problems += audit(page, axe, "load-test")

    # The Auth tab: refused first, then authorized.
    page.goto(inspector_url)
    form = page.get_by_role("region", name="Connect to a server")
    form.get_by_label("Transport", exact=True).select_option("http")
    form.get_by_label("URL", exact=True).fill(oauth_servers.mcp_url)
    form.get_by_role("button", name="Connect").click()
    expect(page.locator("#session-needs-authorization")).to_contain_text("HTTP 401")
    expect(page.get_by_role("tabpanel", name="Auth").get_by_text("Loading…")).to_have_count(0)
    problems += audit(page, axe, "auth-refused")
    page.locator("#session-needs-authorization").get_by_role("button", name="Authorize").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")
    show_tab(page, "Auth")
    expect(page.locator("#auth-token")).to_contain_text("mcp:tools")
    problems += audit(page, axe, "auth-authorized")
    assert_clean(problems)


RULE_BREAKER = REPO_ROOT / "tests" / "servers" / "rule_breaker.py"
TASKS_SERVER = REPO_ROOT / "tests" / "servers" / "tasks_server.py"


def test_findings_tasks_and_an_imported_session(
    page: Page, inspector_url: str, axe: Path, tmp_path: Path
) -> None:
    problems: list[str] = []
    # Findings: a flagged event opened in the Protocol tab, then the rules listed.
    connect_python(page, inspector_url, f"{RULE_BREAKER} tools.name")
    expect(page.get_by_role("status", name="Findings in this session")).to_contain_text("warning")
    protocol = show_tab(page, "Protocol")
    flagged = protocol.locator("li.event.flagged").first
    flagged.locator("summary").click()
    expect(flagged.get_by_role("list", name="Findings")).to_be_visible()
    problems += audit(page, axe, "findings-protocol")
    show_tab(page, "Findings")
    problems += audit(page, axe, "findings-tab")

    # The session as a file, imported back: a read-only record with its Catalog.
    with page.expect_download() as caught:
        page.get_by_role("button", name="Export session").click()
    saved = tmp_path / caught.value.suggested_filename
    caught.value.save_as(saved)
    page.get_by_role("link", name="Sessions").click()
    page.get_by_label("Import a session file").set_input_files(saved)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#session-origin")).to_contain_text("Imported from")
    show_tab(page, "Catalog")
    problems += audit(page, axe, "imported-catalog")
    page.get_by_role("link", name="Sessions").click()
    broken = tmp_path / "broken.jsonl"
    broken.write_text(saved.read_text()[:-40])
    page.get_by_label("Import a session file").set_input_files(broken)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("was not imported")
    problems += audit(page, axe, "import-refused")

    # Tasks: one running, shown in the Tasks tab.
    connect_python(page, inspector_url, f"{TASKS_SERVER} --stage-ms 1500")
    show_tab(page, "Tools")
    page.get_by_role("list", name="Tools").get_by_role(
        "button", name="Tool Brew coffee", exact=True
    ).click()
    detail = page.locator("#tool-detail")
    expect(detail.get_by_role("heading", name="Brew coffee")).to_be_visible()
    detail.get_by_label("cups").fill("2")
    detail.get_by_label("Run as task").check()
    detail.get_by_role("button", name="Run tool").click()
    expect(page.locator("#tool-results > article").first).to_contain_text("Running as a task")
    tasks = show_tab(page, "Tasks")
    expect(tasks.get_by_role("status", name="Task status").first).to_have_text(
        "completed", timeout=20_000
    )
    problems += audit(page, axe, "tasks")
    assert_clean(problems)


def test_model_playground_skills_and_an_app_view(page: Page, inspector_url: str, axe: Path) -> None:
    """The pages this round added: the Model page, a sampling request drafted by the model,
    the Playground with a tool call to confirm, the Skills tab with a digest mismatch, and
    a tool's App panel (the View itself is another origin's document)."""
    problems: list[str] = []
    with run_server("openai_fixture.py") as model:
        configure_model(page, inspector_url, model)
        problems += audit(page, axe, "model-settings")

        connect_consent_server(page, inspector_url)
        run_consent_tool(page, "ask_llm", question="What is MCP?")
        sampling = card(page, "Sampling request")
        sampling.get_by_role("button", name="Draft with model").click()
        expect(sampling.get_by_role("region", name="Request to the model")).to_be_visible()
        problems += audit(page, axe, "inbox-draft-request")
        sampling.get_by_role("button", name="Send to model").click()
        expect(sampling.get_by_role("status").filter(has_text="Drafted by")).to_be_visible()
        problems += audit(page, axe, "inbox-drafted")

        connect_python(page, inspector_url, str(EVERYTHING_SERVER))
        playground = show_tab(page, "Playground")
        playground.get_by_label("Message", exact=True).fill(
            'Please call tool echo {"message": "hi"}'
        )
        playground.get_by_role("button", name="Send").click()
        expect(page.get_by_role("form", name="Tool call to confirm")).to_be_visible()
        problems += audit(page, axe, "playground")

    connect_stdio(page, inspector_url, str(SKILLS_SERVER), era="modern")
    skills = show_tab(page, "Skills (draft)")
    refunds = skills.get_by_role("article", name="Skill refunds")
    refunds.get_by_role("button", name="Read examples/email.md of refunds").click()
    expect(refunds.get_by_role("alert")).to_contain_text("Digest mismatch")
    problems += audit(page, axe, "skills")

    connect_apps_server(page, inspector_url)
    panel = run_app_tool(page, "show_panel")
    expect(panel).to_contain_text("running")
    problems += audit(page, axe, "app-view")
    assert_clean(problems)
