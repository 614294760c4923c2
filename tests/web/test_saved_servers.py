"""Saved servers: import and export in every file format, one-click connect, editing with
masked secrets, encryption at rest, and each owner seeing only their own."""

from __future__ import annotations

import asyncio
import json
import re
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import AsyncClient

from inspector.mcp.masking import MASK
from inspector.models import SavedServer
from inspector.sessions.config_files import parse_config
from inspector.storage import encryption
from tests.conftest import REPO_ROOT
from tests.web.support import HTMX, connect_form, export, import_text, listed, text_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("private_key")]

TOKEN = "ghp_abcdefghijklmnop1234"
BEARER = "Bearer s3cr3t-t0ken-value"

EVERYTHING = {
    "command": sys.executable,
    "args": ["-m", "tests.servers.everything_py"],
    "cwd": str(REPO_ROOT),
    "env": {"API_TOKEN": TOKEN, "MODE": "test"},
}

FORMATS = {
    "mcpServers": json.dumps(
        {
            "mcpServers": {
                "everything": EVERYTHING,
                "remote": {
                    "url": "https://mcp.example.com/mcp",
                    "headers": {"Authorization": BEARER},
                },
                "legacy": {"type": "sse", "url": "http://127.0.0.1:9/sse"},
            }
        }
    ),
    "vscode": (
        "{\n  // .vscode/mcp.json\n"
        '  "inputs": [{"type": "promptString", "id": "key", "password": true}],\n'
        '  "servers": {\n    "everything": '
        + json.dumps({"type": "stdio", **EVERYTHING})
        + ',\n    "remote": {"type": "http", "url": "https://mcp.example.com/mcp",'
        ' "headers": {"Authorization": "Bearer ${input:key}"}},\n  },\n}\n'
    ),
    "vscode-settings": json.dumps(
        {"editor.tabSize": 2, "mcp": {"servers": {"everything": EVERYTHING}}}
    ),
    "snippet-map": json.dumps({"everything": EVERYTHING}),
    "snippet-server": json.dumps({"name": "everything", **EVERYTHING}),
}


# Import and export ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
async def test_import_then_export_round_trips(client: AsyncClient, fmt: str) -> None:
    original = parse_config(FORMATS[fmt])
    response = await import_text(client, FORMATS[fmt])
    assert response.status_code == 200, text_of(response)
    assert "Saved: " + ", ".join(server.name for server in original) in text_of(response)

    exported = await export(client, include_secrets="on")
    assert exported.status_code == 200
    assert exported["Content-Type"] == "application/json; charset=utf-8"
    assert exported["Content-Disposition"] == 'attachment; filename="mcp-servers.json"'
    assert exported["Cache-Control"] == "no-store"
    document = json.loads(exported.content)
    assert set(document) == {"mcpServers"}
    # Saved servers are listed by name; the file keeps every setting of each.
    by_name = {server.name: server.spec for server in parse_config(exported.content.decode())}
    assert by_name == {server.name: server.spec for server in original}


async def test_an_uploaded_file_is_imported(client: AsyncClient) -> None:
    upload = SimpleUploadedFile(
        "claude_desktop_config.json",
        b"\xef\xbb\xbf" + FORMATS["mcpServers"].encode(),
        content_type="application/json",
    )
    response = await client.post("/servers/import", {"file": upload}, headers=HTMX)
    assert response.status_code == 200, text_of(response)
    assert set(await listed(client)) == {"everything", "remote", "legacy"}


async def test_the_list_masks_secrets(client: AsyncClient) -> None:
    await import_text(client, FORMATS["mcpServers"])
    servers = await listed(client)
    assert servers["everything"]["env"] == {"API_TOKEN": f"ghp_{MASK}", "MODE": "test"}
    assert servers["remote"]["headers"] == {"Authorization": f"Bearer s3cr{MASK}"}
    assert servers["legacy"]["transport"] == "sse"
    html = text_of(await client.get("/"))
    assert 'id="saved-servers-heading">Saved servers</h2>' in html
    assert TOKEN not in html
    assert "s3cr3t-t0ken-value" not in html
    assert f"ghp_{MASK}" in html
    assert "HTTP+SSE (legacy)" in html


async def test_secrets_are_encrypted_at_rest(client: AsyncClient, private_key: Path) -> None:
    await import_text(client, FORMATS["mcpServers"])
    rows = [row async for row in SavedServer.objects.values()]
    assert rows
    for row in rows:
        assert TOKEN not in json.dumps(row, default=str)
        assert "s3cr3t-t0ken-value" not in json.dumps(row, default=str)
    key_stat = await asyncio.to_thread(private_key.stat)
    assert stat.S_IMODE(key_stat.st_mode) == 0o600
    remote = await SavedServer.objects.aget(name="remote")
    assert encryption.decrypt_json(remote.headers_encrypted) == {"Authorization": BEARER}


