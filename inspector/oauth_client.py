"""The inspector as an OAuth client: its Client ID Metadata Document, its redirect URI,
and the settings a flow started from a request runs with.

The client_id URL is the operator's `INSPECTOR_OAUTH_CLIENT_ID_URL` when set, else the
document's URL as the browser reached this inspector. The redirect URI is the callback
on the same origin as that URL, so the document always lists the URI the flow sends.

Flows present the URL as their client_id (to servers that support metadata documents)
only when it is configured or served over HTTPS: an authorization server elsewhere cannot
fetch a document from a plain-HTTP inspector on someone's loopback address, and the flow
then falls back to dynamic registration.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from inspector.mcp.auth.config import DEFAULT_CLIENT_NAME, OAuthSettings


def client_id_url(request: HttpRequest) -> str:
    configured: str = settings.INSPECTOR_OAUTH_CLIENT_ID_URL
    return configured or request.build_absolute_uri(reverse("oauth-client-metadata"))


def redirect_uri(request: HttpRequest) -> str:
    parts = urlsplit(client_id_url(request))
    return f"{parts.scheme}://{parts.netloc}{reverse('oauth-callback')}"


def metadata_document(request: HttpRequest) -> dict[str, Any]:
    """The Client ID Metadata Document: a public client that uses PKCE and comes back to
    the inspector's callback."""
    return {
        "client_id": client_id_url(request),
        "client_name": DEFAULT_CLIENT_NAME,
        "client_uri": request.build_absolute_uri("/"),
        "redirect_uris": [redirect_uri(request)],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "web",
    }


def flow_settings(request: HttpRequest, chosen: OAuthSettings | None) -> OAuthSettings:
    """The person's settings for the connection, with this inspector's redirect URI and
    client_id URL filled in."""
    presentable = bool(settings.INSPECTOR_OAUTH_CLIENT_ID_URL) or request.is_secure()
    return replace(
        chosen or OAuthSettings(),
        redirect_uri=redirect_uri(request),
        client_metadata_url=client_id_url(request) if presentable else "",
    )
