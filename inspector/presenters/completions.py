"""What a `completion/complete` answer offers, as the argument's suggestion list shows it."""

from __future__ import annotations

from dataclasses import dataclass, field

from inspector.presenters.failures import failure_of
from inspector.presenters.wire import is_integer
from inspector.sessions.calls import CallOutcome


@dataclass(slots=True)
class CompletionView:
    values: list[str] = field(default_factory=list)
    total: int | None = None
    has_more: bool = False
    problem: str = ""

    @property
    def note(self) -> str:
        if self.problem:
            return self.problem
        shown = len(self.values)
        if self.total is not None and self.total > shown:
            counted = f"{shown} of {self.total} suggestions"
        else:
            counted = f"{shown} suggestion{'' if shown == 1 else 's'}"
        return counted + (", more exist" if self.has_more else "")


def completion_view(call: CallOutcome) -> CompletionView:
    if call.error is not None:
        failure = failure_of(call.error)
        code = f" ({failure.code})" if failure.code is not None else ""
        return CompletionView(problem=f"Completion failed{code}: {failure.text}")
    completion = (call.result or {}).get("completion")
    if not isinstance(completion, dict) or not isinstance(completion.get("values"), list):
        return CompletionView(problem="The server's completion result has no values array.")
    view = CompletionView()
    values = completion["values"]
    view.values = [value for value in values if isinstance(value, str)]
    if len(view.values) != len(values):
        view.problem = "Some suggestions were not strings and are left out."
    total = completion.get("total")
    if is_integer(total):
        view.total = total
    view.has_more = completion.get("hasMore") is True
    return view
