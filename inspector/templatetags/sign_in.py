"""What the login page offers besides the password form."""

from __future__ import annotations

from django import template

from inspector import services

register = template.Library()


@register.simple_tag
def identity_provider_name() -> str:
    """The configured identity provider's name for its button; "" when there is none."""
    provider = services.identity_provider_get()
    return provider.name if provider is not None else ""
