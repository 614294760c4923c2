"""A recorded session's surface as its Catalog tab lists it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inspector.surface.model import LISTS, Surface

_LABELS = {
    "tools": "Tools",
    "resources": "Resources",
    "resourceTemplates": "Resource templates",
    "prompts": "Prompts",
}


@dataclass(frozen=True, slots=True)
class CatalogItem:
    name: str
    title: str
    description: str
    raw: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CatalogSection:
    key: str
    label: str
    listed: bool
    items: list[CatalogItem] = field(default_factory=list)


def catalog_sections(surface: Surface) -> list[CatalogSection]:
    return [
        CatalogSection(
            key=key,
            label=_LABELS[key],
            listed=key in surface.lists,
            items=[_item(item, name_field) for item in surface.items(key)],
        )
        for key, _, _, name_field, _ in LISTS
    ]


def _item(item: dict[str, Any], name_field: str) -> CatalogItem:
    def text(key: str) -> str:
        value = item.get(key)
        return value if isinstance(value, str) else ""

    return CatalogItem(
        name=text(name_field) or "(unnamed)",
        title=text("title") if text("title") != text(name_field) else "",
        description=text("description"),
        raw=item,
    )
