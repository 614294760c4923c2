"""Counts shown to people read as English: one item, two items."""

from __future__ import annotations

from inspector.presenters.resources import resource_facts


def test_a_resource_of_one_byte_says_byte() -> None:
    [size] = resource_facts({"size": 1})
    assert size.value == "1 byte"
    [size] = resource_facts({"size": 2048})
    assert size.value == "2,048 bytes"
