"""The dispatcher: middlewares around the routers, in a fixed order.

Order (outermost first): error handling → user → per-user lock → conversation state → extra middlewares
(added by features) → pagination → the first matching handler of the routers, in the precedence order the
composition root gives (``bot/app.py``: ``ROUTER_PRECEDENCE``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol

from bot.conversation import StateStorage
from bot.dispatch.context import Context, PendingSlot
from bot.dispatch.reply import NO_REPLY, Reply
from bot.dispatch.router import Router
from bot.locks import UserLocks
from bot.pagination import Paginator
from bot.wechat.parsing import Inbound

log = logging.getLogger(__name__)

NextCall = Callable[[Context], Awaitable[Reply]]


class Middleware(Protocol):
    """``async def __call__(ctx, call_next) -> Reply``: may act before/after, or answer itself."""

    async def __call__(self, ctx: Context, call_next: NextCall) -> Reply: ...


class Dispatcher:
    """Routes an :class:`Inbound` to one handler and returns its :class:`Reply`."""

    def __init__(
        self,
        routers: Sequence[Router],
        *,
        storage: StateStorage,
        locks: UserLocks,
        paginator: Paginator,
        apology: str,
        conversation_ttl_s: float,
        menu_commands: Mapping[str, str] | None = None,
        user_middlewares: Sequence[Middleware] = (),
        middlewares: Sequence[Middleware] = (),
        default: Reply = NO_REPLY,
    ) -> None:
        self.routers = tuple(routers)
        self.storage = storage
        self.locks = locks
        self.paginator = paginator
        self.apology = apology
        self.conversation_ttl_s = conversation_ttl_s
        self.menu_commands = dict(menu_commands or {})
        self.user_middlewares = tuple(user_middlewares)
        self.middlewares = tuple(middlewares)
        self.default = default
        self.errors = 0

    def command_text(self, inbound: Inbound) -> str:
        """The command text of ``inbound``: trimmed text, or the command of a menu CLICK key."""
        if inbound.msg_type == "text":
            return inbound.content.strip()
        if inbound.msg_type == "event" and inbound.event == "click":
            return self.menu_commands.get(inbound.event_key, "")
        return ""

    async def feed(self, inbound: Inbound, pending: PendingSlot | None = None) -> Reply:
        """Handle one message. Never raises: a failing handler yields the apology."""
        ctx = Context(
            inbound=inbound,
            text=self.command_text(inbound),
            storage=self.storage,
            pages=self.paginator,
            conversation_ttl_s=self.conversation_ttl_s,
            pending=pending if pending is not None else PendingSlot(),
        )
        chain: list[Middleware | Callable[[Context, NextCall], Awaitable[Reply]]] = [
            self._errors,
            *self.user_middlewares,
            self._lock,
            self._state,
            *self.middlewares,
            self._paginate,
        ]

        async def call(index: int, c: Context) -> Reply:
            if index == len(chain):
                return await self._route(c)
            return await chain[index](c, lambda nxt: call(index + 1, nxt))

        return await call(0, ctx)

    async def _errors(self, ctx: Context, call_next: NextCall) -> Reply:
        try:
            return await call_next(ctx)
        except Exception:
            self.errors += 1
            log.exception("handler failed for %s (%s)", ctx.inbound.dedup_key, ctx.inbound.msg_type)
            return Reply(self.apology)

    async def _lock(self, ctx: Context, call_next: NextCall) -> Reply:
        async with self.locks.hold(ctx.user_id):
            return await call_next(ctx)

    async def _state(self, ctx: Context, call_next: NextCall) -> Reply:
        ctx.state = await self.storage.get(ctx.user_id)
        return await call_next(ctx)

    async def _paginate(self, ctx: Context, call_next: NextCall) -> Reply:
        reply = await call_next(ctx)
        if reply.text:
            return Reply(await self.paginator.paginate(ctx.user_id, reply.text))
        return reply

    async def _route(self, ctx: Context) -> Reply:
        for router in self.routers:
            found = await router.resolve(ctx)
            if found is None:
                continue
            entry, extracted = found
            ctx.data.update(extracted)
            if entry.pending is not None and ctx.pending.text is None:
                ctx.pending.text = entry.pending
            return await entry.callback(ctx)
        return self.default
