"""The websocket: server to browser only. Pages send nothing but their last seen seq.

On connect the page says, in the query string, the last seq it rendered; the consumer
replays everything after it, then follows the session's notices. Every push carries the
events after the last seq pushed, so nothing is lost across drops and nothing is shown
twice.
"""

from __future__ import annotations

import json
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from inspector import services
from inspector.broadcast import session_group
from inspector.fragments import render_event_batch
from inspector.middleware import owner_of, query_param, seq_param
from inspector.presenters.signals import event_signals

BATCH = 500


class SessionConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]  # channels is untyped
    session_id: str
    sent_seq: int

    async def connect(self) -> None:
        if not settings.LOCAL_MODE and not self.scope["user"].is_authenticated:
            await self.close(code=4403)
            return
        self.session_id = self.scope["url_route"]["kwargs"]["session_id"]
        try:
            await services.session_owned(
                session_id=self.session_id, owner_id=owner_of(self.scope["user"])
            )
        except services.SessionNotFound:
            await self.close(code=4404)
            return
        self.sent_seq = seq_param(query_param(self.scope, "after"))
        await self.channel_layer.group_add(session_group(self.session_id), self.channel_name)
        await self.accept()
        await self._push_new()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "session_id"):
            await self.channel_layer.group_discard(
                session_group(self.session_id), self.channel_name
            )

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Commands travel as ordinary POSTs; anything sent here is ignored."""

    async def session_events(self, message: dict[str, Any]) -> None:
        if message["last_seq"] > self.sent_seq:
            await self._push_new()

    async def _push_new(self) -> None:
        # Channels hands a consumer one message at a time, so pushes never overlap; a
        # notice for events already pushed finds nothing new.
        while True:
            events = await services.event_list_after(
                session_id=self.session_id, after_seq=self.sent_seq, limit=BATCH
            )
            if not events:
                return
            snapshot = await services.session_get(session_id=self.session_id)
            html = render_event_batch(snapshot, events)
            last = events[-1].seq
            assert last is not None
            push = {"last_seq": last, "html": html, "signals": event_signals(events)}
            await self.send(text_data=json.dumps(push))
            self.sent_seq = last
            if len(events) < BATCH:
                return
