"""End to end, in Chromium: the Resources and Prompts tabs against a real stdio server
(`tests/servers/resources_server.py`).

Listings page by appending; a server's Markdown is rendered without its script running;
a template is filled with completions and read; a subscription's update is shown and the
resource read again; a prompt's arguments are completed, checked and sent, and its
messages shown by role.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Locator, Page, expect

from tests.browser.support import choose_era

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
RESOURCES_SERVER = REPO_ROOT / "tests" / "servers" / "resources_server.py"


def connect(page: Page, inspector_url: str, tab: str) -> None:
    page.goto(inspector_url)
    form = page.get_by_role("region", name="Connect to a server")
    form.get_by_label("Transport", exact=True).select_option("stdio")
    # The fixture speaks both eras; these tests are about the legacy one.
    choose_era(form, "legacy")
    form.get_by_label("Command", exact=True).fill(sys.executable)
    form.get_by_label("Arguments", exact=True).fill(str(RESOURCES_SERVER))
    form.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")
    expect(page.locator("#live-status")).to_have_text("Live")
    page.get_by_role("tab", name=tab).click()
    expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")


def resource_list(page: Page) -> Locator:
    return page.get_by_role("list", name="Resources", exact=True)


def open_resource(page: Page, title: str) -> Locator:
    resources = resource_list(page)
    button = resources.get_by_role("button", name=f"Resource {title}", exact=True)
    expect(resources.locator("li.item").first).to_be_visible()
    if not button.count():
        resources.get_by_role("button", name="Load more").click()
    button.click()
    detail = page.locator("#resource-detail")
    expect(detail.get_by_role("heading", name=title, exact=True).first).to_be_visible()
    return detail


def suggestions(page: Page, field_id: str) -> Locator:
    return page.locator(f"#{field_id}-suggestions option")


def test_resources_page_by_appending_and_show_each_type(page: Page, inspector_url: str) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    connect(page, inspector_url, "Resources")
    resources = resource_list(page)
    expect(resources.locator("li.item")).to_have_count(5)
    first_five = resources.locator("li.item").all_inner_texts()
    resources.get_by_role("button", name="Load more").click()
    expect(resources.locator("li.item")).to_have_count(8)
    assert resources.locator("li.item").all_inner_texts()[:5] == first_five
    expect(resources.get_by_role("button", name="Load more")).to_have_count(0)
    templates = page.get_by_role("list", name="Resource templates")
    expect(templates.get_by_role("button", name="Template Catalog item")).to_be_visible()

    # The list's search box filters what is listed.
    page.get_by_role("searchbox", name="Search Resources").fill("counter")
    expect(resources.locator("li.item:visible")).to_have_count(1)
    page.get_by_role("searchbox", name="Search Resources").fill("")

    # A server's Markdown: rendered, but its script, handlers and javascript: links inert.
    detail = open_resource(page, "Read me")
    markdown = detail.locator(".markdown")
    expect(markdown.get_by_role("heading", name="Read me")).to_be_visible()
    expect(markdown.get_by_role("link", name="safe link")).to_have_attribute(
        "href", "https://example.com/docs"
    )
    expect(markdown.get_by_text("<script>", exact=False)).to_be_visible()
    assert markdown.locator("script, img, a[href^='javascript:']").count() == 0
    expect(markdown.get_by_role("link", name="dangerous link")).to_have_count(0)
    page.wait_for_timeout(300)
    assert page.evaluate("document.body.dataset.pwned") is None
    assert dialogs == []

    # An image from a blob, shown from the stored event.
    detail = open_resource(page, "pixel")
    image = detail.get_by_role("img", name=re.compile("Image from the server"))
    expect(image).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 2", arg=image.element_handle()
    )

    # JSON, pretty-printed, with the resource's annotations.
    detail = open_resource(page, "config")
    expect(detail.get_by_role("definition").filter(has_text="user, assistant")).to_be_visible()
    expect(detail.locator(".content-text")).to_contain_text('"items": [')

    # Binary data is a download.
    detail = open_resource(page, "bytes")
    expect(detail.get_by_text("Binary content, not shown.")).to_be_visible()
    with page.expect_download() as download:
        detail.get_by_role("link", name="Download").click()
    assert Path(download.value.path()).read_bytes() == bytes(range(256))


def test_a_template_is_completed_expanded_and_read(page: Page, inspector_url: str) -> None:
    connect(page, inspector_url, "Resources")
    page.get_by_role("button", name="Template Catalog item").click()
    detail = page.locator("#resource-detail")
    expect(detail.get_by_role("heading", name="Catalog item")).to_be_visible()

    category = detail.get_by_label("category")
    category.click()
    category.press_sequentially("b")
    expect(suggestions(page, "f-template-var_2f_category")).to_have_count(1)
    expect(suggestions(page, "f-template-var_2f_category").first).to_have_attribute(
        "value", "books"
    )
    category.fill("books")

    # The id's suggestions depend on the category already chosen (context.arguments).
    ids = detail.get_by_label("id", exact=True)
    ids.click()
    expect(suggestions(page, "f-template-var_2f_id")).to_have_count(3)
    values = suggestions(page, "f-template-var_2f_id").evaluate_all(
        "options => options.map(option => option.value)"
    )
    assert values == ["b-100", "b-101", "b-200"]
    expect(page.locator("#resource-completion-note")).to_have_text("id: 3 suggestions")

    ids.fill("b-101")
    expect(detail.locator("#template-uri output")).to_have_text("fixture://items/books/b-101")
    detail.get_by_role("button", name="Read", exact=True).click()
    contents = detail.get_by_role("region", name="Contents of fixture://items/books/b-101")
    expect(contents.get_by_text("Item b-101 of books")).to_be_visible()


def test_a_subscription_update_is_shown_and_read_again(page: Page, inspector_url: str) -> None:
    connect(page, inspector_url, "Resources")
    detail = open_resource(page, "Counter")
    contents = detail.get_by_role("region", name="Contents of fixture://counter")
    expect(contents.locator(".content-text")).to_have_text("count: 0")
    notice = contents.get_by_text("The server says this resource changed.")
    expect(notice).to_be_hidden()

    # The server changes the counter half a second after the subscription.
    contents.get_by_role("button", name="Subscribe").click()
    expect(contents.get_by_role("button", name="Unsubscribe")).to_be_visible()
    subscriptions = page.get_by_role("region", name="Subscriptions")
    row = subscriptions.get_by_role("listitem").filter(has_text="fixture://counter")
    expect(row).to_be_visible()
    expect(notice).to_be_visible()
    expect(row.get_by_text("changed")).to_be_visible()
    expect(contents.locator(".content-text")).to_have_text("count: 0")

    contents.get_by_role("button", name="Read again").click()
    expect(contents.locator(".content-text")).to_have_text("count: 1")
    expect(contents.get_by_text("The server says this resource changed.")).to_be_hidden()
    expect(row.get_by_text("changed")).to_be_hidden()

    contents.get_by_role("button", name="Unsubscribe").click()
    expect(contents.get_by_role("button", name="Subscribe")).to_be_visible()
    expect(subscriptions.get_by_text("None yet")).to_be_visible()


def test_a_prompt_with_arguments(page: Page, inspector_url: str) -> None:
    connect(page, inspector_url, "Prompts")
    page.get_by_role("button", name="Prompt Greeting").click()
    detail = page.locator("#prompt-detail")
    expect(detail.get_by_role("heading", name="Greeting")).to_be_visible()
    name = detail.get_by_label("Your name")
    expect(detail.locator("label[for='f-prompt-arg_2f_name'] .required")).to_be_visible()
    expect(detail.locator("label[for='f-prompt-arg_2f_style'] .required")).to_have_count(0)

    # Getting it without the required argument sends nothing, unless asked to.
    detail.get_by_role("button", name="Get prompt").click()
    status = detail.locator("#prompt-arguments-status")
    expect(status).to_contain_text("Nothing was sent.")
    name_errors = detail.locator("#f-prompt-arg_2f_name-errors")
    expect(name_errors.get_by_role("listitem")).to_have_count(1)
    status.get_by_role("button", name="Get anyway").click()
    first = detail.locator("#prompt-results > article").first
    expect(first).to_contain_text("JSON-RPC error -32602")
    expect(first).to_contain_text("Missing argument: name")

    name.click()
    name.press_sequentially("Al")
    expect(suggestions(page, "f-prompt-arg_2f_name")).to_have_count(2)
    expect(page.locator("#prompt-completion-note")).to_have_text("name: 2 suggestions")
    name.fill("Alan")
    detail.get_by_label("style").fill("pirate")
    detail.get_by_role("button", name="Get prompt").click()
    result = detail.locator("#prompt-results > article").first
    messages = result.get_by_role("list", name="Messages")
    expect(messages.get_by_role("listitem")).to_have_count(1)
    expect(messages.get_by_role("listitem").first).to_contain_text("user")
    expect(messages).to_contain_text("Say hello to Alan in a pirate way.")
    expect(status).not_to_contain_text("Nothing was sent.")
    expect(name_errors.get_by_role("listitem")).to_have_count(0)

    # Every content type, by role.
    page.get_by_role("button", name="Prompt showcase").click()
    expect(detail.get_by_role("heading", name="showcase")).to_be_visible()
    detail.get_by_label("topic").fill("cats")
    detail.get_by_role("button", name="Get prompt").click()
    messages = detail.locator("#prompt-results > article").first.get_by_role(
        "list", name="Messages"
    )
    expect(messages.locator("li.message")).to_have_count(5)
    expect(messages.locator("li.role-assistant")).to_have_count(2)
    expect(messages.get_by_role("img", name=re.compile("Image from the server"))).to_be_visible()
    expect(messages.locator("audio")).to_have_count(1)
    expect(messages.locator(".markdown").get_by_role("heading", name="Read me")).to_be_visible()
    messages.get_by_role("button", name="Read fixture://text/plain").click()
    expect(messages.get_by_text("Plain text from the fixture.")).to_be_visible()
