"""The connect form: its Advanced group opens by itself when it holds something to see,
and the paste endpoint answers with the form's values."""

from __future__ import annotations

import pytest
from django.test import AsyncClient
from django.urls import reverse

from inspector.forms.connect import ConnectForm

ADVANCED = 'id="connect-advanced"'


def as_posted(**changes: str) -> dict[str, str]:
    """What a browser posts from the empty form (checked boxes as "on"), with `changes`."""
    form = ConnectForm()
    data: dict[str, str] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if getattr(field.widget, "input_type", "") == "checkbox":
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    return {**data, **changes}


def advanced_tag(html: str) -> str:
    start = html.index(ADVANCED)
    return html[start : html.index(">", start)]


def test_advanced_is_closed_on_an_empty_form() -> None:
    assert not ConnectForm().advanced_open()


@pytest.mark.parametrize(
    "changed",
    [{"era": "auto"}, {"connect_timeout": "5"}, {"sampling_tools": "on"}],
)
def test_advanced_opens_for_a_value_other_than_the_default(changed: dict[str, str]) -> None:
    assert not ConnectForm(as_posted(command="x")).advanced_open()
    assert ConnectForm(as_posted(command="x", **changed)).advanced_open()


def test_advanced_opens_for_an_initial_value_other_than_the_default() -> None:
    assert ConnectForm(initial={"era": "modern"}).advanced_open()
    assert not ConnectForm(initial={"era": "legacy", "connect_timeout": 30.0}).advanced_open()


@pytest.mark.django_db
async def test_a_failed_post_renders_advanced_open_at_its_error(client: AsyncClient) -> None:
    response = await client.post(
        reverse("connect"), as_posted(command="", protocol_version="2026-07-28")
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert " open" in advanced_tag(html)
    assert "has no initialize handshake" in html


@pytest.mark.django_db
async def test_a_failed_post_with_defaults_keeps_advanced_closed(client: AsyncClient) -> None:
    response = await client.post(reverse("connect"), as_posted(command=""))
    assert response.status_code == 422
    assert " open" not in advanced_tag(response.content.decode())


def test_errors_of_the_other_transport_do_not_stop_a_connection() -> None:
    form = ConnectForm(
        as_posted(
            transport="http",
            url="https://example.com/mcp",
            environment="not a pair",
            arguments="'unclosed",
        )
    )
    assert form.is_valid(), form.errors


@pytest.mark.django_db
async def test_the_paste_endpoint_answers_with_the_form_values(client: AsyncClient) -> None:
    response = await client.post(reverse("connect-paste"), {"text": "A=1 npx -y server"})
    answer = response.json()
    assert answer["recognised"] is True
    assert answer["fields"] == {
        "transport": "stdio",
        "command": "npx",
        "arguments": "-y server",
        "environment": "A=1",
        "cwd": "",
    }
    assert answer["message"].startswith("Filled in from the command line")


@pytest.mark.django_db
async def test_the_paste_endpoint_leaves_unreadable_text_alone(client: AsyncClient) -> None:
    answer = (await client.post(reverse("connect-paste"), {"text": "{not json"})).json()
    assert answer["recognised"] is False
    assert answer["fields"] == {}
    assert answer["message"].endswith("The text was left as typed.")


@pytest.mark.django_db
async def test_the_paste_endpoint_is_post_only(client: AsyncClient) -> None:
    assert (await client.get(reverse("connect-paste"))).status_code == 405
