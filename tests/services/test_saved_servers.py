"""Saved servers through the services: names checked, secrets kept when sent back masked."""

from __future__ import annotations

import pytest

from inspector import services
from inspector.sessions.config_files import parse_config

pytestmark = pytest.mark.django_db(transaction=True)


async def test_saved_server_create_checks_names() -> None:
    spec = parse_config('{"command": "x"}')[0].spec
    with pytest.raises(ValueError, match="needs a name"):
        await services.saved_server_create(name="  ", spec=spec, owner_id=None)
    await services.saved_server_create(name="x", spec=spec, owner_id=None)
    with pytest.raises(services.NameTaken):
        await services.saved_server_create(name=" x ", spec=spec, owner_id=None)


async def test_saved_server_update_keeps_a_secret_sent_back_masked() -> None:
    spec = parse_config('{"command": "x", "env": {"API_KEY": "k-123456789"}}')[0].spec
    saved = await services.saved_server_create(name="x", spec=spec, owner_id=None)
    assert saved.env["API_KEY"] != "k-123456789", "the summary is masked"
    shown = await services.saved_server_masked(server_id=saved.id, owner_id=None)
    await services.saved_server_update(server_id=saved.id, name="x", spec=shown.spec, owner_id=None)
    _, document = await services.saved_server_export(
        owner_id=None, server_ids=[saved.id], include_secrets=True
    )
    assert document["mcpServers"]["x"]["env"] == {"API_KEY": "k-123456789"}
