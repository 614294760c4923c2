"""The connect form filled from a paste: the form's values for a connection, and the
sentence that says what was recognised."""

from __future__ import annotations

import shlex
from typing import Any

from inspector.forms.connect import ADVANCED_FIELDS, HTTP_FIELDS, STDIO_FIELDS, oauth_fields
from inspector.services import ConnectionSpec, Pasted, TransportKind


def form_values(spec: ConnectionSpec) -> dict[str, Any]:
    """Every field of the connect form (but the name) for `spec`."""
    return {
        "transport": spec.transport.value,
        "command": spec.command,
        "arguments": shlex.join(spec.args),
        "environment": "\n".join(f"{key}={value}" for key, value in spec.env.items()),
        "cwd": spec.cwd or "",
        "url": spec.url,
        "headers": "\n".join(f"{key}: {value}" for key, value in spec.headers.items()),
        "bearer_token": spec.bearer_token,
        **{f"oauth_{key}": value for key, value in oauth_fields(spec.oauth).items()},
        **spec.settings(),
    }


def pasted_fields(pasted: Pasted) -> dict[str, Any]:
    """The fields a paste fills: its transport's group, and the advanced settings only when
    a configuration gave them (a command line or a URL leaves them as they are)."""
    if pasted.spec is None:
        return {}
    values = form_values(pasted.spec)
    group = STDIO_FIELDS if pasted.spec.transport is TransportKind.STDIO else HTTP_FIELDS
    names = ["transport", *group]
    if pasted.kind == "configuration":
        names += [name for name in ADVANCED_FIELDS if name in values]
    return {name: values[name] for name in names}


def pasted_message(pasted: Pasted) -> str:
    """What was recognised, or why nothing was, in one polite sentence or two."""
    spec = pasted.spec
    if spec is None:
        return f"{pasted.problem} The text was left as typed."
    what = spec.transport.label
    if spec.transport is TransportKind.STDIO:
        details = [_count(len(spec.args), "argument")]
        if spec.env:
            details.append(_count(len(spec.env), "environment variable"))
        filled = f"{what}: {spec.command} with {' and '.join(details)}"
    else:
        filled = f"{what} at {spec.url}"
    if pasted.kind == "configuration":
        message = f"Filled in the server “{pasted.name}” from the configuration ({filled})."
    else:
        message = f"Filled in from the {pasted.kind} ({filled})."
    if pasted.others:
        message += (
            f" The configuration holds {_count(pasted.others, 'more server')}: "
            "import it under Saved servers to keep them all."
        )
    return message


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
