"""The Resources and Prompts tabs, and completions, over the real fixture server
`tests/servers/resources_server.py`: listings paged, reads by MIME type, templates
expanded, subscriptions, prompts by role, completions with and without context, and
plain failures for errors, timeouts, lost sessions and malformed answers."""

from __future__ import annotations

import asyncio
import html
import json
import re
from typing import Any

import pytest
from django.test import AsyncClient

from inspector import services
from inspector.mcp.errors import JsonRpcError
from inspector.mcp.trace import MessageType, TraceEvent
from inspector.presenters.completions import completion_view
from inspector.presenters.content import ContentView
from inspector.presenters.prompts import message_view, prompt_result_view, prompt_schema
from inspector.presenters.resources import (
    Subscription,
    expand,
    read_view,
    resource_facts,
    template_schema,
)
from inspector.sessions.calls import CallOutcome
from inspector.sessions.status import SessionStatus
from tests.conftest import fixture_spec

pytestmark = pytest.mark.django_db(transaction=True)

ITEM_TEMPLATE = "fixture://items/{category}/{id}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def open_session(*args: str, **options: object) -> str:
    snapshot = await services.session_connect(
        spec=fixture_spec("resources_server", *args, **options)
    )
    assert snapshot.status is SessionStatus.CONNECTED, snapshot.error
    return snapshot.id


async def text(client: AsyncClient, url: str, data: dict[str, str] | None = None) -> str:
    response = await (client.post(url, data) if data is not None else client.get(url))
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


async def list_all(client: AsyncClient, session_id: str, listing: str) -> None:
    """List every page, so that the catalog knows every item."""
    page = await text(client, f"/sessions/{session_id}/list/{listing}")
    while cursor := re.search(r"\?cursor=([^\"]+)\"", page):
        page = await text(client, f"/sessions/{session_id}/list/{listing}?cursor={cursor[1]}")


async def events(session_id: str, method: str) -> list[TraceEvent]:
    """Requests the inspector sent, or notifications the server sent, by method."""
    found = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    wanted = (MessageType.REQUEST, MessageType.NOTIFICATION)
    return [e for e in found if e.method == method and e.message_type in wanted]


async def read(client: AsyncClient, session_id: str, uri: str) -> str:
    return await text(client, f"/sessions/{session_id}/resources/read?uri={uri}")


def template_form(**values: str) -> dict[str, str]:
    form = {"uri_template": ITEM_TEMPLATE}
    form.update({f"template-var/{name}": value for name, value in values.items()})
    return form


# -- listings --------------------------------------------------------------------------


async def test_the_tab_lists_resources_and_templates_and_pages_append(
    client: AsyncClient,
) -> None:
    session_id = await open_session()
    panel = await text(client, f"/sessions/{session_id}/resources/")
    assert f"/sessions/{session_id}/list/resources" in panel
    assert f"/sessions/{session_id}/list/templates" in panel
    assert ">Subscriptions</h2>" in panel, "the server offers resources.subscribe"

    first = await text(client, f"/sessions/{session_id}/list/resources")
    assert first.count('class="item"') == 5
    assert "Load more" in first
    cursor = re.search(r"\?cursor=([^\"]+)\"", first)
    assert cursor
    assert cursor[1] == "after-5"
    rest = await text(client, f"/sessions/{session_id}/list/resources?cursor={cursor[1]}")
    assert 'id="list-resources"' not in rest, "a later page is appended, not a new list"
    assert rest.count('class="item"') == 3
    assert "Counter" in rest
    assert "Load more" not in rest

    templates = await text(client, f"/sessions/{session_id}/list/templates")
    assert "Catalog item" in templates
    assert html.escape(ITEM_TEMPLATE) in templates
    assert "fixture://search{?q,limit}" in html.unescape(templates)


