"""A stdio server offering the Skills extension (`io.modelcontextprotocol/skills`, with
`directoryRead`), on the `mcp` package's low-level API with custom request handlers.

Skills, each a directory of `skill://` files read with `resources/read`:
- `git-workflow`: `SKILL.md` and `references/branching.md`, digests right;
- `acme/billing/refunds`: `SKILL.md` and `examples/email.md`, whose published digest and
  size are of other bytes than those served (a tampered or stale file);
- `reports/daily`: generated content, its `resources` "dynamic".
`skills/get` answers for those and for `hidden/unlisted` (not in the listing), and -32602
for anything else; `resources/directory/read` lists a directory's direct children.
"""

from __future__ import annotations

import hashlib
from typing import Any

import anyio
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import NotificationOptions, Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError

EXTENSION = "io.modelcontextprotocol/skills"
INVALID_PARAMS = -32602


def _skill_md(name: str, description: str, body: str) -> str:
    return f"---\nname: {name}\ndescription: {description}\n---\n\n{body}\n"


FILES: dict[str, str] = {
    "skill://git-workflow/SKILL.md": _skill_md(
        "git-workflow",
        "Follow the team's Git conventions",
        "# Git workflow\n\nBranch as `references/branching.md` says.",
    ),
    "skill://git-workflow/references/branching.md": "# Branching\n\nOne branch per change.\n",
    "skill://acme/billing/refunds/SKILL.md": _skill_md(
        "refunds", "Process refund requests", "# Refunds\n\nAnswer with `examples/email.md`."
    ),
    "skill://acme/billing/refunds/examples/email.md": "Dear customer, your refund is on its way.\n",
    "skill://reports/daily/SKILL.md": _skill_md(
        "daily", "Today's report, generated", "# Daily report\n\nGenerated on each read."
    ),
    "skill://hidden/unlisted/SKILL.md": _skill_md(
        "unlisted", "Served but not listed", "# Unlisted\n\nReach me with skills/get."
    ),
}
# What the server claims the tampered file holds (the bytes served differ).
CLAIMED = {"skill://acme/billing/refunds/examples/email.md": "Dear customer, no refund.\n"}
DYNAMIC = {"skill://reports/daily/SKILL.md"}
LISTED = [
    "skill://git-workflow/SKILL.md",
    "skill://acme/billing/refunds/SKILL.md",
    "skill://reports/daily/SKILL.md",
]


def _digest(text: str) -> dict[str, Any]:
    raw = text.encode()
    return {"digest": f"sha256:{hashlib.sha256(raw).hexdigest()}", "size": len(raw)}


def entry(uri: str) -> dict[str, Any]:
    root = uri.removesuffix("/SKILL.md")
    text = FILES[uri]
    front = dict(line.split(": ", 1) for line in text.split("---")[1].strip().splitlines())
    resources: list[dict[str, Any]] | str
    if uri in DYNAMIC:
        resources = "dynamic"
    else:
        resources = [
            {"uri": file, **_digest(CLAIMED.get(file, FILES[file]))}
            for file in FILES
            if file.startswith(root + "/")
        ]
    return {"uri": uri, "frontmatter": front, "resources": resources}


class SkillParams(types.RequestParams):
    uri: str


class DirectoryParams(types.RequestParams):
    uri: str
    cursor: str | None = None


async def list_skills(
    ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams
) -> dict[str, Any]:
    return {
        "skills": [entry(uri) for uri in LISTED],
        "ttlMs": 60000,
        "cacheScope": "public",
        "resultType": "complete",
    }


async def get_skill(ctx: ServerRequestContext[Any, Any], params: SkillParams) -> dict[str, Any]:
    if params.uri not in FILES or not params.uri.endswith("/SKILL.md"):
        raise MCPError(INVALID_PARAMS, f"No skill is served at {params.uri}")
    return {
        "skill": entry(params.uri),
        "ttlMs": 60000,
        "cacheScope": "public",
        "resultType": "complete",
    }


async def read_directory(
    ctx: ServerRequestContext[Any, Any], params: DirectoryParams
) -> dict[str, Any]:
    prefix = params.uri.rstrip("/") + "/"
    if not any(file.startswith(prefix) for file in FILES):
        raise MCPError(INVALID_PARAMS, f"{params.uri} is not a directory resource")
    children: dict[str, dict[str, Any]] = {}
    for file in FILES:
        if not file.startswith(prefix):
            continue
        head, _, rest = file[len(prefix) :].partition("/")
        if rest:
            children[head] = {"uri": prefix + head, "name": head, "mimeType": "inode/directory"}
        else:
            children[head] = {"uri": file, "name": head, "mimeType": "text/markdown"}
    return {"resources": list(children.values()), "resultType": "complete"}


async def list_resources(
    ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams
) -> dict[str, Any]:
    return {
        "resources": [
            {"uri": uri, "name": uri.rsplit("/", 1)[-1], "mimeType": "text/markdown"}
            for uri in LISTED
        ],
        "ttlMs": 60000,
        "cacheScope": "public",
        "resultType": "complete",
    }


async def read_resource(
    ctx: ServerRequestContext[Any, Any], params: types.ReadResourceRequestParams
) -> dict[str, Any]:
    uri = str(params.uri)
    if uri not in FILES:
        raise MCPError(INVALID_PARAMS, f"No resource at {uri}")
    content = {"uri": uri, "mimeType": "text/markdown", "text": FILES[uri]}
    return {"contents": [content], "ttlMs": 60000, "cacheScope": "public", "resultType": "complete"}


def build() -> Server[Any]:
    server: Server[Any] = Server("fixture-skills", version="0.1.0", title="Fixture Skills")
    server.add_request_handler("resources/list", types.PaginatedRequestParams, list_resources)
    server.add_request_handler("resources/read", types.ReadResourceRequestParams, read_resource)
    server.add_request_handler("skills/list", types.PaginatedRequestParams, list_skills)
    server.add_request_handler("skills/get", SkillParams, get_skill)
    server.add_request_handler("resources/directory/read", DirectoryParams, read_directory)
    # On the server itself: the modern era's `server/discover` reads them from there.
    server.extensions = {EXTENSION: {"directoryRead": True}}
    return server


async def main() -> None:
    server = build()
    options = server.create_initialization_options(NotificationOptions())
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, options)


if __name__ == "__main__":
    anyio.run(main)
