"""The steps an OAuth flow names and the states it is in: a module of its own, with no
imports, so that what only watches a flow does not load the HTTP client with it."""

from __future__ import annotations

from enum import StrEnum


class StepName(StrEnum):
    RESOURCE_METADATA = "protected resource metadata"
    SERVER_METADATA = "authorization server metadata"
    REGISTRATION = "client registration"
    AUTHORIZATION = "authorization request"
    REDIRECT = "authorization response"
    TOKEN = "token request"
    REFRESH = "token refresh"


class FlowState(StrEnum):
    READY = "ready"  # the next step can run
    AWAITING_REDIRECT = "awaiting-redirect"  # the person must visit `authorization_url`
    DONE = "done"  # tokens obtained and stored
    FAILED = "failed"