async def test_display_names_icons_annotations_and_meta(client: AsyncClient) -> None:
    session_id = await open_session()
    listing = await text(client, f"/sessions/{session_id}/list/resources")
    # title, then name (the SDK drops annotations.title, which resources do not have)
    assert 'aria-label="Resource Plain text"' in listing
    assert 'aria-label="Resource config"' in listing
    assert 'aria-label="Resource pixel"' in listing
    assert 'src="https://example.com/icon.png"' in listing
    assert "javascript:" not in listing, "an icon with an unsafe source is never shown"

    detail = await text(
        client, f"/sessions/{session_id}/resources/detail?uri=fixture://data/config.json"
    )
    assert '<h2 id="resource-heading">config</h2>' in detail
    for fact in ["application/json", "user, assistant", "0.8 (0 to 1)", "2025-05-01T12:00:00Z"]:
        assert f"<dd>{fact}</dd>" in detail, fact
    assert "example.com/owner" in detail, "_meta is shown as sent"
    assert f"/sessions/{session_id}/resources/read?uri=fixture%3A//data/config.json" in detail

    readme = await text(
        client, f"/sessions/{session_id}/resources/detail?uri=fixture://docs/readme.md"
    )
    assert re.search(r"<dt>Size</dt><dd>\d+ bytes</dd>", readme)

    missing = await client.get(f"/sessions/{session_id}/resources/detail?uri=fixture://nope")
    assert missing.status_code == 404


# -- reading ---------------------------------------------------------------------------


async def test_contents_are_shown_by_mime_type(client: AsyncClient) -> None:
    session_id = await open_session()

    plain = await read(client, session_id, "fixture://text/plain")
    assert 'data-resource-uri="fixture://text/plain"' in plain
    assert '<pre class="content-text">Plain text from the fixture.</pre>' in plain

    data = await read(client, session_id, "fixture://data/config.json")
    assert "content-text json" in data
    assert html.escape('"items": [\n    1,') in data, "JSON is pretty-printed"

    markdown = await read(client, session_id, "fixture://docs/readme.md")
    assert "<h1>Read me</h1>" in markdown
    assert "<strong>bold</strong>" in markdown
    assert '<a href="https://example.com/docs">safe link</a>' in markdown
    assert "<script" not in markdown
    assert "&lt;script&gt;" in markdown
    assert 'href="javascript:' not in markdown
    assert "<img src=" not in markdown

    image = await read(client, session_id, "fixture://images/pixel.png")
    src = re.search(r'<img class="content-image" src="([^"]+)"', image)
    assert src, image
    part = await client.get(html.unescape(src[1]))
    assert part["Content-Type"] == "image/png"
    assert part.content.startswith(PNG_SIGNATURE)

    audio = await read(client, session_id, "fixture://audio/tone.wav")
    assert re.search(r'<audio controls preload="none" src="[^"]+field=blob"', audio)

    binary = await read(client, session_id, "fixture://binary/data.bin")
    assert "Binary content, not shown." in binary
    download = re.search(r'<a href="([^"]+download=1)" download>', binary)
    assert download
    blob = await client.get(html.unescape(download[1]))
    assert blob["Content-Disposition"].startswith("attachment")
    assert blob.content == bytes(range(256))

    assert "--method resources/read --uri fixture://binary/data.bin" in binary


async def test_a_failed_read_is_shown_plainly(client: AsyncClient) -> None:
    session_id = await open_session(request_timeout=1.0)

    missing = await read(client, session_id, "fixture://nope")
    assert "JSON-RPC error -32002" in missing
    assert "Resource not found: fixture://nope" in missing
    assert "&quot;uri&quot;: &quot;fixture://nope&quot;" in missing, "error data is shown"

    slow = await read(client, session_id, "fixture://slow")
    assert "Timed out (request timeout)" in slow
    assert "No response within the request timeout of 1 s." in slow

    malformed = await read(client, session_id, "fixture://malformed")
    assert "The result has no contents array" in malformed
    assert "not a list" in malformed, "what the server sent is still shown"

    await services.session_disconnect(session_id=session_id)
    gone = await read(client, session_id, "fixture://text/plain")
    assert "The read failed: The session is closed." in gone


# -- templates and completions -------------------------------------------------------


