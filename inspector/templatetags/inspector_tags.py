"""Template filters for server-provided data, which is never trusted."""

from __future__ import annotations

import json
import re
from typing import Any

from django import template

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
