"""The protocol core: a faithful MCP client on asyncio, httpx and pydantic.

Nothing under this package may import Django or Channels: the CLI and the conformance
driver use it alone, and an import-linter contract (pyproject.toml) enforces the boundary.
"""
