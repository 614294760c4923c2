"""The MCP client: its value types, its table of requests in flight, and the client."""
