"""The audit page's filters: what was done, by whom, between which days, and text in
what it was done to; and the page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms

from inspector.forms.day_range import DayRangeForm
from inspector.services import AuditAction, AuditFilter

FILTERS = ("action", "person", "since", "until", "q")


class AuditFilterForm(DayRangeForm):
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any action"), *AuditAction.choices]
    )
    person = forms.ChoiceField(label="Person", required=False)
    since = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d"],
    )
    until = forms.DateField(
        label="Until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d"],
    )
    q = forms.CharField(label="Target contains", required=False, max_length=200, strip=True)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data: Any, *, people: list[str]) -> None:
        super().__init__(data)
        person = self.fields["person"]
        assert isinstance(person, forms.ChoiceField)
        person.choices = [("", "Anyone"), *((name, name) for name in people)]

    def narrowed(self) -> AuditFilter:
        """The filter from the fields that are valid."""
        valid = self.valid_values()
        return AuditFilter(
            action=valid.get("action") or "",
            person=valid.get("person") or "",
            since=valid.get("since"),
            until=valid.get("until"),
            text=valid.get("q") or "",
        )

    def page_number(self) -> int:
        self.is_valid()
        return int(getattr(self, "cleaned_data", {}).get("page") or 1)

    def query(self, **changes: object) -> str:
        """The filters' query string (kept across pages and by the export), with `changes`."""
        values: dict[str, object] = {name: self.data.get(name, "") for name in FILTERS}
        values.update(changes)
        return urlencode({name: value for name, value in values.items() if value not in ("", None)})
