"""Where the configured model endpoint is kept: one row per owner, the API key encrypted.

Locally the owner is None (one person); in hosted mode each workspace has its own endpoint
and key, which no page outside it can use.
"""

from __future__ import annotations

from inspector.mcp.model_endpoint import ModelEndpoint
from inspector.models import ModelEndpointSetting
from inspector.storage.db import in_db_thread
from inspector.storage.encryption import UnreadableSecret, decrypt_json, encrypt_json


def _load(owner_id: int | None) -> ModelEndpoint | None:
    row = ModelEndpointSetting.objects.filter(owner_id=owner_id).first()
    if row is None:
        return None
    key = ""
    if row.api_key_encrypted:
        try:
            key = str(decrypt_json(row.api_key_encrypted))
        except UnreadableSecret:
            # Written under a key that is gone: the person types the API key again.
            key = ""
    return ModelEndpoint(base_url=row.base_url, model=row.model, api_key=key)


def _save(owner_id: int | None, base_url: str, model: str, api_key: str | None) -> None:
    """Save the endpoint; an `api_key` of None keeps the one stored."""
    row = ModelEndpointSetting.objects.filter(owner_id=owner_id).first()
    if row is None:
        row = ModelEndpointSetting(owner_id=owner_id)
    row.base_url = base_url
    row.model = model
    if api_key is not None:
        row.api_key_encrypted = encrypt_json(api_key) if api_key else ""
    row.save()


load_model_endpoint = in_db_thread(_load)
save_model_endpoint = in_db_thread(_save)
