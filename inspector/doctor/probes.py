"""Behaviour probes that change nothing on the server: how it answers what is wrong.

Each probe is one request whose right answer the spec fixes (an error code, or an error
at all). Tools are never called, unless the person names them (`--call-tool`): even a
bad-params `tools/call` carries no tool name, so no tool can run.
"""

from __future__ import annotations

import uuid
from typing import Any

from inspector.doctor.catalog import Catalog
from inspector.doctor.examination import Examination, Exchange
from inspector.doctor.report import Section, Status
from inspector.mcp.versions import Era

METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
# The spec's code for a resource that does not exist; -32602 is accepted as well.
RESOURCE_NOT_FOUND = -32002
PLANNED = (
    "probe.ping",
    "probe.unknown-method",
    "probe.bad-params.tools-call",
    "probe.bad-params.resources-read",
    "probe.missing-resource",
    "probe.missing-prompt",
    "probe.prompt-missing-argument",
    "probe.completion",
    "probe.logging",
    "probe.subscribe",
)


def _add(exam: Examination, check_id: str, status: Status, sentence: str, ex: Exchange) -> None:
    exam.add(
        check_id,
        Section.PROBES,
        status,
        sentence,
        ex.evidence,
        duration_ms=ex.duration_ms,
        answer=ex.outcome(),
    )


def _skip(exam: Examination, check_id: str, reason: str) -> None:
    exam.add(check_id, Section.PROBES, Status.SKIPPED, reason)


async def _expect_code(
    exam: Examination,
    check_id: str,
    method: str,
    params: dict[str, Any] | None,
    code: int,
    what: str,
) -> None:
    """A probe whose right answer is JSON-RPC error `code`; another error code warns."""
    ex = await exam.call(method, params)
    if ex.error_code == code or (code == RESOURCE_NOT_FOUND and ex.error_code == INVALID_PARAMS):
        _add(exam, check_id, Status.PASS, f"{what}: answered {code}, as the spec asks.", ex)
    elif ex.error_code is not None:
        _add(
            exam,
            check_id,
            Status.WARNING,
            f"{what}: answered {ex.outcome()}; the spec's code is {code}, which clients branch on.",
            ex,
        )
    elif ex.result is not None:
        _add(
            exam, check_id, Status.FAIL, f"{what}: answered with a result; return error {code}.", ex
        )
    else:
        _add(exam, check_id, Status.FAIL, f"{what}: {ex.outcome()}; return error {code}.", ex)


async def probe(exam: Examination, catalog: Catalog) -> None:
    server = exam.session.server
    capabilities = server.capabilities if server is not None else {}
    modern = server is not None and server.era is Era.MODERN
    marker = uuid.uuid4().hex[:8]

    ping = await exam.call("ping")
    if ping.result is not None:
        _add(exam, "probe.ping", Status.PASS, "ping answered.", ping)
    else:
        _add(
            exam,
            "probe.ping",
            Status.FAIL,
            f"ping got {ping.outcome()}: answer it with {{}}.",
            ping,
        )

    await _expect_code(
        exam, "probe.unknown-method", f"doctor/no-such-method-{marker}", None, METHOD_NOT_FOUND,
        "An unknown method",
    )  # fmt: skip

    if "tools" in capabilities:
        await _expect_code(
            exam, "probe.bad-params.tools-call", "tools/call", {}, INVALID_PARAMS,
            "tools/call without a tool name",
        )  # fmt: skip
    else:
        _skip(exam, "probe.bad-params.tools-call", "The server declares no tools capability.")

    if "resources" in capabilities:
        await _expect_code(
            exam, "probe.bad-params.resources-read", "resources/read", {}, INVALID_PARAMS,
            "resources/read without a uri",
        )  # fmt: skip
        await _expect_code(
            exam, "probe.missing-resource", "resources/read",
            {"uri": f"doctor-probe://missing/{marker}"}, RESOURCE_NOT_FOUND,
            "Reading a resource that does not exist",
        )  # fmt: skip
    else:
        for check_id in ("probe.bad-params.resources-read", "probe.missing-resource"):
            _skip(exam, check_id, "The server declares no resources capability.")

    prompts = catalog.get("prompts").of()
    if "prompts" in capabilities:
        await _expect_code(
            exam, "probe.missing-prompt", "prompts/get", {"name": f"doctor-no-such-{marker}"},
            INVALID_PARAMS,
            "Getting a prompt that does not exist",
        )  # fmt: skip
        needy = next((p for p in prompts if _required_arguments(p)), None)
        if needy is not None:
            await _expect_code(
                exam, "probe.prompt-missing-argument", "prompts/get", {"name": needy["name"]},
                INVALID_PARAMS,
                f"Getting the prompt {needy['name']!r} without its required "
                f"{', '.join(_required_arguments(needy))}",
            )  # fmt: skip
        else:
            _skip(exam, "probe.prompt-missing-argument", "No prompt has a required argument.")
    else:
        for check_id in ("probe.missing-prompt", "probe.prompt-missing-argument"):
            _skip(exam, check_id, "The server declares no prompts capability.")

    await _completion(exam, catalog, "completions" in capabilities)
    await _logging(exam, "logging" in capabilities, modern)
    await _subscribe(exam, catalog, capabilities.get("resources"))


