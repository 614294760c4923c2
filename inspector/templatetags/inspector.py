"""Template filters for server-provided data, which is never trusted."""

from __future__ import annotations

import json
import re
from typing import Any

from django import template

from inspector.presenters import tools
from inspector.presenters.timeouts import describe_timeouts
from inspector.presenters.wire import indented_json

register = template.Library()

# Raster images only: SVG can carry script, so it is never shown from a server.
_SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")


@register.filter
def is_safe_icon(src: Any) -> bool:
    if not isinstance(src, str):
        return False
    if src.startswith("data:"):
        return bool(_SAFE_DATA_IMAGE.match(src))
    # An <img> never runs an SVG's script, and the extension does not decide the type,
    # so for https: sources the scheme is what matters.
    return src.startswith("https://")


@register.filter
def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


@register.filter
def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@register.filter
def verbatim_json(value: Any) -> str:
    """JSON in the order the server sent it (`_meta` is shown as it came)."""
    return indented_json(value)


@register.filter
def display_name(item: Any) -> str:
    """A tool's, prompt's or resource's name as people should see it."""
    return tools.display_name(item) if isinstance(item, dict) else ""


@register.filter
def meta(item: Any) -> Any:
    """An item's `_meta` (templates cannot name attributes that start with `_`)."""
    return item.get("_meta") if isinstance(item, dict) else None


@register.filter
def path_json(path: Any) -> str:
    return json.dumps(list(path))


@register.filter
def safe_icons(item: Any) -> list[dict[str, Any]]:
    """The icons of an item that may be shown: https: or raster data: sources only."""
    icons = item.get("icons") if isinstance(item, dict) else None
    if not isinstance(icons, list):
        return []
    return [icon for icon in icons if isinstance(icon, dict) and is_safe_icon(icon.get("src"))]


@register.filter
def offers(session: Any, capability: str) -> bool:
    """Whether the session's server declared a capability (`resources.subscribe`...)."""
    return bool(session.offers(capability)) if hasattr(session, "offers") else False


@register.filter
def timeouts(spec: Any) -> str:
    """A connection's effective timeout settings in one line."""
    return describe_timeouts(spec) if isinstance(spec, dict) else ""


@register.filter
def entry(mapping: Any, key: Any) -> Any:
    """`mapping[key]`, or None: a dictionary read with a key a template holds."""
    return mapping.get(key) if isinstance(mapping, dict) else None
