from django.urls import include, path

from inspector.views import (
    auth,
    client,
    completions,
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
    tasks,
    tools,
    utilities,
)

urlpatterns = [
    path("accounts/", include("django.contrib.auth.urls")),
    path("", home.index, name="home"),
    path("connect", home.connect, name="connect"),
    path("sessions.json", home.index_json, name="sessions-json"),
    # Saved servers and configuration files
    path("servers.json", servers.index_json, name="servers-json"),
    path("servers/save", servers.save, name="servers-save"),
    path("servers/import", servers.import_config, name="servers-import"),
    path("servers/export", servers.export, name="servers-export"),
    path("servers/<int:server_id>/connect", servers.connect, name="server-connect"),
    path("servers/<int:server_id>/edit", servers.edit, name="server-edit"),
    path("servers/<int:server_id>/delete", servers.delete, name="server-delete"),
    path("sessions/<str:session_id>/", session.detail, name="session"),
    path("sessions/<str:session_id>.json", session.detail_json, name="session-json"),
    path("sessions/<str:session_id>/disconnect", session.disconnect, name="session-disconnect"),
    path("sessions/<str:session_id>/reconnect", session.reconnect, name="session-reconnect"),
    path("sessions/<str:session_id>/events", session.earlier_events, name="session-events"),
    path("sessions/<str:session_id>/events/<int:seq>/raw", session.raw_event, name="session-event"),
    # Server features: listings, tools, content of stored messages, utilities.
    path(
        "sessions/<str:session_id>/events/<int:seq>/part",
        parts.event_part,
        name="session-event-part",
    ),
    path("sessions/<str:session_id>/list/<str:listing>", lists.list_page, name="session-list"),
    path("sessions/<str:session_id>/tools/", tools.panel, name="session-tools"),
    path("sessions/<str:session_id>/tools/detail", tools.detail, name="session-tool"),
    path(
        "sessions/<str:session_id>/tools/arguments", tools.arguments, name="session-tool-arguments"
    ),
    path("sessions/<str:session_id>/tools/call", tools.call, name="session-tool-call"),
    path("sessions/<str:session_id>/calls/cancel", tools.cancel, name="session-call-cancel"),
    path("sessions/<str:session_id>/inflight", inflight.panel, name="session-inflight"),
    path(
        "sessions/<str:session_id>/inflight/cancel",
        inflight.cancel,
        name="session-inflight-cancel",
    ),
    path("sessions/<str:session_id>/resources/", resources.panel, name="session-resources"),
    # Tasks (2025-11-25)
    path("sessions/<str:session_id>/tasks/", tasks.panel, name="session-tasks"),
    path("sessions/<str:session_id>/tasks/list", tasks.list_page, name="session-task-list"),
    path("sessions/<str:session_id>/tasks/rows", tasks.rows, name="session-task-rows"),
    path("sessions/<str:session_id>/tasks/row", tasks.row, name="session-task-row"),
    path("sessions/<str:session_id>/tasks/refresh", tasks.refresh, name="session-task-refresh"),
    path("sessions/<str:session_id>/tasks/cancel", tasks.cancel, name="session-task-cancel"),
    path("sessions/<str:session_id>/tasks/result", tasks.result, name="session-task-result"),
    path("sessions/<str:session_id>/prompts/", prompts.panel, name="session-prompts"),
    # Resources, templates, subscriptions, prompts and completions.
    path("sessions/<str:session_id>/resources/detail", resources.detail, name="session-resource"),
    path("sessions/<str:session_id>/resources/read", resources.read, name="session-resource-read"),
    path(
        "sessions/<str:session_id>/resources/template",
        resources.template_detail,
        name="session-resource-template",
    ),
    path(
        "sessions/<str:session_id>/resources/template/expand",
        resources.template_expand,
        name="session-resource-template-expand",
    ),
    path(
        "sessions/<str:session_id>/resources/template/read",
        resources.template_read,
        name="session-resource-template-read",
    ),
    path(
        "sessions/<str:session_id>/resources/subscribe",
        resources.subscribe,
        name="session-resource-subscribe",
    ),
    path(
        "sessions/<str:session_id>/resources/unsubscribe",
        resources.unsubscribe,
        name="session-resource-unsubscribe",
    ),
    path("sessions/<str:session_id>/prompts/detail", prompts.detail, name="session-prompt"),
    path("sessions/<str:session_id>/prompts/get", prompts.get, name="session-prompt-get"),
    path(
        "sessions/<str:session_id>/complete/<str:kind>",
        completions.complete,
        name="session-complete",
    ),
    path("sessions/<str:session_id>/ping", utilities.ping, name="session-ping"),
    path(
        "sessions/<str:session_id>/logging/level", utilities.set_log_level, name="session-log-level"
    ),
    # The approvals inbox, roots and consent switches.
    path("sessions/<str:session_id>/inbox", inbox.inbox, name="session-inbox"),
    path(
        "sessions/<str:session_id>/inbox/<str:approval_id>/answer",
        inbox.answer,
        name="session-approval-answer",
    ),
    path("sessions/<str:session_id>/client/", client.panel, name="session-client"),
    path("sessions/<str:session_id>/client/switch", client.switch, name="session-client-switch"),
    path("sessions/<str:session_id>/client/roots/add", client.add, name="session-root-add"),
    path(
        "sessions/<str:session_id>/client/roots/remove", client.remove, name="session-root-remove"
    ),
    path("sessions/<str:session_id>/auth/", auth.panel, name="session-auth"),
    path("sessions/<str:session_id>/auth/client", auth.client_settings, name="session-auth-client"),
    path("sessions/<str:session_id>/auth/quick", auth.quick, name="session-auth-quick"),
    path("sessions/<str:session_id>/auth/guided", auth.guided, name="session-auth-guided"),
    path("sessions/<str:session_id>/auth/step", auth.step, name="session-auth-step"),
    path("sessions/<str:session_id>/auth/forget", auth.forget, name="session-auth-forget"),
    path("oauth/client-metadata.json", oauth.client_metadata, name="oauth-client-metadata"),
    path("oauth/callback", oauth.callback, name="oauth-callback"),
    path("oauth/callback/complete", oauth.complete, name="oauth-complete"),
]
