"""The home page's search of sessions: text, status, a range of days, and the page."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms

from inspector.forms.day_range import DayRangeForm
from inspector.services import SessionSearch, SessionStatus

STATUS_CHOICES = [("", "Any status"), *((status.value, status.value) for status in SessionStatus)]


class SessionSearchForm(DayRangeForm):
    q = forms.CharField(label="Server or target", required=False, max_length=200, strip=True)
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_CHOICES)
    since = forms.DateField(
        label="Started from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d"],
    )
    until = forms.DateField(
        label="Started until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d"],
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def search(self) -> SessionSearch:
        """The search from the fields that are valid."""
        valid = self.valid_values()
        status = valid.get("status")
        return SessionSearch(
            text=valid.get("q") or "",
            status=SessionStatus(status) if status else None,
            since=valid.get("since"),
            until=valid.get("until"),
        )

    def page_number(self) -> int:
        self.is_valid()
        return int(getattr(self, "cleaned_data", {}).get("page") or 1)

    def query(self, **changes: object) -> str:
        """The query string of this search (to keep it across pages), with `changes`."""
        values: dict[str, object] = {
            name: self.data.get(name, "") for name in ("q", "status", "since", "until")
        }
        values.update(changes)
        return urlencode({name: value for name, value in values.items() if value not in ("", None)})
