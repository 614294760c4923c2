"""Pydantic shapes of the messages the client interprets.

They are lenient on purpose (unknown fields are kept): the inspector shows whatever the
server sent, and uses these shapes to read it and to report where it breaks the schema.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class WireModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Icon(WireModel):
    src: str
    mime_type: str | None = Field(default=None, alias="mimeType")
    sizes: list[str] | None = None
    theme: str | None = None


class Implementation(WireModel):
    name: str
    version: str
    title: str | None = None
    description: str | None = None
    icons: list[Icon] | None = None
    website_url: str | None = Field(default=None, alias="websiteUrl")


class InitializeResult(WireModel):
    protocol_version: str = Field(alias="protocolVersion")
    capabilities: dict[str, Any]
    server_info: Implementation = Field(alias="serverInfo")
    instructions: str | None = None
    meta: dict[str, Any] | None = Field(default=None, alias="_meta")
