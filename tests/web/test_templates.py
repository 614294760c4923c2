"""Static checks of the templates that rendering alone would not catch."""

from __future__ import annotations

from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_template_short_comments_close_on_their_line(path: Path) -> None:
    # Django's {# #} ends on its own line; one left open is shown on the page as text.
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        assert line.count("{#") == line.count("#}"), f"{path.name}:{number} {line.strip()}"
