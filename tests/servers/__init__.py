"""MCP servers the tests talk to: real ones built with the `mcp` package, and broken ones."""
