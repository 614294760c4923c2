from django.urls import include, path

from inspector.views import (
    archive,
    auth,
    calls,
    client,
    completions,
    compose,
    event,
    findings,
    home,
    inbox,
    inflight,
    lists,
    oauth,
    parts,
    prompts,
    resources,
    servers,
    session,
    session_list,
    tasks,
    tools,
    utilities,
)

# Everything under sessions/<session_id>/, by tab. Each of these views is reached only
# after the owner check (`inspector.middleware.SessionOwnerMiddleware`).
session_patterns = [
    path("", session.detail, name="session"),
    path("disconnect", session.disconnect, name="session-disconnect"),
    path("delete", session_list.delete, name="session-delete"),
    path("reconnect", session.reconnect, name="session-reconnect"),
    path("events", session.earlier_events, name="session-events"),
    path("events/<int:seq>/", event.page, name="session-event-page"),
    path("events/<int:seq>/raw", session.raw_event, name="session-event"),
    path("events/<int:seq>/part", parts.event_part, name="session-event-part"),
    path("export", archive.export, name="session-export"),
    path("export.har", archive.har, name="session-har"),
    path("findings/", findings.panel, name="session-findings"),
    path("findings/<str:rule>/", findings.occurrences, name="session-findings-rule"),
    path("findings/totals", session.findings_totals_part, name="session-findings-totals"),
    # Listings, and the calls in flight.
    path("list/<str:listing>", lists.list_page, name="session-list"),
    path("calls/cancel", calls.cancel, name="session-call-cancel"),
    path("inflight", inflight.panel, name="session-inflight"),
    path("inflight/cancel", inflight.cancel, name="session-inflight-cancel"),
    # Tools
    path("tools/", tools.panel, name="session-tools"),
    path("tools/detail", tools.detail, name="session-tool"),
    path("tools/arguments", tools.arguments, name="session-tool-arguments"),
    path("tools/call", tools.call, name="session-tool-call"),
    # Tasks (2025-11-25)
    path("tasks/", tasks.panel, name="session-tasks"),
    path("tasks/list", tasks.list_page, name="session-task-list"),
    path("tasks/rows", tasks.rows, name="session-task-rows"),
    path("tasks/row", tasks.row, name="session-task-row"),
    path("tasks/refresh", tasks.refresh, name="session-task-refresh"),
    path("tasks/cancel", tasks.cancel, name="session-task-cancel"),
    path("tasks/result", tasks.result, name="session-task-result"),
    # Resources, templates and subscriptions
    path("resources/", resources.panel, name="session-resources"),
    path("resources/detail", resources.detail, name="session-resource"),
    path("resources/read", resources.read, name="session-resource-read"),
    path("resources/template", resources.template_detail, name="session-resource-template"),
    path(
        "resources/template/expand",
        resources.template_expand,
        name="session-resource-template-expand",
    ),
    path(
        "resources/template/read",
        resources.template_read,
        name="session-resource-template-read",
    ),
    path("resources/subscribe", resources.subscribe, name="session-resource-subscribe"),
    path("resources/unsubscribe", resources.unsubscribe, name="session-resource-unsubscribe"),
    # Prompts, and completions (of prompt arguments and template variables)
    path("prompts/", prompts.panel, name="session-prompts"),
    path("prompts/detail", prompts.detail, name="session-prompt"),
    path("prompts/get", prompts.get, name="session-prompt-get"),
    path("complete/<str:kind>", completions.complete, name="session-complete"),
    # Utilities
    path("compose/", compose.panel, name="session-compose"),
    path("compose/send", compose.send, name="session-compose-send"),
    path("ping", utilities.ping, name="session-ping"),
    path("logging/level", utilities.set_log_level, name="session-log-level"),
    # The approvals inbox, roots and consent switches
    path("inbox", inbox.inbox, name="session-inbox"),
    path("inbox/<str:approval_id>/answer", inbox.answer, name="session-approval-answer"),
    path("client/", client.panel, name="session-client"),
    path("client/switch", client.switch, name="session-client-switch"),
    path("client/roots/add", client.add, name="session-root-add"),
    path("client/roots/remove", client.remove, name="session-root-remove"),
    # Authorization (OAuth)
    path("auth/", auth.panel, name="session-auth"),
    path("auth/client", auth.client_settings, name="session-auth-client"),
    path("auth/quick", auth.quick, name="session-auth-quick"),
    path("auth/guided", auth.guided, name="session-auth-guided"),
    path("auth/step", auth.step, name="session-auth-step"),
    path("auth/forget", auth.forget, name="session-auth-forget"),
]

urlpatterns = [
    path("accounts/", include("django.contrib.auth.urls")),
    path("", home.index, name="home"),
    path("connect", home.connect, name="connect"),
    path("sessions.json", session_list.index_json, name="sessions-json"),
    path("sessions/card", session_list.card, name="sessions-card"),
    path("sessions/delete", session_list.delete_matching, name="sessions-delete"),
    path("sessions/import", archive.import_file, name="sessions-import"),
    # Saved servers and configuration files
    path("servers.json", servers.index_json, name="servers-json"),
    path("servers/save", servers.save, name="servers-save"),
    path("servers/import", servers.import_config, name="servers-import"),
    path("servers/export", servers.export, name="servers-export"),
    path("servers/<int:server_id>/connect", servers.connect, name="server-connect"),
    path("servers/<int:server_id>/edit", servers.edit, name="server-edit"),
    path("servers/<int:server_id>/delete", servers.delete, name="server-delete"),
    # A session
    path("sessions/<str:session_id>.json", session.detail_json, name="session-json"),
    path("sessions/<str:session_id>/", include(session_patterns)),
    # The inspector as an OAuth client
    path("oauth/client-metadata.json", oauth.client_metadata, name="oauth-client-metadata"),
    path("oauth/callback", oauth.callback, name="oauth-callback"),
    path("oauth/callback/complete", oauth.complete, name="oauth-complete"),
]
