"""Report cards: "Check this server" on a session or a saved server, the report's page
(its progress while the checks run, then the verdict), running it again, and downloads.

Each route naming a report (`report_id`) is reached only after the owner check
(`inspector.middleware.SessionOwnerMiddleware`).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.headless.doctor_formats import ReportFormat
from inspector.middleware import request_owner_id
from inspector.presenters.doctor_changes import compare
from inspector.presenters.doctor_report import report_view
from inspector.views.common import HtmxHttpRequest

PAGE = "inspector/reports/page.html"
DOWNLOADS = {
    "json": ReportFormat.JSON,
    "junit": ReportFormat.JUNIT,
    "markdown": ReportFormat.MARKDOWN,
}


@require_POST
async def check_session(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    try:
        report = await services.report_check_session(
            session_id=session_id, owner_id=await request_owner_id(request)
        )
    except services.SessionNotFound as exc:
        raise Http404("The session is not live in this inspector.") from exc
    except (services.TooManySessions, services.ReportCannotRun) as exc:
        return _refused(request, str(exc), reverse("session", args=[session_id]))
    return redirect(reverse("report", args=[report.id]))


@require_POST
async def check_server(request: HtmxHttpRequest, server_id: int) -> HttpResponse:
    try:
        report = await services.report_check_server(
            server_id=server_id, owner_id=await request_owner_id(request)
        )
    except services.SavedServerNotFound as exc:
        raise Http404("No such saved server.") from exc
    except (
        services.TooManySessions,
        services.ReportCannotRun,
        services.UnreadableSecret,
    ) as exc:
        return _refused(request, str(exc), reverse("home"))
    return redirect(reverse("report", args=[report.id]))


@require_POST
async def again(request: HtmxHttpRequest, report_id: str) -> HttpResponse:
    try:
        report = await services.report_again(
            report_id=report_id, owner_id=await request_owner_id(request)
        )
    except services.ReportNotFound as exc:
        raise Http404("No such report.") from exc
    except (
        services.TooManySessions,
        services.ReportCannotRun,
        services.UnreadableSecret,
    ) as exc:
        return _refused(request, str(exc), reverse("report", args=[report_id]))
    return redirect(reverse("report", args=[report.id]))


@require_GET
async def page(request: HtmxHttpRequest, report_id: str) -> HttpResponse:
    return render(request, PAGE, await _context(report_id))


@require_GET
async def progress(request: HtmxHttpRequest, report_id: str) -> HttpResponse:
    """The report's body, polled while the checks run. Once they end, htmx is told to load
    the whole page again: its head offers what a finished report has (downloads, again)."""
    context = await _context(report_id)
    response = render(request, f"{PAGE}#report-body", context)
    if request.htmx and context["state"].running is None:
        response["HX-Refresh"] = "true"
    return response


@require_GET
async def download(request: HtmxHttpRequest, report_id: str, output: str) -> HttpResponse:
    chosen = DOWNLOADS.get(output)
    if chosen is None:
        raise Http404("Reports download as json, junit or markdown.")
    try:
        filename, media_type, text = await services.report_download(
            report_id=report_id, output=chosen
        )
    except services.ReportNotFound as exc:
        raise Http404("This report has not finished.") from exc
    response = HttpResponse(text, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


async def _context(report_id: str) -> dict[str, Any]:
    try:
        state = await services.report_get(report_id=report_id)
    except services.ReportNotFound as exc:
        raise Http404("No such report.") from exc
    report = state.report
    context: dict[str, Any] = {"state": state, "report": report}
    if report.document is not None:
        context["view"] = report_view(report.document)
        if state.previous is not None and state.previous.document is not None:
            context["changes"] = compare(state.previous.document, report.document)
    return context


def _refused(request: HtmxHttpRequest, reason: str, back: str) -> HttpResponse:
    return render(
        request, "inspector/reports/refused.html", {"reason": reason, "back": back}, status=409
    )
