"""The judge: every message checked against the negotiated protocol version.

Shapes come from PyPI `mcp-types` (`shapes`), with what it lacks for older versions
(`version_fields`); rules beyond the schema are grouped by subject (`content`, `tools`,
`meta`, `modern`, `capabilities`) and those with memory live in one `state.ConnectionState` per
connection. `rules` holds the table of every rule id, severity and spec page.
"""