async def test_a_template_is_expanded_from_its_variables_and_read(client: AsyncClient) -> None:
    session_id = await open_session()
    await list_all(client, session_id, "templates")
    detail = await text(
        client, f"/sessions/{session_id}/resources/template?uriTemplate={ITEM_TEMPLATE}"
    )
    assert '<label for="f-template-var_2f_category">category' in detail
    assert '<label for="f-template-var_2f_id">id' in detail
    assert f"/sessions/{session_id}/complete/resource" in detail
    assert 'list="f-template-var_2f_category-suggestions"' in detail

    preview = await text(
        client,
        f"/sessions/{session_id}/resources/template/expand",
        template_form(category="board games", id="g/1"),
    )
    assert "fixture://items/board%20games/g%2F1" in preview

    contents = await text(
        client,
        f"/sessions/{session_id}/resources/template/read",
        template_form(category="books", id="b-100"),
    )
    assert 'data-resource-uri="fixture://items/books/b-100"' in contents
    assert "Item b-100 of books" in contents
    reads = await events(session_id, "resources/read")
    assert reads[0].payload["params"]["uri"] == "fixture://items/books/b-100"


async def test_template_completion_sends_the_other_variables_as_context(
    client: AsyncClient,
) -> None:
    session_id = await open_session()
    await list_all(client, session_id, "templates")
    form = template_form(category="books", id="")
    form.update(completion_argument="id", completion_field="f-template-var_2f_id")
    answer = await text(client, f"/sessions/{session_id}/complete/resource", form)
    assert '<datalist id="f-template-var_2f_id-suggestions">' in answer
    assert '<option value="b-100"></option>' in answer
    assert '<option value="b-200"></option>' in answer
    assert "g-1" not in answer
    assert 'id="resource-completion-note"' in answer
    assert ">id: 3 suggestions</p>" in answer
    [request] = await events(session_id, "completion/complete")
    params = request.payload["params"]
    assert params["ref"] == {"type": "ref/resource", "uri": ITEM_TEMPLATE}
    assert params["argument"] == {"name": "id", "value": ""}
    assert params["context"] == {"arguments": {"category": "books"}}


async def test_an_older_version_completes_without_context(client: AsyncClient) -> None:
    session_id = await open_session(protocol_version="2025-03-26")
    await list_all(client, session_id, "templates")
    form = template_form(category="books", id="")
    form.update(completion_argument="id", completion_field="f-template-var_2f_id")
    answer = await text(client, f"/sessions/{session_id}/complete/resource", form)
    assert "id: 3 of 6 suggestions, more exist" in answer
    [request] = await events(session_id, "completion/complete")
    assert "context" not in request.payload["params"]


async def test_without_the_completions_capability_no_input_completes(
    client: AsyncClient,
) -> None:
    session_id = await open_session("--without", "completion/complete")
    await list_all(client, session_id, "templates")
    await list_all(client, session_id, "prompts")
    template = await text(
        client, f"/sessions/{session_id}/resources/template?uriTemplate={ITEM_TEMPLATE}"
    )
    prompt = await text(client, f"/sessions/{session_id}/prompts/detail?name=greet")
    for page in (template, prompt):
        assert "/complete/" not in page
        assert "<datalist" not in page
        assert "completion-note" not in page


# -- subscriptions ---------------------------------------------------------------------


async def test_subscribe_hear_of_a_change_read_again_and_unsubscribe(
    client: AsyncClient,
) -> None:
    session_id = await open_session()
    first = await read(client, session_id, "fixture://counter")
    assert "count: 0" in first
    assert ">Subscribe</button>" in first
    assert '<div class="updated-notice alert alert-warning" role="status" hidden>' in first

    subscribed = await text(
        client, f"/sessions/{session_id}/resources/subscribe", {"uri": "fixture://counter"}
    )
    assert ">Unsubscribe</button>" in subscribed
    row = Subscription("fixture://counter")
    assert f'<li id="{row.dom_id}" data-resource-uri="fixture://counter">' in subscribed
    assert 'id="resource-subscriptions" aria-labelledby="subscriptions-heading" hx-swap-oob' in (
        subscribed
    )
    assert await services.resource_subscription_list(session_id=session_id) == ["fixture://counter"]

    for _ in range(100):
        if await events(session_id, "notifications/resources/updated"):
            break
        await asyncio.sleep(0.05)
    [update] = await events(session_id, "notifications/resources/updated")
    assert update.payload["params"]["uri"] == "fixture://counter"

    again = await read(client, session_id, "fixture://counter")
    assert "count: 1" in again
    assert ">Unsubscribe</button>" in again
    assert f'<li id="{row.dom_id}" data-resource-uri="fixture://counter" hx-swap-oob="true">' in (
        again
    ), "reading again clears the row's changed badge"

    unsubscribed = await text(
        client, f"/sessions/{session_id}/resources/unsubscribe", {"uri": "fixture://counter"}
    )
    assert ">Subscribe</button>" in unsubscribed
    assert "None yet" in unsubscribed
    assert await services.resource_subscription_list(session_id=session_id) == []
    methods = [
        e.method
        for e in await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    ]
    assert "resources/unsubscribe" in methods


