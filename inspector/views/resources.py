"""The Resources tab: resources and templates, reading, subscriptions."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.middleware import sends_to_server
from inspector.presenters.cache_hints import cache_hint
from inspector.presenters.failures import failure_of
from inspector.presenters.resources import (
    MAX_URI_CHARS,
    TEMPLATE_PREFIX,
    Subscription,
    expand,
    read_view,
    resource_facts,
    template_schema,
)
from inspector.presenters.tools import display_name
from inspector.schemaform.state import ArgumentsState, fresh_state, posted_state
from inspector.views.common import HtmxHttpRequest, call_key, catalog_item_or_404, resident_snapshot
from inspector.views.completions import completion_url

TEMPLATE = "inspector/tabs/resources.html"


def _can_subscribe(snapshot: services.SessionSnapshot) -> bool:
    """Legacy: `resources/subscribe`; modern: the `subscriptions/listen` stream, reopened
    with the resources followed (the session does either)."""
    return snapshot.offers("resources.subscribe")


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    context = {
        "session": snapshot,
        "can_subscribe": _can_subscribe(snapshot),
        "subscriptions": await _subscriptions(session_id),
        "listening": await _stream(snapshot),
    }
    return render(request, f"{TEMPLATE}#panel", context)


async def _subscriptions(session_id: str) -> list[Subscription]:
    uris = await services.resource_subscription_list(session_id=session_id)
    return [Subscription(uri) for uri in uris]


async def _stream(snapshot: services.SessionSnapshot) -> services.StreamState | None:
    if not snapshot.modern:
        return None
    return await services.notification_stream_get(session_id=snapshot.id)


def _uri(value: str | None) -> str:
    uri = (value or "").strip()
    if not uri or len(uri) > MAX_URI_CHARS:
        raise Http404("No such resource.")
    return uri


@require_GET
async def detail(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    uri = _uri(request.GET.get("uri"))
    resource = await catalog_item_or_404(session_id, services.Listing.RESOURCES, uri, "resource")
    context = {
        "session": snapshot,
        "resource": resource,
        "uri": uri,
        "title": display_name(resource),
        "facts": resource_facts(resource),
    }
    return render(request, f"{TEMPLATE}#resource-detail", context)


@sends_to_server
@require_GET
async def read(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """Read a resource by URI: from the list, a template, a resource link, or again after
    the server said it changed."""
    snapshot = await resident_snapshot(session_id)
    uri = _uri(request.GET.get("uri"))
    return await _read(request, snapshot, uri)


async def _read(
    request: HtmxHttpRequest, snapshot: services.SessionSnapshot, uri: str
) -> HttpResponse:
    call = await services.resource_read(session_id=snapshot.id, uri=uri, call_key=call_key(request))
    context = {
        **await _subscription_context(snapshot, uri),
        "read": read_view(uri, call),
        "result_findings": await services.answer_findings(session_id=snapshot.id, call=call),
        "cache": cache_hint(call.result),
        "cli": await services.resource_read_command(session_id=snapshot.id, uri=uri),
    }
    return render(request, f"{TEMPLATE}#read", context)


async def _subscription_context(snapshot: services.SessionSnapshot, uri: str) -> dict[str, Any]:
    return {
        "session": snapshot,
        "uri": uri,
        "can_subscribe": _can_subscribe(snapshot),
        "subscribed": uri in await services.resource_subscription_list(session_id=snapshot.id),
        "subscription_row": Subscription(uri),
    }


async def _template(session_id: str, uri_template: str) -> dict[str, Any]:
    return await catalog_item_or_404(
        session_id, services.Listing.TEMPLATES, uri_template, "template"
    )


def _template_context(
    snapshot: services.SessionSnapshot, template: dict[str, Any], state: ArgumentsState
) -> dict[str, Any]:
    uri_template = str(template.get("uriTemplate", ""))
    expanded, problem = expand(uri_template, state.arguments)
    return {
        "session": snapshot,
        "template": template,
        "uri_template": uri_template,
        "title": display_name(template),
        "facts": resource_facts(template),
        "state": state,
        "expanded": expanded,
        "expand_problem": problem,
        "form_url": reverse("session-resource-template-expand", args=[snapshot.id]),
        "completion_url": completion_url(snapshot, "resource"),
    }


@require_GET
async def template_detail(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    template = await _template(session_id, request.GET.get("uriTemplate", ""))
    uri_template = str(template.get("uriTemplate", ""))
    state = fresh_state(template_schema(uri_template), prefix=TEMPLATE_PREFIX)
    return render(
        request, f"{TEMPLATE}#template-detail", _template_context(snapshot, template, state)
    )


@require_POST
async def template_expand(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """The URI the variables give, as the person types them."""
    context = await _posted_template_context(request, session_id)
    return render(request, f"{TEMPLATE}#template-uri", context)


@require_POST
async def template_read(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    context = await _posted_template_context(request, session_id)
    if context["expand_problem"]:
        return render(request, f"{TEMPLATE}#template-problem", context, status=422)
    return await _read(request, context["session"], context["expanded"])


async def _posted_template_context(request: HtmxHttpRequest, session_id: str) -> dict[str, Any]:
    """A template's form as posted: its variables, and the URI they expand to."""
    snapshot = await resident_snapshot(session_id)
    template = await _template(session_id, request.POST.get("uri_template", ""))
    schema = template_schema(str(template.get("uriTemplate", "")))
    state = posted_state(schema, request.POST, prefix=TEMPLATE_PREFIX)
    return _template_context(snapshot, template, state)


@require_POST
async def subscribe(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    return await _subscription(request, session_id, subscribe=True)


@require_POST
async def unsubscribe(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    return await _subscription(request, session_id, subscribe=False)


async def _subscription(
    request: HtmxHttpRequest, session_id: str, *, subscribe: bool
) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    uri = _uri(request.POST.get("uri"))
    call = await services.resource_subscription_set(
        session_id=session_id, uri=uri, subscribe=subscribe, call_key=call_key(request)
    )
    context = await _subscription_context(snapshot, uri)
    context["call"] = call
    context["subscriptions"] = await _subscriptions(session_id)
    context["listening"] = await _stream(snapshot)
    context["failure"] = failure_of(call.error) if call.error is not None else None
    return render(request, f"{TEMPLATE}#subscription-changed", context)
