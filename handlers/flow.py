"""Conversation flows declared in one place (python-telegram-bot ``ConversationHandler`` style).

A :class:`Flow` is data: its steps (an Enum), entry handlers, per-step handlers and fallbacks (taken at
any step). ``flow.router()`` turns it into one :class:`Router` for the precedence list in ``bot/app.py``.
Inside the router the order is: expired → fallbacks → the current step's handlers → entry.

Expiry. The flow keeps its own deadline in the state (``data["_expires"]``, now + ``ttl_s``) and stores
the row for ``notice_s`` longer, so a user who comes back to a stale conversation is told politely that
it lapsed (``on_expired``) instead of silently starting over, and a stale "确认" never submits an old
draft. After ``ttl_s + notice_s`` the row is gone and the user is simply not in a flow.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from bot.conversation import ConversationState
from bot.dispatch import Context, Reply, Router
from bot.dispatch import filters as flt
from bot.dispatch.filters import FilterFunc

S = TypeVar("S", bound=StrEnum)
Handler = Callable[[Context], Awaitable[Reply]]
EXPIRES_KEY = "_expires"


@dataclass(frozen=True, slots=True)
class Route:
    """A handler taken when every filter matches."""

    filters: tuple[FilterFunc, ...]
    handler: Handler
    pending: str | None = None


def on(*filters: FilterFunc, pending: str | None = None) -> Callable[[Handler], Route]:
    """``on(F.MsgType("image"))(handler)`` → a :class:`Route` (no filters: always)."""

    def make(handler: Handler) -> Route:
        return Route(tuple(filters), handler, pending)

    return make


@dataclass(slots=True)
class Flow(Generic[S]):
    """One conversation: ``entry`` starts it, ``states[step]`` answer the step, ``fallbacks`` are tried
    at every step first; ``on_expired`` answers a message that arrives after ``ttl_s``."""

    name: str
    steps: type[S]
    ttl_s: float
    notice_s: float
    entry: Sequence[Route] = ()
    states: Mapping[S, Sequence[Route]] = field(default_factory=dict)
    fallbacks: Sequence[Route] = ()
    on_expired: Handler | None = None

    # --- state helpers used by the handlers ----------------------------------------------------------------

    def step_of(self, ctx: Context) -> S | None:
        """The user's current step in this flow (None: not in it)."""
        st = ctx.state
        if st is None or st.flow != self.name:
            return None
        try:
            return self.steps(st.step)
        except ValueError:
            return None

    def data(self, ctx: Context) -> dict[str, Any]:
        """A copy of the flow's collected data (without the internal keys)."""
        st = ctx.state
        if st is None or st.flow != self.name:
            return {}
        return {k: v for k, v in st.data.items() if k != EXPIRES_KEY}

    def state_for(self, ctx: Context, step: S, data: Mapping[str, Any]) -> ConversationState:
        """The state :meth:`go` stores (not written: a handler may write it with its own DB work)."""
        now = time.time()
        return ConversationState(
            user_id=ctx.user_id,
            flow=self.name,
            step=step.value,
            data={**data, EXPIRES_KEY: now + self.ttl_s},
            expires_at=now + self.ttl_s + self.notice_s,
        )

    async def go(self, ctx: Context, step: S, data: Mapping[str, Any]) -> None:
        """Enter or move within the flow; the deadline restarts at every answer."""
        state = self.state_for(ctx, step, data)
        ctx.state = state
        await ctx.storage.set(state)

    def expired(self, ctx: Context) -> bool:
        """True when the user is in this flow but its own deadline has passed."""
        st = ctx.state
        if st is None or st.flow != self.name:
            return False
        deadline = st.data.get(EXPIRES_KEY)
        return isinstance(deadline, int | float) and time.time() >= deadline

    # --- the router ----------------------------------------------------------------------------------------

    def router(self) -> Router:
        """The flow as one router (expired → fallbacks → step handlers → entry)."""
        router = Router(self.name)
        in_flow = flt.InFlow(self.name)
        if self.on_expired is not None:
            router.add(self.on_expired, in_flow, self.expired)
        live = in_flow & ~_Expired(self)
        for r in self.fallbacks:
            router.add(r.handler, live, *r.filters, pending=r.pending)
        for step, routes in self.states.items():
            for r in routes:
                router.add(r.handler, flt.InFlow(self.name, step.value), *r.filters, pending=r.pending)
        for r in self.entry:
            router.add(r.handler, *r.filters, pending=r.pending)
        return router


class _Expired(flt.Filter):
    """True when the user's state in ``flow`` is past the flow's own deadline."""

    def __init__(self, flow: Flow[Any]) -> None:
        self.flow = flow

    def check(self, ctx: Context) -> flt.FilterResult:
        return self.flow.expired(ctx)
