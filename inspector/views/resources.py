"""The Resources tab: resources and templates, reading, subscriptions."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.cli_command import cli_command
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
from inspector.sessions.catalog import Listing
from inspector.views.common import HtmxHttpRequest, call_key, live_snapshot

TEMPLATE = "inspector/tabs/resources.html"


def _can_subscribe(snapshot: services.SessionSnapshot) -> bool:
    """Legacy: `resources/subscribe`; modern: the `subscriptions/listen` stream, reopened
    with the resources followed (the session does either)."""
    return snapshot.offers("resources.subscribe")


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await live_snapshot(session_id)
    context = {
        "session": snapshot,
        "can_subscribe": _can_subscribe(snapshot),
        "subscriptions": _subscriptions(session_id),
        "listening": services.session_listening(session_id) if snapshot.modern else None,
    }
    return render(request, f"{TEMPLATE}#panel", context)


def _subscriptions(session_id: str) -> list[Subscription]:
    return [Subscription(uri) for uri in services.session_subscriptions(session_id)]


def _uri(value: str | None) -> str:
    uri = (value or "").strip()
    if not uri or len(uri) > MAX_URI_CHARS:
        raise Http404("No such resource.")
    return uri


@require_GET
async def detail(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await live_snapshot(session_id)
    uri = _uri(request.GET.get("uri"))
    resource = services.session_catalog_item(session_id, Listing.RESOURCES, uri)
    if resource is None:
        raise Http404("This resource is not in the server's last listing; reload the list.")
    context = {
        "session": snapshot,
        "resource": resource,
        "uri": uri,
        "title": display_name(resource),
        "facts": resource_facts(resource),
    }
    return render(request, f"{TEMPLATE}#resource-detail", context)


@require_GET
async def read(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """Read a resource by URI: from the list, a template, a resource link, or again after
    the server said it changed."""
    snapshot = await live_snapshot(session_id)
    uri = _uri(request.GET.get("uri"))
    return await _read(request, snapshot, uri)


async def _read(
    request: HtmxHttpRequest, snapshot: services.SessionSnapshot, uri: str
) -> HttpResponse:
    call = await services.session_call(
        snapshot.id, "resources/read", {"uri": uri}, call_key=call_key(request)
    )
    context = {
        **_subscription_context(snapshot, uri),
        "read": read_view(uri, call),
        "cache": cache_hint(call.result),
        "cli": cli_command(services.session_spec(snapshot.id), "resources/read", {"uri": uri}),
    }
    return render(request, f"{TEMPLATE}#read", context)


def _subscription_context(snapshot: services.SessionSnapshot, uri: str) -> dict[str, Any]:
    return {
        "session": snapshot,
        "uri": uri,
        "can_subscribe": _can_subscribe(snapshot),
        "subscribed": uri in services.session_subscriptions(snapshot.id),
        "subscription_row": Subscription(uri),
    }


def _template(session_id: str, uri_template: str) -> dict[str, Any]:
    template = services.session_catalog_item(session_id, Listing.TEMPLATES, uri_template)
    if template is None:
        raise Http404("This template is not in the server's last listing; reload the list.")
    return template


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
        "completion_url": (
            reverse("session-complete", args=[snapshot.id, "resource"])
            if snapshot.offers("completions")
            else ""
        ),
    }


@require_GET
async def template_detail(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await live_snapshot(session_id)
    template = _template(session_id, request.GET.get("uriTemplate", ""))
    uri_template = str(template.get("uriTemplate", ""))
    state = fresh_state(template_schema(uri_template), prefix=TEMPLATE_PREFIX)
    return render(
        request, f"{TEMPLATE}#template-detail", _template_context(snapshot, template, state)
    )


@require_POST
async def template_expand(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """The URI the variables give, as the person types them."""
    snapshot = await live_snapshot(session_id)
    template = _template(session_id, request.POST.get("uri_template", ""))
    schema = template_schema(str(template.get("uriTemplate", "")))
    state = posted_state(schema, request.POST, prefix=TEMPLATE_PREFIX)
    context = _template_context(snapshot, template, state)
    return render(request, f"{TEMPLATE}#template-uri", context)


@require_POST
async def template_read(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await live_snapshot(session_id)
    template = _template(session_id, request.POST.get("uri_template", ""))
    schema = template_schema(str(template.get("uriTemplate", "")))
    state = posted_state(schema, request.POST, prefix=TEMPLATE_PREFIX)
    context = _template_context(snapshot, template, state)
    if context["expand_problem"]:
        return render(request, f"{TEMPLATE}#template-problem", context, status=422)
    return await _read(request, snapshot, context["expanded"])


@require_POST
async def subscribe(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    return await _subscription(request, session_id, subscribe=True)


@require_POST
async def unsubscribe(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    return await _subscription(request, session_id, subscribe=False)


async def _subscription(
    request: HtmxHttpRequest, session_id: str, *, subscribe: bool
) -> HttpResponse:
    snapshot = await live_snapshot(session_id)
    uri = _uri(request.POST.get("uri"))
    call = await services.session_resource_subscription(
        session_id, uri, subscribe=subscribe, call_key=call_key(request)
    )
    context = _subscription_context(snapshot, uri)
    context["call"] = call
    context["subscriptions"] = _subscriptions(session_id)
    context["listening"] = services.session_listening(session_id) if snapshot.modern else None
    context["failure"] = failure_of(call.error) if call.error is not None else None
    return render(request, f"{TEMPLATE}#subscription-changed", context)
