"""The websocket's URLs."""

from __future__ import annotations

from django.urls import path

from inspector.consumers import SessionConsumer

websocket_urlpatterns = [path("ws/sessions/<str:session_id>/", SessionConsumer.as_asgi())]
