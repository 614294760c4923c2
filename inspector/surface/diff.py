"""Two surfaces compared: what was added, removed and changed, and for a change, which
field (a description, an annotation, each schema property: added, removed, its type or
whether it is required)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inspector.surface.model import LISTS, Surface

# Fields that say when or where a snapshot was taken, not what the server offers.
_NOT_COMPARED = frozenset({"captured_at", "target"})


@dataclass(frozen=True, slots=True)
class FieldChange:
    path: str  # dotted, from the item: "inputSchema.properties.city.type"
    change: str  # added, removed, changed, now required, now optional
    before: Any = None
    after: Any = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "change": self.change}
        if self.change in ("removed", "changed"):
            data["before"] = self.before
        if self.change in ("added", "changed"):
            data["after"] = self.after
        return data


@dataclass(frozen=True, slots=True)
class ItemChange:
    kind: str  # server, tool, resource, template, prompt
    name: str
    change: str  # added, removed, changed
    fields: tuple[FieldChange, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "name": self.name, "change": self.change}
        if self.fields:
            data["fields"] = [each.to_json() for each in self.fields]
        return data


@dataclass(slots=True)
class SurfaceDiff:
    changes: list[ItemChange] = field(default_factory=list)
    # Lists one side could not give whole: a difference there may be the gap's.
    incomplete: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.changes

    def counts(self) -> dict[str, int]:
        counted = {"added": 0, "removed": 0, "changed": 0}
        for change in self.changes:
            counted[change.change] += 1
        return counted

    def to_json(self) -> dict[str, Any]:
        return {
            "same": self.same,
            "counts": self.counts(),
            "changes": [change.to_json() for change in self.changes],
            "incomplete": self.incomplete,
        }


def diff_surfaces(before: Surface, after: Surface) -> SurfaceDiff:
    result = SurfaceDiff(incomplete=sorted(set(before.incomplete) | set(after.incomplete)))
    server_fields = field_changes(before.server, after.server)
    if server_fields:
        name = str(after.server.get("name") or before.server.get("name") or "server")
        result.changes.append(ItemChange("server", name, "changed", tuple(server_fields)))
    for key, _, _, name_field, kind in LISTS:
        old = _keyed(before.items(key), name_field)
        new = _keyed(after.items(key), name_field)
        for name, item in old.items():
            if name not in new:
                result.changes.append(ItemChange(kind, name, "removed"))
            else:
                changed = field_changes(item, new[name])
                if changed:
                    result.changes.append(ItemChange(kind, name, "changed", tuple(changed)))
        result.changes.extend(ItemChange(kind, name, "added") for name in new if name not in old)
    return result


def field_changes(before: Any, after: Any, path: str = "") -> list[FieldChange]:
    """Every difference between two JSON values, each at its path."""
    found: list[FieldChange] = []
    _compare(before, after, path, found)
    return found


def _compare(before: Any, after: Any, path: str, found: list[FieldChange]) -> None:
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(key for key in after if key not in before)]:
            if not path and key in _NOT_COMPARED:
                continue
            where = f"{path}.{key}" if path else str(key)
            if key not in after:
                found.append(FieldChange(where, "removed", before=before[key]))
            elif key not in before:
                found.append(FieldChange(where, "added", after=after[key]))
            elif key == "required" and _names(before[key]) and _names(after[key]):
                _requirement(before[key], after[key], path, found)
            else:
                _compare(before[key], after[key], where, found)
        return
    if _named_objects(before) and _named_objects(after):
        _compare(_keyed(before, "name"), _keyed(after, "name"), path, found)
        return
    found.append(FieldChange(path, "changed", before=before, after=after))


def _requirement(before: list[str], after: list[str], path: str, found: list[FieldChange]) -> None:
    """A schema's `required` list, said per property: which became required or optional."""
    prefix = f"{path}.properties" if path else "properties"
    found.extend(
        FieldChange(f"{prefix}.{name}", "now required") for name in after if name not in before
    )
    found.extend(
        FieldChange(f"{prefix}.{name}", "now optional") for name in before if name not in after
    )


def _keyed(items: list[Any], name_field: str) -> dict[str, Any]:
    keyed: dict[str, Any] = {}
    for item in items:
        if isinstance(item, dict):
            keyed.setdefault(str(item.get(name_field, "")), item)
    return keyed


def _names(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(each, str) for each in value)


def _named_objects(value: Any) -> bool:
    """A list of objects each with a name (a prompt's arguments): compared by name."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(each, dict) and isinstance(each.get("name"), str) for each in value)
    )
