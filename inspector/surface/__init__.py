"""A server's surface: what it offers (identity, capabilities, instructions, tools,
resources, templates, prompts), captured from a live connection or read back from a
session's events, kept as a snapshot file, and compared field by field."""
