"""Two surfaces compared field by field: items added and removed, and for a change the
path of each field, with schema properties and requirements said per property."""

from __future__ import annotations

from typing import Any

from inspector.surface.diff import FieldChange, ItemChange, diff_surfaces, field_changes
from inspector.surface.model import Surface


def tool(name: str, **fields: Any) -> dict[str, Any]:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    return {"name": name, "description": "d", "inputSchema": schema, **fields}


def surface(*tools: dict[str, Any], **server: Any) -> Surface:
    return Surface(server={"name": "s", "version": "1", **server}, lists={"tools": list(tools)})


def test_the_same_surface_is_the_same_whenever_and_wherever_it_was_taken() -> None:
    before = surface(tool("t"))
    after = surface(tool("t"))
    after.captured_at, after.target = "later", "elsewhere"
    assert diff_surfaces(before, after).same


def test_added_removed_and_changed_items_in_their_order() -> None:
    diff = diff_surfaces(surface(tool("a"), tool("b")), surface(tool("b", title="B"), tool("c")))
    assert diff.changes == [
        ItemChange("tool", "a", "removed"),
        ItemChange("tool", "b", "changed", (FieldChange("title", "added", after="B"),)),
        ItemChange("tool", "c", "added"),
    ]
    assert diff.counts() == {"added": 1, "removed": 1, "changed": 1}


def test_schema_properties_and_requirements_are_said_per_property() -> None:
    before = tool("t")
    after = tool("t")
    after["inputSchema"] = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
        "required": ["b"],
    }
    assert field_changes(before, after) == [
        FieldChange("inputSchema.properties.a.type", "changed", before="string", after="integer"),
        FieldChange("inputSchema.properties.b", "added", after={"type": "string"}),
        FieldChange("inputSchema.properties.b", "now required"),
        FieldChange("inputSchema.properties.a", "now optional"),
    ]


def test_a_prompts_arguments_are_compared_by_name_not_position() -> None:
    before = {"name": "p", "arguments": [{"name": "x"}, {"name": "y", "required": False}]}
    after = {"name": "p", "arguments": [{"name": "y", "required": True}, {"name": "x"}]}
    assert field_changes(before, after) == [
        FieldChange("arguments.y.required", "changed", before=False, after=True)
    ]


def test_the_server_identity_and_capabilities_are_compared_too() -> None:
    diff = diff_surfaces(
        surface(capabilities={"tools": {}}),
        surface(capabilities={"tools": {"listChanged": True}}, version="2"),
    )
    assert diff.changes == [
        ItemChange(
            "server",
            "s",
            "changed",
            (
                FieldChange("version", "changed", before="1", after="2"),
                FieldChange("capabilities.tools.listChanged", "added", after=True),
            ),
        )
    ]


def test_a_side_listed_in_part_is_named() -> None:
    partial = surface(tool("a"))
    partial.incomplete = ["tools"]
    assert diff_surfaces(partial, surface(tool("a"))).incomplete == ["tools"]
    assert diff_surfaces(partial, surface(tool("a"))).to_json()["same"] is True
