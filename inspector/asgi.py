"""ASGI entry point: Django for HTTP, Channels for the live websocket."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inspector.settings")

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

from inspector.lifespan import PeriodicTasks  # noqa: E402
from inspector.middleware import WebsocketAccessGuard  # noqa: E402
from inspector.routing import websocket_urlpatterns  # noqa: E402
from inspector.services import RetentionTask  # noqa: E402
from inspector.serving import prepare_to_serve  # noqa: E402

application = PeriodicTasks(
    ProtocolTypeRouter(
        {
            "http": django_application,
            "websocket": WebsocketAccessGuard(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    ),
    RetentionTask.from_settings,
)

prepare_to_serve()
