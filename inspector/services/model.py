"""The model at hand: its settings, a connection test, and drafts of sampling answers.

Read models only: the API key never leaves this module (a page learns whether one is
stored, not what it is). A draft is only a suggestion: it fills the inbox's reply form,
and nothing reaches the server until the person approves it there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from inspector.mcp.model_endpoint import (
    ModelEndpoint,
    ModelEndpointError,
    ModelReply,
    chat_request,
    check,
    complete,
)
from inspector.services.consent import approval_get
from inspector.sessions.approvals import ApprovalKind
from inspector.storage.model_endpoints import load_model_endpoint, save_model_endpoint

__all__ = ["ModelEndpointError", "ModelReply"]


class ModelNotConfigured(Exception):
    """No model endpoint is configured for this person."""


class NotSampling(Exception):
    """The approval is not a sampling request."""


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """The endpoint as a page may show it: the key only as "stored" or not."""

    base_url: str
    model: str
    has_key: bool

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.model)


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    ok: bool
    message: str
    kind: str = ""


@dataclass(frozen=True, slots=True)
class DraftRequest:
    """What will be sent to the model for a sampling request, before it goes."""

    url: str
    body: dict[str, object]

    @property
    def body_json(self) -> str:
        return json.dumps(self.body, indent=2, ensure_ascii=False)


async def model_settings_get(*, owner_id: int | None) -> ModelSettings:
    endpoint = await load_model_endpoint(owner_id)
    if endpoint is None:
        return ModelSettings(base_url="", model="", has_key=False)
    return ModelSettings(endpoint.base_url, endpoint.model, bool(endpoint.api_key))


async def model_settings_set(
    *, owner_id: int | None, base_url: str, model: str, api_key: str | None
) -> ModelSettings:
    """Save the endpoint; `api_key` None keeps the stored key, "" forgets it."""
    await save_model_endpoint(owner_id, base_url, model, api_key)
    return await model_settings_get(owner_id=owner_id)


async def model_connection_test(
    *, owner_id: int | None, base_url: str, model: str, api_key: str | None
) -> ConnectionCheck:
    """Try the endpoint as typed (not yet saved); `api_key` None uses the stored key."""
    if api_key is None:
        stored = await load_model_endpoint(owner_id)
        api_key = stored.api_key if stored is not None else ""
    endpoint = ModelEndpoint(base_url=base_url, model=model, api_key=api_key)
    try:
        reply = await check(endpoint)
    except ModelEndpointError as error:
        return ConnectionCheck(False, error.message, error.kind)
    return ConnectionCheck(
        True, f"Connected: {endpoint.host} answered with model {reply.model or endpoint.model}."
    )


async def sampling_draft_request(
    *, session_id: str, approval_id: str, owner_id: int | None
) -> DraftRequest:
    """The chat/completions request a sampling request becomes, to show before sending."""
    endpoint = await load_endpoint(owner_id)
    approval = await approval_get(session_id=session_id, approval_id=approval_id)
    if approval.kind is not ApprovalKind.SAMPLING:
        raise NotSampling(approval_id)
    return DraftRequest(endpoint.completions_url, chat_request(approval.params, endpoint.model))


async def sampling_draft(*, session_id: str, approval_id: str, owner_id: int | None) -> ModelReply:
    """Ask the model; `ModelEndpointError` says what failed. The session is not touched."""
    endpoint = await load_endpoint(owner_id)
    request = await sampling_draft_request(
        session_id=session_id, approval_id=approval_id, owner_id=owner_id
    )
    return await complete(endpoint, dict(request.body))


async def load_endpoint(owner_id: int | None) -> ModelEndpoint:
    """The endpoint with its key, for this package's modules only; `ModelNotConfigured`."""
    endpoint = await load_model_endpoint(owner_id)
    if endpoint is None or not endpoint.base_url or not endpoint.model:
        raise ModelNotConfigured()
    return endpoint
