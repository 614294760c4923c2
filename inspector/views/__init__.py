"""Async HTMX views, one module per tab of a session page (and the home page, saved
servers and OAuth endpoints); the home page, saved servers and a session have .json twins."""