async def test_export_masks_secrets_unless_asked(client: AsyncClient) -> None:
    await import_text(client, FORMATS["mcpServers"])
    masked = (await export(client)).content.decode()
    assert TOKEN not in masked
    assert "s3cr3t-t0ken-value" not in masked
    assert f"ghp_{MASK}" in masked
    clear = (await export(client, include_secrets="on")).content.decode()
    assert TOKEN in clear
    assert BEARER in clear


async def test_export_one_server(client: AsyncClient) -> None:
    await import_text(client, FORMATS["mcpServers"])
    remote = (await listed(client))["remote"]
    response = await export(client, server=str(remote["id"]))
    assert response["Content-Disposition"] == 'attachment; filename="remote.mcp.json"'
    assert json.loads(response.content) == {
        "mcpServers": {
            "remote": {
                "type": "http",
                "url": "https://mcp.example.com/mcp",
                "headers": {"Authorization": f"Bearer s3cr{MASK}"},
            }
        }
    }
    assert (await export(client, server="999999")).status_code == 404
    assert (await export(client, server="nope")).status_code == 400


async def test_bad_entries_are_reported_and_good_ones_kept(client: AsyncClient) -> None:
    text = json.dumps(
        {
            "mcpServers": {
                "good": {"command": "python3"},
                "no-command": {"args": ["x"]},
                "bad-url": {"url": "ftp://example.com"},
                "also-good": {"url": "https://example.com/mcp"},
            }
        }
    )
    response = await import_text(client, text)
    assert response.status_code == 200
    html = text_of(response)
    assert "Saved: good, also-good." in html
    assert "Some entries were not imported" in html
    assert 'server \'no-command\': needs a "command" (stdio) or a "url" (HTTP)' in html
    assert "server 'bad-url': \"url\" must be an http:// or https:// URL" in html
    assert set(await listed(client)) == {"good", "also-good"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"mcpServers": {', "not valid JSON"),
        ('{"mcpServers": {"x": 1}}', "server 'x': must be an object"),
        ("", "Choose a file or paste its JSON."),
    ],
)
async def test_nothing_to_import_is_422(client: AsyncClient, text: str, message: str) -> None:
    response = await import_text(client, text)
    assert response.status_code == 422
    assert message in text_of(response)
    assert await listed(client) == {}


async def test_same_names_are_refused_unless_replacing(client: AsyncClient) -> None:
    await import_text(client, '{"x": {"command": "one"}}')
    response = await import_text(client, '{"x": {"command": "two"}, "y": {"command": "y"}}')
    assert "server 'x': a saved server already has this name" in text_of(response)
    assert (await listed(client))["x"]["target"] == "one"
    response = await import_text(client, '{"x": {"command": "two"}}', replace="on")
    assert "Replaced: x." in text_of(response)
    assert (await listed(client))["x"]["target"] == "two"


async def test_placeholders_and_masked_values_are_kept_with_a_warning(
    client: AsyncClient,
) -> None:
    response = await import_text(
        client,
        FORMATS["vscode"].replace('"MODE": "test"', f'"MODE": "test", "OLD_SECRET": "x{MASK}"'),
    )
    html = text_of(response)
    assert "placeholders are kept as written" in html
    assert "OLD_SECRET came masked from an export without secrets" in html
    remote = (await listed(client))["remote"]
    assert remote["headers"] == {"Authorization": "Bearer ${input:key}"}
    assert remote["has_placeholders"] is True


# Connect with one click ------------------------------------------------------------------


async def test_one_click_connects_to_a_saved_stdio_server(client: AsyncClient) -> None:
    await import_text(client, FORMATS["snippet-server"])
    server = (await listed(client))["everything"]
    response = await client.post(f"/servers/{server['id']}/connect")
    assert response.status_code == 302
    match = re.fullmatch(r"/sessions/([0-9a-f]{32})/", response["Location"])
    assert match
    data = (await client.get(f"/sessions/{match.group(1)}.json")).json()
    assert data["session"]["status"] == "connected"
    assert data["session"]["spec"]["env"] == {"API_TOKEN": f"ghp_{MASK}", "MODE": "test"}
    htmx = await client.post(f"/servers/{server['id']}/connect", headers=HTMX)
    assert htmx["HX-Redirect"].startswith("/sessions/")


async def test_a_failed_one_click_connect_names_the_layer(client: AsyncClient) -> None:
    await import_text(client, '{"dead": {"url": "http://127.0.0.1:9/mcp"}}')
    server = (await listed(client))["dead"]
    response = await client.post(f"/servers/{server['id']}/connect", headers=HTMX)
    assert response.status_code == 422
    html = text_of(response)
    assert 'id="saved-connect-error"' in html
    assert "(tcp layer)" in html
    assert "See what went over the wire" in html


