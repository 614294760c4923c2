"""The OAuth flow a person runs for a session from its Auth tab: quick (every step at
once) or guided (one step per Continue), finished by the browser's return from the
authorization server.

One flow at a time, under a lock: a person may press Continue twice, or on two pages, and
a step running in a view must not outlive the session, nor reconnect it after it closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from inspector.mcp.auth.config import OAuthSettings
from inspector.mcp.auth.states import FlowState

if TYPE_CHECKING:  # the OAuth modules load httpx, which stdio sessions never need
    from inspector.mcp.auth.flow import AuthFlow
    from inspector.mcp.auth.pending import PendingAuthorization


class NoFlowWaiting(Exception):
    """The step or answer the person sent has no flow waiting for it."""


class InteractiveAuthorization:
    def __init__(
        self,
        *,
        begin: Callable[[OAuthSettings], Awaitable[AuthFlow]],
        resume: Callable[[PendingAuthorization], AuthFlow],
        authorized: Callable[[], Awaitable[None]],
    ) -> None:
        self._begin = begin
        self._resume = resume
        self._authorized = authorized
        self.flow: AuthFlow | None = None
        self.guided = False
        self._lock = asyncio.Lock()

    async def start(self, settings: OAuthSettings, *, guided: bool) -> None:
        """A new flow answering the session's last refusal. Quick mode runs every step it
        can at once; guided mode runs none yet. Either may stop at the redirect."""
        async with self._lock:
            await self._drop()
            flow = await self._begin(settings)
            self.flow, self.guided = flow, guided
            if not guided:
                while flow.state is FlowState.READY:
                    await flow.step()
                await self._finish_if_done(flow)

    async def step(self) -> None:
        """Guided mode: run the next step."""
        async with self._lock:
            flow = self.flow
            if flow is None or flow.state is not FlowState.READY:
                raise NoFlowWaiting("No authorization step is waiting to run: start again.")
            await flow.step()
            await self._finish_if_done(flow)

    def pending(self) -> PendingAuthorization | None:
        """What the browser must keep to finish the flow when it comes back."""
        flow = self.flow
        if flow is None or flow.state is not FlowState.AWAITING_REDIRECT:
            return None
        return flow.pending

    async def complete(self, pending: PendingAuthorization, params: dict[str, str]) -> None:
        """The browser came back from the authorization server: check the response against
        what the browser kept, redeem the code, and reconnect with the token."""
        async with self._lock:
            flow = self.flow
            if flow is None or flow.oauth_state != pending.state:
                # Not this process's flow object (restarted, or another flow since):
                # rebuilt from what the browser kept.
                await self._drop()
                flow = self._resume(pending)
                self.flow, self.guided = flow, False
            if flow.state is not FlowState.AWAITING_REDIRECT:
                # The same response twice at once (a reload, a prefetch): the first won.
                raise NoFlowWaiting("This authorization response was already used.")
            await flow.complete(params)
            await self._finish_if_done(flow)

    async def forget(self, forget_tokens: Callable[[], Awaitable[None]]) -> None:
        """Forget the stored tokens, and any flow under way, together."""
        async with self._lock:
            await forget_tokens()
            await self._drop()

    async def close(self) -> None:
        async with self._lock:
            await self._drop()

    async def _drop(self) -> None:
        flow, self.flow = self.flow, None
        if flow is not None:
            await flow.aclose()

    async def _finish_if_done(self, flow: AuthFlow) -> None:
        if flow.state is FlowState.DONE:
            await self._authorized()
