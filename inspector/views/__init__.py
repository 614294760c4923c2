"""Async HTMX views, one module per page; each has a .json twin."""
