"""Results as people read them: indented JSON, or words (`--format text`).

Server-provided text has its control characters escaped: a server must not be able to
drive the terminal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from inspector.headless.args import OutputFormat


def render_result(method: str, result: dict[str, Any], output: OutputFormat) -> str:
    """The result for people: as indented JSON, or in words with `--format text`."""
    if output is OutputFormat.TEXT:
        renderer: Callable[[dict[str, Any]], str] = _TEXT_RENDERERS.get(method, pretty)
        try:
            return renderer(result).rstrip("\n") + "\n"
        except (AttributeError, KeyError, TypeError, ValueError):
            # A result too malformed for the friendly view is still worth seeing.
            return pretty(result)
    return pretty(result)


def pretty(value: Any) -> str:
    return escape(json.dumps(value, indent=2, ensure_ascii=False)) + "\n"


def escape(text: str) -> str:
    """Escape what `clean` escapes. In JSON text, those characters can only stand inside
    strings, where `\\uXXXX` means the same: the output is the same JSON, terminal-safe."""
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


# -- text for people --------------------------------------------------------------------------

# C0 and C1 controls (but newline and tab) and the bidirectional overrides: printed as is,
# they would let a server move the cursor, recolour or hide text in the terminal.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(value: Any) -> str:
    return escape(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def _list(result: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = result.get(key)
    if not isinstance(items, list):
        raise ValueError(f"no {key} list")
    return [item if isinstance(item, dict) else {"name": item} for item in items]


def _headline(item: dict[str, Any], key: str, aside: str = "title") -> str:
    """`key (aside) — the first line of the description`."""
    line = clean(item.get(key, "?"))
    if item.get(aside):
        line += f" ({clean(item[aside])})"
    description = item.get("description")
    if isinstance(description, str) and description.strip():
        line += f" — {clean(description.strip().splitlines()[0])}"
    return line


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _initialize(result: dict[str, Any]) -> str:
    info = result.get("serverInfo") or {}
    name = " ".join(clean(info[key]) for key in ("name", "version") if info.get(key)) or "?"
    lines = [f"{name} ({clean(info['title'])})" if info.get("title") else name]
    lines.append(f"protocol {clean(result.get('protocolVersion', '?'))}")
    capabilities = result.get("capabilities") or {}
    lines.append("capabilities: " + (", ".join(clean(name) for name in capabilities) or "none"))
    instructions = result.get("instructions")
    if isinstance(instructions, str) and instructions.strip():
        lines += ["instructions:", _indent(clean(instructions))]
    return "\n".join(lines)


def _tools(result: dict[str, Any]) -> str:
    blocks = []
    for tool in _list(result, "tools"):
        lines = [_headline(tool, "name")]
        schema = _dict(tool.get("inputSchema"))
        required = schema.get("required")
        required = required if isinstance(required, list) else []
        for name, prop in _dict(schema.get("properties")).items():
            prop = _dict(prop)
            kind = prop.get("type", "any")
            kind = " | ".join(map(str, kind)) if isinstance(kind, list) else kind
            line = f"  {clean(name)}: {clean(kind)}" + (" (required)" if name in required else "")
            if isinstance(prop.get("description"), str):
                line += f" — {clean(prop['description'])}"
            lines.append(line)
        blocks.append("\n".join(lines))
    return "\n".join(blocks) if blocks else "no tools"


def _content_block(block: Any) -> str:
    if not isinstance(block, dict):
        return clean(block)
    kind = block.get("type")
    if kind == "text":
        return clean(block.get("text", ""))
    if kind in ("image", "audio"):
        data = block.get("data")
        size = f", {_characters(data)} of base64" if isinstance(data, str) else ""
        return f"[{kind}: {clean(block.get('mimeType', 'unknown type'))}{size}]"
    if kind == "resource_link":
        return f"[resource link: {clean(block.get('uri', '?'))}" + (
            f" ({clean(block['name'])})]" if block.get("name") else "]"
        )
    if kind == "resource" and isinstance(block.get("resource"), dict):
        return _resource_contents(block["resource"])
    return clean(json.dumps(block, indent=2, ensure_ascii=False))


def _resource_contents(contents: dict[str, Any]) -> str:
    header = f"[resource {clean(contents.get('uri', '?'))}"
    if contents.get("mimeType"):
        header += f" ({clean(contents['mimeType'])})"
    if isinstance(contents.get("text"), str):
        return f"{header}]\n{clean(contents['text'])}"
    blob = contents.get("blob")
    size = f": {_characters(blob)} of base64" if isinstance(blob, str) else ""
    return f"{header}{size}]"


def _tool_result(result: dict[str, Any]) -> str:
    parts = [_content_block(block) for block in result.get("content") or []]
    structured = result.get("structuredContent")
    if structured is not None:
        parts.append("structured content:\n" + _indent(clean(pretty(structured).rstrip())))
    body = "\n".join(parts) if parts else "(no content)"
    return f"error (isError):\n{_indent(body)}" if result.get("isError") is True else body


def _resources(result: dict[str, Any]) -> str:
    lines = [_headline(item, "uri", "name") for item in _list(result, "resources")]
    return "\n".join(lines) if lines else "no resources"


def _templates(result: dict[str, Any]) -> str:
    lines = [_headline(item, "uriTemplate", "name") for item in _list(result, "resourceTemplates")]
    return "\n".join(lines) if lines else "no resource templates"


def _read(result: dict[str, Any]) -> str:
    contents = _list(result, "contents")
    return "\n".join(_resource_contents(item) for item in contents) if contents else "no contents"


def _prompts(result: dict[str, Any]) -> str:
    blocks = []
    for prompt in _list(result, "prompts"):
        lines = [_headline(prompt, "name")]
        for argument in prompt.get("arguments") or []:
            if isinstance(argument, dict):
                line = f"  {clean(argument.get('name', '?'))}"
                line += " (required)" if argument.get("required") else ""
                if isinstance(argument.get("description"), str):
                    line += f" — {clean(argument['description'])}"
                lines.append(line)
        blocks.append("\n".join(lines))
    return "\n".join(blocks) if blocks else "no prompts"


def _prompt(result: dict[str, Any]) -> str:
    lines = []
    if isinstance(result.get("description"), str):
        lines.append(clean(result["description"]))
    for message in _list(result, "messages"):
        lines.append(f"{clean(message.get('role', '?'))}:")
        lines.append(_indent(_content_block(message.get("content"))))
    return "\n".join(lines)


def _completion(result: dict[str, Any]) -> str:
    completion = result.get("completion")
    if not isinstance(completion, dict):
        raise ValueError("no completion")
    values = completion.get("values") or []
    lines = [clean(value) for value in values] or ["no completions"]
    notes = []
    if isinstance(completion.get("total"), int):
        notes.append(f"{completion['total']} in all")
    if completion.get("hasMore"):
        notes.append("more available")
    if notes:
        lines.append(f"({', '.join(notes)})")
    return "\n".join(lines)


def _empty(result: dict[str, Any]) -> str:
    extra = {key: value for key, value in result.items() if key != "_meta"}
    return "ok" if not extra else pretty(result)


_TEXT_RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "initialize": _initialize,
    "ping": _empty,
    "logging/setLevel": _empty,
    "tools/list": _tools,
    "tools/call": _tool_result,
    "resources/list": _resources,
    "resources/templates/list": _templates,
    "resources/read": _read,
    "prompts/list": _prompts,
    "prompts/get": _prompt,
    "completion/complete": _completion,
}


def _characters(text: str) -> str:
    return f"{len(text)} character{'' if len(text) == 1 else 's'}"
