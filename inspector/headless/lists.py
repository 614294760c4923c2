"""The lists of a headless call: every page of one, and what a server does not offer.

A list method on a server that does not declare its capability is not sent: the result
is the empty list, as the official inspector's CLI prints it, and the caller says why on
stderr. The same lists tell an unknown tool from a tool that failed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inspector.headless.args import LIST_METHODS
from inspector.mcp.errors import McpError

if TYPE_CHECKING:
    from inspector.mcp.client.client import McpClient

# A server whose cursors never end must not keep a list call going forever.
MAX_PAGES = 1000
# The server capability each list needs (templates belong to resources).
CAPABILITY_OF = {
    "tools/list": "tools",
    "resources/list": "resources",
    "resources/templates/list": "resources",
    "prompts/list": "prompts",
}


class MalformedList(McpError):
    """The pages of a list do not add up to a list."""


def undeclared_capability(method: str, capabilities: dict[str, Any]) -> str | None:
    """The capability a list method needs and the server did not declare, if any."""
    needed = CAPABILITY_OF.get(method)
    if needed is None or capabilities.get(needed) is not None:
        return None
    return needed


def empty_list(method: str) -> dict[str, Any]:
    return {LIST_METHODS[method]: []}


def undeclared_note(method: str, capability: str) -> str:
    return (
        f"note: the server does not declare the {capability!r} capability, so {method} "
        "was not sent; the list is empty."
    )


async def every_page(
    client: McpClient, method: str, params: dict[str, Any] | None
) -> dict[str, Any]:
    """The whole list, following `nextCursor`; the first page's other fields are kept."""
    key = LIST_METHODS[method]
    first: dict[str, Any] | None = None
    items: list[Any] = []
    seen: set[str] = set()
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page_params = dict(params or {})
        if cursor is not None:
            page_params["cursor"] = cursor
        page = await client.request(method, page_params or None)
        first = first if first is not None else page
        listed = page.get(key)
        if not isinstance(listed, list):
            if page is first:
                return page  # not a list at all: shown as the server sent it
            raise MalformedList(f"A later page of {method} has no {key!r} list.")
        items.extend(listed)
        cursor = page.get("nextCursor")
        if not isinstance(cursor, str) or not cursor:
            break
        if cursor in seen:
            raise MalformedList(f"{method} returned the cursor {cursor!r} a second time.")
        seen.add(cursor)
    else:
        raise MalformedList(f"{method} did not end after {MAX_PAGES} pages.")
    result = {name: value for name, value in first.items() if name != "nextCursor"}
    result[key] = items
    return result


async def tool_is_listed(client: McpClient, name: str, capabilities: dict[str, Any]) -> bool | None:
    """Whether the server lists a tool of that name; None when its list cannot say."""
    if undeclared_capability("tools/list", capabilities) is not None:
        return False
    try:
        listed = (await every_page(client, "tools/list", None)).get("tools")
    except McpError:
        return None
    if not isinstance(listed, list):
        return None
    return any(isinstance(tool, dict) and tool.get("name") == name for tool in listed)
