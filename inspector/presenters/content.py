"""Content from a server (tool results, prompt messages, resource contents) as a page
shows it: typed blocks, large text cut short, binary data served from the event log.

Each block remembers where it sits in the message that carried it (`at`, a dotted path
into the event's payload), so "Show all", downloads, images and audio are fetched from
the stored event by URL rather than inlined into the page.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt

from inspector.presenters.wire import as_text, indented_json, is_integer

SHOWN_TEXT_CHARS = 100_000
# Types a browser may render inline from a server's data; anything else is a download.
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"})
_INLINE_AUDIO_TYPE = re.compile(r"^audio/[a-z0-9.+-]{1,64}$")
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


@dataclass(slots=True)
class ContentView:
    # text, image, audio, resource_link, resource_text, resource_blob, tool_use,
    # tool_result (sampling with tools, 2025-11-25), unknown
    kind: str
    at: str
    raw: dict[str, Any]
    text: str = ""
    size: int = 0
    truncated: bool = False
    pretty_json: str = ""
    markdown_html: str = ""
    mime: str = ""
    uri: str = ""
    name: str = ""
    title: str = ""
    description: str = ""
    annotations: dict[str, Any] = field(default_factory=dict)
    meta: Any = None
    problem: str = ""
    # tool_use: the call's id, tool name and input; tool_result: the id it answers,
    # whether it is an error, and its own content blocks.
    tool_use_id: str = ""
    tool_input_json: str = ""
    is_error: bool = False
    nested: list[ContentView] = field(default_factory=list)

    @property
    def inline_image(self) -> bool:
        return self.mime in INLINE_IMAGE_TYPES and not self.problem

    @property
    def inline_audio(self) -> bool:
        return is_inline_audio(self.mime) and not self.problem

    @property
    def text_field(self) -> str:
        """Where the block's text or data sits, below `at`."""
        return (
            "blob"
            if self.kind == "resource_blob"
            else ("data" if self.kind in ("image", "audio") else "text")
        )

    @property
    def raw_json(self) -> str:
        return indented_json(self.raw)[:SHOWN_TEXT_CHARS]


def is_inline_audio(mime: str) -> bool:
    """An audio type plain enough to be served as a response's Content-Type."""
    return bool(_INLINE_AUDIO_TYPE.match(mime))


def content_views(blocks: Any, at: str) -> list[ContentView]:
    """Views of a `content` array; `at` is the array's path in the message."""
    if not isinstance(blocks, list):
        return []
    return [content_view(block, f"{at}.{index}") for index, block in enumerate(blocks)]


def content_view(block: Any, at: str) -> ContentView:
    if not isinstance(block, dict):
        return ContentView("unknown", at, {"value": block}, problem="Not a content object.")
    kind = block.get("type")
    view = ContentView(str(kind or "unknown"), at, block)
    annotations = block.get("annotations")
    view.annotations = annotations if isinstance(annotations, dict) else {}
    view.meta = block.get("_meta")
    if kind == "text":
        _with_text(view, block.get("text"), "")
    elif kind in ("image", "audio"):
        view.mime = as_text(block.get("mimeType"))
        _with_data(view, block.get("data"))
    elif kind == "resource_link":
        _describe_resource(view, block)
    elif kind == "tool_use":
        view.name = as_text(block.get("name"))
        view.tool_use_id = as_text(block.get("id"))
        view.tool_input_json = indented_json(block.get("input"))
        if not view.name or not view.tool_use_id:
            view.problem = "A tool_use block needs an id and a name."
    elif kind == "tool_result":
        view.tool_use_id = as_text(block.get("toolUseId"))
        view.is_error = block.get("isError") is True
        view.nested = content_views(block.get("content"), f"{at}.content")
        if not view.tool_use_id:
            view.problem = "A tool_result block needs the toolUseId it answers."
    elif kind == "resource":
        resource = block.get("resource")
        resource_view = resource_contents_view(resource, f"{at}.resource")
        resource_view.annotations = view.annotations
        resource_view.meta = view.meta
        resource_view.raw = block
        return resource_view
    else:
        view.kind = "unknown"
        view.problem = f"Unknown content type {kind!r}; shown as sent."
    return view


def resource_contents_view(contents: Any, at: str) -> ContentView:
    """A text or blob resource (from resources/read, or embedded in content)."""
    if not isinstance(contents, dict):
        return ContentView("unknown", at, {"value": contents}, problem="Not a resource object.")
    view = ContentView("resource_text", at, contents)
    _describe_resource(view, contents)
    if "blob" in contents:
        view.kind = "resource_blob"
        _with_data(view, contents.get("blob"))
    else:
        _with_text(view, contents.get("text"), view.mime)
    return view


def _describe_resource(view: ContentView, data: dict[str, Any]) -> None:
    view.uri = as_text(data.get("uri"))
    view.name = as_text(data.get("name"))
    view.title = as_text(data.get("title"))
    view.description = as_text(data.get("description"))
    view.mime = as_text(data.get("mimeType"))
    size = data.get("size")
    if is_integer(size):
        view.size = size


def _with_text(view: ContentView, text: Any, mime: str) -> None:
    if not isinstance(text, str):
        view.problem = "The text is missing or not a string."
        text = "" if text is None else json.dumps(text)
    view.size = len(text)
    view.truncated = len(text) > SHOWN_TEXT_CHARS
    view.text = text[:SHOWN_TEXT_CHARS]
    if view.truncated:
        return
    base = mime.split(";")[0].strip().lower()
    if base == "text/markdown":
        # Raw HTML in Markdown is escaped, and unsafe link schemes are refused by the
        # parser: a server's Markdown cannot run script in the inspector's origin.
        view.markdown_html = _markdown.render(text)
    elif base in ("", "application/json", "text/plain") or base.endswith("+json"):
        view.pretty_json = _pretty_json(text)


def _with_data(view: ContentView, data: Any) -> None:
    if not isinstance(data, str):
        view.problem = "The base64 data is missing or not a string."
        return
    view.size = len(data) * 3 // 4
    if view.mime in INLINE_IMAGE_TYPES or is_inline_audio(view.mime):
        try:
            base64.b64decode(data[:4096], validate=True)
        except (binascii.Error, ValueError):
            view.problem = "The data is not valid base64."


def _pretty_json(text: str) -> str:
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return ""
    try:
        return indented_json(json.loads(text))
    except json.JSONDecodeError:
        return ""


def message_content_views(content: Any, at: str) -> list[ContentView]:
    """A message's content, which sampling allows as one block or (2025-11-25) a list."""
    if isinstance(content, list):
        return content_views(content, at)
    return [content_view(content, at)]


def payload_part(payload: Any, at: str) -> Any:
    """The value at a dotted path (`result.content.2.data`) in a message, or None."""
    node = payload
    for step in at.split("."):
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            return None
    return node
