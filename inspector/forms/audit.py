"""The audit page's filters: what was done, by whom, between which days, and text in
what it was done to; and the page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms

from inspector.services import AuditAction, AuditFilter

FILTERS = ("action", "person", "since", "until", "q")


class AuditFilterForm(forms.Form):
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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The last day comes before the first.")
        return cleaned

    def narrowed(self) -> AuditFilter:
        """The filter from the fields that are valid; an invalid one narrows nothing (its
        error is shown beside it)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return AuditFilter(
            action=cleaned.get("action") or "",
            person=cleaned.get("person") or "",
            since=cleaned.get("since"),
            until=None if "until" in self.errors else cleaned.get("until"),
            text=cleaned.get("q") or "",
        )

    def page_number(self) -> int:
        self.is_valid()
        return int(getattr(self, "cleaned_data", {}).get("page") or 1)

    def query(self, **changes: object) -> str:
        """The filters' query string (kept across pages and by the export), with `changes`."""
        values: dict[str, object] = {name: self.data.get(name, "") for name in FILTERS}
        values.update(changes)
        return urlencode({name: value for name, value in values.items() if value not in ("", None)})
