"""Content blocks from a server, as a page shows them: never trusted, never fatal."""

from __future__ import annotations

from inspector.presenters.content import SHOWN_TEXT_CHARS, content_view, content_views


def test_content_view_of_text_pretty_prints_json_text() -> None:
    view = content_view({"type": "text", "text": '{"a": [1, 2]}'}, "result.content.0")
    assert view.kind == "text"
    assert view.pretty_json.startswith("{\n")
    assert view.text_field == "text"


def test_content_views_paths_follow_the_array() -> None:
    views = content_views([{"type": "text", "text": "a"}, "oops"], "result.content")
    assert [view.at for view in views] == ["result.content.0", "result.content.1"]
    assert views[1].kind == "unknown"
    assert views[1].problem == "Not a content object."
    assert content_views({"not": "a list"}, "x") == []


def test_markdown_resources_render_without_raw_html() -> None:
    block = {
        "type": "resource",
        "resource": {
            "uri": "file:///readme.md",
            "mimeType": "text/markdown",
            "text": "# Title\n<script>alert(1)</script>\n[x](javascript:alert(1))",
        },
    }
    view = content_view(block, "result.content.0")
    assert "<h1>Title</h1>" in view.markdown_html
    assert "<script>" not in view.markdown_html
    assert 'href="javascript:' not in view.markdown_html


def test_an_image_with_bad_base64_is_not_inlined() -> None:
    good = content_view({"type": "image", "mimeType": "image/png", "data": "iVBORw0KGgo="}, "c")
    bad = content_view({"type": "image", "mimeType": "image/png", "data": "not base64!"}, "c")
    svg = content_view({"type": "image", "mimeType": "image/svg+xml", "data": "PHN2Zz4="}, "c")
    assert good.inline_image
    assert not bad.inline_image
    assert "base64" in bad.problem
    assert not svg.inline_image, "server SVG is never inlined"


def test_long_text_is_cut_and_says_so() -> None:
    view = content_view({"type": "text", "text": "x" * (SHOWN_TEXT_CHARS + 1)}, "c")
    assert view.truncated
    assert view.size == SHOWN_TEXT_CHARS + 1
    assert len(view.text) == SHOWN_TEXT_CHARS


def test_unknown_block_types_are_shown_as_sent() -> None:
    view = content_view({"type": "hologram", "x": 1}, "c")
    assert view.kind == "unknown"
    assert "hologram" in view.problem
    assert '"x": 1' in view.raw_json
