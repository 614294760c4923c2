"""What a browser would submit from a form on a page: its inputs as they stand."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_class: str) -> None:
        super().__init__()
        self.form_class = form_class
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form" and self.form_class in found.get("class", "").split():
            self.inside = True
        if not self.inside:
            return
        name = found.get("name", "")
        if tag == "input" and name and found.get("type") not in ("submit", "button", "file"):
            if found.get("type") in ("checkbox", "radio") and "checked" not in found:
                return
            self.fields.append((name, found.get("value", "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in found:
            self.fields.append((self._select, found.get("value", "")))
        elif tag == "textarea":
            self._textarea = name
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None


def form_fields(page: str, form_class: str) -> list[tuple[str, str]]:
    """The name/value pairs of the first form with `form_class`, as submitted."""
    reader = _FormReader(form_class)
    reader.feed(page)
    return reader.fields