async def test_no_subscribe_button_without_the_capability(client: AsyncClient) -> None:
    snapshot = await services.session_connect(spec=fixture_spec("everything_py"))
    contents = await read(client, snapshot.id, "fixture://greeting")
    assert "Hello from the fixture." in contents
    assert "Subscribe" not in contents
    panel = await text(client, f"/sessions/{snapshot.id}/resources/")
    assert "Subscriptions" not in panel


# -- prompts ---------------------------------------------------------------------------


async def test_a_prompt_form_marks_required_arguments_and_gets_messages(
    client: AsyncClient,
) -> None:
    session_id = await open_session()
    listing = await text(client, f"/sessions/{session_id}/list/prompts")
    assert 'aria-label="Prompt Greeting"' in listing
    detail = await text(client, f"/sessions/{session_id}/prompts/detail?name=greet")
    assert re.search(
        r'<label for="f-prompt-arg_2f_name">Your name <span class="required"', detail
    ), "the title labels the field, and it is marked required"
    assert "Who to greet. · Argument name: name" in detail
    assert re.search(r'<label for="f-prompt-arg_2f_style">style</label>', detail)
    assert f"/sessions/{session_id}/complete/prompt" in detail
    assert "aria-invalid" not in detail, "an untouched form shows no errors"

    blocked = await client.post(
        f"/sessions/{session_id}/prompts/get", {"prompt": "greet", "prompt-arg/name": ""}
    )
    assert blocked["HX-Reswap"] == "none"
    page = blocked.content.decode()
    assert 'id="prompt-arguments-status"' in page
    assert "Nothing was sent." in page
    assert ">Get anyway</button>" in page
    assert re.search(r'id="f-prompt-arg_2f_name-errors" hx-swap-oob="true"><li>\w', page)
    assert await events(session_id, "prompts/get") == []

    forced = await text(
        client, f"/sessions/{session_id}/prompts/get", {"prompt": "greet", "force": "1"}
    )
    assert "JSON-RPC error -32602" in forced
    assert "Missing argument: name" in forced

    got = await text(
        client,
        f"/sessions/{session_id}/prompts/get",
        {"prompt": "greet", "prompt-arg/name": "Ada", "prompt-arg/style": "pirate"},
    )
    assert 'class="message role-user"' in got
    assert "Say hello to Ada in a pirate way." in got
    assert 'id="f-prompt-arg_2f_name-errors" hx-swap-oob="true"></ul>' in got
    assert "--prompt-name greet --prompt-args name=Ada --prompt-args style=pirate" in got
    last = (await events(session_id, "prompts/get"))[-1]
    assert last.payload["params"]["arguments"] == {"name": "Ada", "style": "pirate"}


async def test_prompt_messages_show_every_content_type(client: AsyncClient) -> None:
    session_id = await open_session()
    await list_all(client, session_id, "prompts")
    got = await text(
        client,
        f"/sessions/{session_id}/prompts/get",
        {"prompt": "showcase", "prompt-arg/topic": "x"},
    )
    roles = re.findall(r'class="message role-(\w+)"', got)
    assert roles == ["user", "user", "user", "assistant", "assistant"]
    assert "Tell me about x." in got
    assert re.search(
        r'<img class="content-image" src="[^"]+messages.1.content&amp;field=data"', got
    )
    assert re.search(r'<audio controls preload="none" src="[^"]+messages.2.content', got)
    assert "<h1>Read me</h1>" in got, "an embedded Markdown resource is rendered safely"
    assert "<script" not in got
    assert f"/sessions/{session_id}/resources/read?uri=fixture%3A//text/plain" in got
    assert re.search(r"audience: \[\s*&quot;user&quot;\s*\]", got), "content annotations are shown"


