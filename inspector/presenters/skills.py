"""The Skills extension (`io.modelcontextprotocol/skills`) as a page shows it: the skill
entries a server lists, and whether a file read matches the digest and size its entry
publishes (SHA-256 of the raw bytes, `sha256:{hex}`)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

EXTENSION = "io.modelcontextprotocol/skills"


def skills_settings(capabilities: dict[str, Any]) -> dict[str, Any] | None:
    """The extension's settings when the server declared it, else None."""
    extensions = capabilities.get("extensions")
    settings = extensions.get(EXTENSION) if isinstance(extensions, dict) else None
    return settings if isinstance(settings, dict) else None


@dataclass(frozen=True, slots=True)
class SkillFile:
    uri: str
    path: str  # relative to the skill's root
    digest: str
    size: int | None


@dataclass(frozen=True, slots=True)
class SkillView:
    uri: str
    root: str
    name: str
    description: str
    frontmatter: dict[str, Any]
    files: list[SkillFile]
    dynamic: bool
    problems: list[str]


def skill_view(entry: Any) -> SkillView:
    """One entry of `skills/list` or `skills/get`, with what is wrong with its shape."""
    entry = entry if isinstance(entry, dict) else {}
    problems: list[str] = []
    uri = str(entry.get("uri") or "")
    if not uri.endswith("/SKILL.md"):
        problems.append("Its uri does not name a SKILL.md.")
    root = uri.removesuffix("/SKILL.md")
    front = entry.get("frontmatter")
    front = front if isinstance(front, dict) else {}
    name = str(front.get("name") or "")
    if not name or not front.get("description"):
        problems.append("Its frontmatter lacks name or description.")
    elif root.rsplit("/", 1)[-1] != name:
        problems.append(f"The last segment of its path is not its name {name!r}.")
    resources = entry.get("resources")
    files: list[SkillFile] = []
    if isinstance(resources, list):
        for item in resources:
            if not isinstance(item, dict) or not isinstance(item.get("uri"), str):
                problems.append("A resources entry has no uri.")
                continue
            size = item.get("size")
            files.append(
                SkillFile(
                    uri=item["uri"],
                    path=item["uri"].removeprefix(root + "/"),
                    digest=str(item.get("digest") or ""),
                    size=size if isinstance(size, int) else None,
                )
            )
    elif resources != "dynamic":
        problems.append('Its resources are neither a list nor "dynamic": a host must not load it.')
    return SkillView(
        uri=uri,
        root=root,
        name=name or root,
        description=str(front.get("description") or ""),
        frontmatter=front,
        files=files,
        dynamic=resources == "dynamic",
        problems=problems,
    )


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool | None  # None: nothing published to check against
    message: str
    text: str  # the content, when it is text


def verify(contents: Any, digest: str, size: int | None) -> Verification:
    """Check a `resources/read` result's first content against a published digest/size."""
    first = contents[0] if isinstance(contents, list) and contents else {}
    first = first if isinstance(first, dict) else {}
    if isinstance(first.get("text"), str):
        text = first["text"]
        raw = text.encode()
    else:
        text = ""
        try:
            raw = base64.b64decode(str(first.get("blob") or ""), validate=True)
        except (binascii.Error, ValueError):
            return Verification(False, "The content is neither text nor valid base64.", "")
    actual = f"sha256:{hashlib.sha256(raw).hexdigest()}"
    if not digest:
        return Verification(None, f"No digest published (dynamic skill); read {actual}.", text)
    problems = []
    if size is not None and size != len(raw):
        problems.append(f"size {len(raw)} bytes, but the entry says {size}")
    if actual != digest.lower():
        problems.append(f"digest {actual}, but the entry says {digest}")
    if problems:
        message = (
            "Digest mismatch: the content read is not what the skill's entry describes ("
            + "; ".join(problems)
            + "). A host must not use it."
        )
        return Verification(False, message, text)
    return Verification(True, f"Digest verified: {actual}, {len(raw)} bytes.", text)