async def test_connecting_is_never_a_get(client: AsyncClient) -> None:
    await import_text(client, FORMATS["snippet-server"])
    server = (await listed(client))["everything"]
    assert (await client.get(f"/servers/{server['id']}/connect")).status_code == 405
    assert (await client.get("/sessions.json")).json()["sessions"] == []


async def test_posts_need_the_csrf_token() -> None:
    from django.conf import settings

    browser = AsyncClient(headers={"host": "127.0.0.1"}, enforce_csrf_checks=True)
    browser.cookies[settings.INSPECTOR_TOKEN_COOKIE] = settings.INSPECTOR_TOKEN
    response = await browser.post("/servers/import", {"text": FORMATS["snippet-map"]})
    assert response.status_code == 403
    assert await SavedServer.objects.acount() == 0


# Save from the connect form, edit, delete -----------------------------------------------


async def test_the_connect_forms_save_button(client: AsyncClient) -> None:
    form = connect_form(environment=f"API_TOKEN={TOKEN}", save_as="fixture")
    response = await client.post("/servers/save", form, headers=HTMX)
    assert response.status_code == 200
    html = text_of(response)
    assert "Saved as “fixture”" in html
    assert '<section id="saved-servers"' in html
    assert 'hx-swap-oob="true"' in html
    assert (await listed(client))["fixture"]["env"] == {"API_TOKEN": f"ghp_{MASK}"}
    assert (await client.get("/sessions.json")).json()["sessions"] == [], "saving only"

    again = await client.post("/servers/save", form, headers=HTMX)
    assert again.status_code == 422
    assert "A saved server is already called 'fixture'." in text_of(again)
    unnamed = await client.post("/servers/save", connect_form(), headers=HTMX)
    assert unnamed.status_code == 422
    assert "Give a name to save these settings under." in text_of(unnamed)
    plain = await client.post("/servers/save", connect_form(save_as="other"))
    assert plain.status_code == 302


async def test_connect_with_a_save_as_name_saves_then_connects(client: AsyncClient) -> None:
    response = await client.post("/connect", connect_form(save_as="kept"))
    assert response.status_code == 302
    assert "kept" in await listed(client)
    taken = await client.post("/connect", connect_form(save_as="kept"))
    assert taken.status_code == 422
    assert len((await client.get("/sessions.json")).json()["sessions"]) == 1


async def test_editing_keeps_masked_secrets_and_takes_new_ones(client: AsyncClient) -> None:
    await import_text(client, FORMATS["mcpServers"])
    remote = (await listed(client))["remote"]
    page = text_of(await client.get(f"/servers/{remote['id']}/edit"))
    assert f"Authorization: Bearer s3cr{MASK}" in page
    assert "s3cr3t-t0ken-value" not in page

    edited = {
        **connect_form(transport="http", url="https://mcp.example.com/v2"),
        "name": "remote-2",
        "headers": f"Authorization: Bearer s3cr{MASK}\nX-Trace: on",
        "max_total_timeout": "900",
        "reset_timeout_on_progress": "",
    }
    response = await client.post(f"/servers/{remote['id']}/edit", edited)
    assert response.status_code == 302
    record = await SavedServer.objects.aget(pk=remote["id"])
    assert record.name == "remote-2"
    assert record.url == "https://mcp.example.com/v2"
    assert record.max_total_timeout == 900
    assert record.reset_timeout_on_progress is False
    assert encryption.decrypt_json(record.headers_encrypted) == {
        "Authorization": BEARER,
        "X-Trace": "on",
    }

    edited["headers"] = "Authorization: Bearer brand-new-token-value"
    await client.post(f"/servers/{remote['id']}/edit", edited)
    record = await SavedServer.objects.aget(pk=remote["id"])
    headers = encryption.decrypt_json(record.headers_encrypted)
    assert headers == {"Authorization": "Bearer brand-new-token-value"}


async def test_an_invalid_edit_is_422_and_names_cannot_collide(client: AsyncClient) -> None:
    await import_text(client, '{"a": {"command": "a"}, "b": {"command": "b"}}')
    b = (await listed(client))["b"]
    fields = {**connect_form(command="b"), "name": "a", "max_total_timeout": "600"}
    response = await client.post(f"/servers/{b['id']}/edit", fields, headers=HTMX)
    assert response.status_code == 422
    assert "A saved server is already called 'a'." in text_of(response)
    fields.update(name="b", command="")
    response = await client.post(f"/servers/{b['id']}/edit", fields, headers=HTMX)
    assert "A stdio server needs a command to run." in text_of(response)