async def test_prompt_completion(client: AsyncClient) -> None:
    session_id = await open_session()
    await list_all(client, session_id, "prompts")
    answer = await text(
        client,
        f"/sessions/{session_id}/complete/prompt",
        {
            "prompt": "greet",
            "prompt-arg/name": "",
            "prompt-arg/style": "pi",
            "completion_argument": "style",
            "completion_field": "f-prompt-arg_2f_style",
        },
    )
    assert '<datalist id="f-prompt-arg_2f_style-suggestions"><option value="pirate">' in answer
    assert 'id="prompt-completion-note"' in answer
    [request] = await events(session_id, "completion/complete")
    params = request.payload["params"]
    assert params["ref"] == {"type": "ref/prompt", "name": "greet"}
    assert params["argument"] == {"name": "style", "value": "pi"}
    assert "context" not in params, "empty arguments are not context"

    bad = await client.post(
        f"/sessions/{session_id}/complete/prompt",
        {"prompt": "greet", "completion_argument": "style", "completion_field": 'x" onload'},
    )
    assert bad.status_code == 400


async def test_a_malformed_prompt_answer_is_shown_not_fatal(client: AsyncClient) -> None:
    session_id = await open_session()
    await list_all(client, session_id, "prompts")
    got = await text(client, f"/sessions/{session_id}/prompts/get", {"prompt": "malformed"})
    assert "The message has no role." in got
    assert "(no role)" in got
    assert "Not a message object." in got
    assert "The message has no content." in got
    assert "Unknown content type &#x27;mystery&#x27;" in got


# -- view models, on shapes no fixture sends --------------------------------------------


def test_view_models_survive_any_shape() -> None:
    assert read_view("x", CallOutcome("resources/read", result={})).shape_problem
    assert read_view("x", CallOutcome("resources/read", result={"contents": []})).shape_problem
    odd = read_view("x", CallOutcome("resources/read", result={"contents": [7, {"uri": "x"}]}))
    assert [block.kind for block in odd.contents] == ["unknown", "resource_text"]

    assert prompt_result_view(
        "p", CallOutcome("prompts/get", result={"messages": {}}), {}, []
    ).shape_problem
    assert message_view({"role": "system", "content": "hi"}, 0).problem.startswith("Unknown role")
    listed = message_view({"role": "user", "content": [{"type": "text", "text": "a"}]}, 1)
    assert [block.at for block in listed.blocks] == ["result.messages.1.content.0"]
    assert isinstance(message_view(None, 2).blocks[0], ContentView)

    failed = completion_view(CallOutcome("completion/complete", error=JsonRpcError(-32601, "nope")))
    assert failed.note == "Completion failed (-32601): nope"
    shapes: list[Any] = [None, {"completion": None}, {"completion": {"values": "ab"}}]
    for result in shapes:
        view = completion_view(CallOutcome("completion/complete", result=result))
        assert view.values == []
        assert view.problem
    mixed = completion_view(
        CallOutcome(
            "completion/complete", result={"completion": {"values": ["a", 1], "total": "x"}}
        )
    )
    assert mixed.values == ["a"]
    assert mixed.total is None

    weird = {"arguments": [{"name": "a", "required": "yes"}, "x", {"name": 3}, {"name": "a"}]}
    assert prompt_schema(weird) == {
        "type": "object",
        "properties": {"a": {"type": "string", "title": "a"}},
    }
    assert prompt_schema({"arguments": "none"})["properties"] == {}
    assert template_schema("fixture://{a}{?b,c}")["properties"].keys() == {"a", "b", "c"}
    assert expand("fixture://{a}", {"a": 1}) == ("fixture://", "")
    assert expand("{a}", {}) == ("", "The expansion is empty.")
    facts = resource_facts({"size": True, "annotations": {"priority": "high", "audience": "x"}})
    assert facts == []
    failure = read_view("x", CallOutcome("r", error=JsonRpcError(1, "m", {"k": 1}))).failure
    assert failure is not None
    assert json.loads(failure.data_json) == {"k": 1}
