"""What a send from the composer came to, as its result panel shows it."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.presenters.failures import Failure, failure_of
from inspector.presenters.wire import indented_json
from inspector.sessions.compose import Composed, ComposeOutcome


@dataclass(frozen=True, slots=True)
class ComposeResultView:
    method: str
    notification: bool
    advertised: bool
    result_json: str = ""
    failure: Failure | None = None
    request_seq: int | None = None
    response_seq: int | None = None


def compose_result_view(composed: Composed, outcome: ComposeOutcome) -> ComposeResultView:
    call = outcome.call
    error = outcome.error if call is None else call.error
    return ComposeResultView(
        method=composed.method,
        notification=composed.notification,
        advertised=outcome.advertised,
        result_json=indented_json(call.result) if call is not None and call.result else "",
        failure=failure_of(error) if error is not None else None,
        request_seq=call.request_seq if call is not None else None,
        response_seq=call.response_seq if call is not None else None,
    )
