"""The websocket: server to browser only. Pages send nothing but their last seen seq.

On connect the page says, in the query string, the last seq it rendered; the consumer
replays what followed it, then follows the session's notices. Every push carries the
events after the last seq pushed, so nothing is shown twice.

Under a flood the pushes are coalesced: at most one per `PUSH_INTERVAL`, and a push
renders only the newest `TAIL_ROWS` events it covers (rendering is synchronous work on
the server's event loop, and a huge fragment freezes the page that swaps it in). The
events it skips are stored: the push says where its rows begin, and the page's "load
earlier" reaches them. Signals (progress, lists changed, the inbox…) are drawn from
every event, skipped or not.

In hosted mode a page watches a session only while its account is a member of the
session's workspace: checked at connect (anyone else is refused as for a missing session)
and again whenever the account's memberships change, closing the page's socket at once
when it no longer is.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from inspector import services
from inspector.broadcast import session_group, user_group
from inspector.fragments import render_event_batch
from inspector.middleware import query_param, seq_param
from inspector.presenters.push import PushDigest

# Events read at a time while walking what a push covers (for its signals and outcomes).
BATCH = 500
# The most rows one push renders; older ones in the same push are left to "load earlier".
TAIL_ROWS = 100
# The most events one push covers: a walk that chased a flood still arriving would hold
# its push back until the flood ended; the rest follows in the next push.
MAX_WALK = 5000
# The shortest time between two pushes to one page, in seconds.
PUSH_INTERVAL = 0.15


class SessionConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]  # channels is untyped
    session_id: str
    # The account watching (None: local mode's one person) and the session's workspace.
    user_id: int | None
    owner_id: int | None
    sent_seq: int
    _last_push: float
    _lock: asyncio.Lock
    _later: asyncio.Task[None] | None

    async def connect(self) -> None:
        if not settings.LOCAL_MODE and not self.scope["user"].is_authenticated:
            await self.close(code=4403)
            return
        self.session_id = self.scope["url_route"]["kwargs"]["session_id"]
        user = self.scope["user"]
        self.user_id = user.pk if user.is_authenticated else None
        try:
            self.owner_id = await services.session_owner(session_id=self.session_id)
        except services.SessionNotFound:
            await self.close(code=4404)
            return
        if not await self._may_watch():
            await self.close(code=4404)  # as for a session that does not exist
            return
        self.sent_seq = seq_param(query_param(self.scope, "after"))
        self._last_push = 0.0
        self._lock = asyncio.Lock()
        self._later = None
        await self.channel_layer.group_add(session_group(self.session_id), self.channel_name)
        if self.user_id is not None:
            await self.channel_layer.group_add(user_group(self.user_id), self.channel_name)
        await self.accept()
        await self._push_new()

    async def _may_watch(self) -> bool:
        if self.user_id is None:
            return self.owner_id is None
        return await services.is_member(user_id=self.user_id, workspace_id=self.owner_id)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "_lock"):  # joined its groups
            await self.channel_layer.group_discard(
                session_group(self.session_id), self.channel_name
            )
            if self.user_id is not None:
                await self.channel_layer.group_discard(user_group(self.user_id), self.channel_name)
        later = getattr(self, "_later", None)
        if later is not None:
            later.cancel()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Commands travel as ordinary POSTs; anything sent here is ignored."""

    async def access_changed(self, message: dict[str, Any]) -> None:
        """The account's memberships changed: a page it may no longer watch closes now."""
        if not await self._may_watch():
            await self.close(code=4403)

    async def session_events(self, message: dict[str, Any]) -> None:
        if message["last_seq"] <= self.sent_seq or self._later is not None:
            return  # already pushed, or a push is already due
        wait = self._last_push + PUSH_INTERVAL - time.monotonic()
        if wait <= 0:
            await self._push_new()
        else:
            # The notices that arrive meanwhile are covered by this one push.
            self._later = asyncio.get_running_loop().create_task(self._push_later(wait))

    async def _push_later(self, wait: float) -> None:
        await asyncio.sleep(wait)
        self._later = None
        await self._push_new()

    async def _push_new(self) -> None:
        async with self._lock:  # a delayed push and a notice's never overlap
            digest = await self._digest()
            if not digest.count:
                return
            snapshot = await services.session_get(session_id=self.session_id)
            push: dict[str, Any] = {
                "last_seq": digest.last_seq,
                "html": render_event_batch(snapshot, digest),
                "signals": digest.signals(),
                "arrived": digest.count,
            }
            if digest.skipped:
                # The rows begin here; the events between were not rendered.
                push["first_seq"] = digest.rendered[0].seq
            await self.send(text_data=json.dumps(push))
            self.sent_seq = digest.last_seq
            self._last_push = time.monotonic()
            if digest.count >= MAX_WALK and self._later is None:
                # More may be stored already, and no notice may come for it.
                self._later = asyncio.get_running_loop().create_task(
                    self._push_later(PUSH_INTERVAL)
                )

    async def _digest(self) -> PushDigest:
        """Every event after the last one pushed, read a page at a time."""
        digest = PushDigest(TAIL_ROWS)
        after = self.sent_seq
        while True:
            page = await services.event_list_after(
                session_id=self.session_id, after_seq=after, limit=BATCH
            )
            digest.add(page)
            if len(page) < BATCH or digest.count >= MAX_WALK:
                return digest
            after = digest.last_seq