async def test_delete(client: AsyncClient) -> None:
    await import_text(client, '{"a": {"command": "a"}, "b": {"command": "b"}}')
    a = (await listed(client))["a"]
    response = await client.post(f"/servers/{a['id']}/delete", headers=HTMX)
    assert response.status_code == 200
    assert "Deleted “a”." in text_of(response)
    assert set(await listed(client)) == {"b"}
    assert (await client.post(f"/servers/{a['id']}/delete")).status_code == 404


# Owners, hosted mode, keys --------------------------------------------------------------


async def test_each_owner_sees_and_uses_only_their_own(client: AsyncClient) -> None:
    from django.conf import settings

    users = get_user_model().objects
    alice = await users.acreate_user("alice", password="x")
    bob = await users.acreate_user("bob", password="x")
    other = AsyncClient(headers={"host": "127.0.0.1"})
    other.cookies[settings.INSPECTOR_TOKEN_COOKIE] = settings.INSPECTOR_TOKEN
    await client.aforce_login(alice)
    await other.aforce_login(bob)

    await import_text(client, FORMATS["snippet-server"])
    await import_text(other, '{"everything": {"command": "bobs"}}')
    mine = (await listed(client))["everything"]
    assert (await listed(other))["everything"]["target"] == "bobs"
    assert mine["id"] != (await listed(other))["everything"]["id"], "one name per owner"

    assert (await other.post(f"/servers/{mine['id']}/connect")).status_code == 404
    assert (await other.get(f"/servers/{mine['id']}/edit")).status_code == 404
    assert (await other.post(f"/servers/{mine['id']}/delete")).status_code == 404
    assert (await export(other, server=str(mine["id"]))).status_code == 404
    assert TOKEN not in (await export(other, include_secrets="on")).content.decode()
    assert TOKEN in (await export(client, include_secrets="on")).content.decode()


async def test_hosted_mode_refuses_stdio_commands_not_allow_listed(
    client: AsyncClient, settings: Any
) -> None:
    await import_text(client, '{"local": {"command": "bash"}}')
    settings.LOCAL_MODE = False
    settings.INSPECTOR_STDIO_ALLOWLIST = ["uvx"]
    response = await import_text(client, '{"sh": {"command": "bash"}, "ok": {"command": "uvx"}}')
    assert "server 'sh': This hosted inspector runs only the stdio commands" in text_of(response)
    assert "Saved: ok." in text_of(response)
    # Saved before the operator's list existed: it still cannot run.
    local = (await listed(client))["local"]
    refused = await client.post(f"/servers/{local['id']}/connect", headers=HTMX)
    assert refused.status_code == 422
    assert "'bash' is not one of them" in text_of(refused)


def test_hosted_mode_requires_the_key_variable(settings: Any) -> None:
    settings.MODE = "hosted"
    with pytest.raises(ImproperlyConfigured, match="INSPECTOR_ENCRYPTION_KEY"):
        encryption.encrypt_json({})


def test_the_key_variable_is_used_and_can_rotate(
    settings: Any, private_key: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MODE = "hosted"
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv(encryption.KEY_VARIABLE, old)
    encryption.reset_key_cache()
    written = encryption.encrypt_json({"A": "b"})
    assert not private_key.exists(), "no key file when the variable is set"

    monkeypatch.setenv(encryption.KEY_VARIABLE, f"{new},{old}")
    encryption.reset_key_cache()
    assert encryption.decrypt_json(written) == {"A": "b"}

    monkeypatch.setenv(encryption.KEY_VARIABLE, new)
    encryption.reset_key_cache()
    with pytest.raises(encryption.UnreadableSecret):
        encryption.decrypt_json(written)

    monkeypatch.setenv(encryption.KEY_VARIABLE, "not-a-key")
    encryption.reset_key_cache()
    with pytest.raises(ImproperlyConfigured, match="Fernet keys"):
        encryption.encrypt_json({})


async def test_a_changed_key_is_reported_not_a_crash(
    client: AsyncClient, private_key: Path
) -> None:
    await import_text(client, FORMATS["mcpServers"])
    await asyncio.to_thread(private_key.write_text, Fernet.generate_key().decode())
    encryption.reset_key_cache()
    servers = await listed(client)
    assert servers["remote"]["unreadable"] is True
    assert "cannot be decrypted" in text_of(await client.get("/"))
    edit = await client.get(f"/servers/{servers['remote']['id']}/edit")
    assert edit.status_code == 409
    response = await client.post(f"/servers/{servers['remote']['id']}/connect", headers=HTMX)
    assert response.status_code == 422
    assert "cannot be decrypted" in text_of(response)
