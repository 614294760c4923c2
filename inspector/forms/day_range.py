"""Filters over a range of days, shared by the pages that search what was recorded."""

from __future__ import annotations

from typing import Any

from django import forms


class DayRangeForm(forms.Form):
    """A filter form with `since` and `until` days (its subclass declares them, with their
    labels): the last may not come before the first, and a field in error narrows nothing
    (its error is shown beside it)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The last day comes before the first.")
        return cleaned

    def valid_values(self) -> dict[str, Any]:
        """What the fields without an error hold."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: value for name, value in cleaned.items() if name not in self.errors}