def _required_arguments(prompt: dict[str, Any]) -> list[str]:
    arguments = prompt.get("arguments")
    if not isinstance(arguments, list) or not isinstance(prompt.get("name"), str):
        return []
    return [
        str(argument.get("name"))
        for argument in arguments
        if isinstance(argument, dict) and argument.get("required") is True
    ]


async def _completion(exam: Examination, catalog: Catalog, declared: bool) -> None:
    if not declared:
        _skip(exam, "probe.completion", "The server declares no completions capability.")
        return
    ref: dict[str, Any] | None = None
    argument = ""
    for prompt in catalog.get("prompts").of():
        arguments = [a for a in prompt.get("arguments") or [] if isinstance(a, dict)]
        if arguments and isinstance(prompt.get("name"), str):
            ref, argument = (
                {"type": "ref/prompt", "name": prompt["name"]},
                str(arguments[0].get("name")),
            )
            break
    if ref is None:
        _skip(exam, "probe.completion", "No prompt with arguments to ask completions for.")
        return
    ex = await exam.call(
        "completion/complete", {"ref": ref, "argument": {"name": argument, "value": ""}}
    )
    values = (ex.result or {}).get("completion", {})
    if (
        ex.result is not None
        and isinstance(values, dict)
        and isinstance(values.get("values"), list)
    ):
        _add(
            exam,
            "probe.completion",
            Status.PASS,
            f"completion/complete answered ({len(values['values'])} values).",
            ex,
        )
    elif ex.result is not None:
        _add(
            exam,
            "probe.completion",
            Status.FAIL,
            "completion/complete answered without completion.values.",
            ex,
        )
    else:
        _add(
            exam,
            "probe.completion",
            Status.WARNING,
            f"completion/complete for {ref['name']!r} got {ex.outcome()}, though completions are"
            " declared.",
            ex,
        )


async def _logging(exam: Examination, declared: bool, modern: bool) -> None:
    if not declared:
        _skip(exam, "probe.logging", "The server declares no logging capability.")
        return
    if modern:
        _skip(
            exam,
            "probe.logging",
            "In 2026-07-28 each request carries its log level; there is no logging/setLevel.",
        )
        return
    ex = await exam.call("logging/setLevel", {"level": "warning"})
    if ex.result is not None:
        _add(exam, "probe.logging", Status.PASS, "logging/setLevel answered.", ex)
    else:
        _add(
            exam,
            "probe.logging",
            Status.FAIL,
            f"logging/setLevel got {ex.outcome()}, though logging is declared.",
            ex,
        )


async def _subscribe(exam: Examination, catalog: Catalog, resources: Any) -> None:
    if not isinstance(resources, dict) or resources.get("subscribe") is not True:
        _skip(exam, "probe.subscribe", "The server does not declare resources.subscribe.")
        return
    uri = next(
        (
            item.get("uri")
            for item in catalog.get("resources").of()
            if isinstance(item.get("uri"), str)
        ),
        None,
    )
    if uri is None:
        _skip(exam, "probe.subscribe", "No resource listed to subscribe to.")
        return
    on = await exam.call("resources/subscribe", {"uri": uri})
    off = await exam.call("resources/unsubscribe", {"uri": uri})
    both = Exchange(
        "resources/subscribe",
        on.result,
        on.error or off.error,
        on.request_seq,
        off.response_seq,
        on.duration_ms + off.duration_ms,
        [*on.evidence, *off.evidence],
    )
    if on.result is not None and off.result is not None:
        _add(exam, "probe.subscribe", Status.PASS, f"Subscribed to {uri} and unsubscribed.", both)
    else:
        _add(
            exam,
            "probe.subscribe",
            Status.FAIL,
            f"resources/subscribe got {on.outcome()}, unsubscribe {off.outcome()}, though subscribe"
            f" is declared.",
            both,
        )


async def call_tools(exam: Examination, names: tuple[str, ...], catalog: Catalog) -> None:
    """The tools the person named, called with no arguments; their results are judged."""
    listed = {str(tool.get("name")): tool for tool in catalog.get("tools").of()}
    for name in names:
        check_id = f"probe.call-tool.{name}"
        if name not in listed:
            _skip(exam, check_id, f"The server lists no tool {name!r}.")
            continue
        ex = await exam.call("tools/call", {"name": name, "arguments": {}})
        result = ex.result
        if result is None:
            _add(exam, check_id, Status.FAIL, f"Calling {name} got {ex.outcome()}.", ex)
        elif result.get("structuredContent") is not None and "outputSchema" not in listed[name]:
            _add(
                exam,
                check_id,
                Status.WARNING,
                f"{name} returned structuredContent but declares no outputSchema: "
                "declare one so clients can check it.",
                ex,
            )
        else:
            error = " (isError: true)" if result.get("isError") is True else ""
            _add(
                exam,
                check_id,
                Status.PASS,
                f"Called {name}{error}; its result is judged with the other messages.",
                ex,
            )
