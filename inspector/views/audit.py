"""The audit log of the workspace a person acts in: a page with filters, and the same
entries as JSON Lines. Its admins only; local mode has no log (one person)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from inspector import services
from inspector.forms.audit import AuditFilterForm
from inspector.views.common import HtmxHttpRequest

TEMPLATE = "inspector/audit/page.html"


def _workspace_of_admin(request: HtmxHttpRequest) -> int | HttpResponse:
    """The acting workspace, if the person administers it; else the refusal to answer."""
    access = request.access
    if settings.LOCAL_MODE or access.workspace_id is None:
        raise Http404("Local mode keeps no audit log.")
    if not access.may_administer:
        return HttpResponse(
            "Only this workspace's admins see its audit log.",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return access.workspace_id


async def _form(request: HtmxHttpRequest, workspace_id: int) -> AuditFilterForm:
    people = await services.audit_people(workspace_id=workspace_id)
    return AuditFilterForm(request.GET, people=people)


@require_GET
async def page(request: HtmxHttpRequest) -> HttpResponse:
    workspace_id = _workspace_of_admin(request)
    if isinstance(workspace_id, HttpResponse):
        return workspace_id
    form = await _form(request, workspace_id)
    entries = await services.audit_page(
        workspace_id=workspace_id, narrowed=form.narrowed(), number=form.page_number()
    )
    context = {"form": form, "entries": entries}
    template = f"{TEMPLATE}#results" if request.htmx else TEMPLATE
    return render(request, template, context)


@require_GET
async def export(request: HtmxHttpRequest) -> HttpResponseBase:
    workspace_id = _workspace_of_admin(request)
    if isinstance(workspace_id, HttpResponse):
        return workspace_id
    form = await _form(request, workspace_id)
    lines = services.audit_export(workspace_id=workspace_id, narrowed=form.narrowed())
    response = StreamingHttpResponse(lines, content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit.jsonl"'
    response["Cache-Control"] = "no-store"
    return response
