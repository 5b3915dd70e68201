"""Routers: handlers with filters, first match wins (aiogram-3 style).

A feature owns one :class:`Router`; the composition root (``bot/app.py``, ``ROUTER_PRECEDENCE``) lists the
routers in precedence order. Inside a router, handlers are tried in registration order, then included
sub-routers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from bot.dispatch.context import Context
from bot.dispatch.filters import FilterFunc, run_filter
from bot.dispatch.reply import Reply

HandlerFunc: TypeAlias = Callable[[Context], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class HandlerEntry:
    """A registered handler: all ``filters`` must match. ``pending`` is shown if it misses the deadline."""

    callback: HandlerFunc
    filters: tuple[FilterFunc, ...]
    pending: str | None
    router: str


class Router:
    """A named group of handlers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.handlers: list[HandlerEntry] = []
        self.children: list[Router] = []

    def on(self, *filters: FilterFunc, pending: str | None = None) -> Callable[[HandlerFunc], HandlerFunc]:
        """Decorator registering a handler taken when every filter matches (no filters: always)."""

        def register(callback: HandlerFunc) -> HandlerFunc:
            self.add(callback, *filters, pending=pending)
            return callback

        return register

    def add(self, callback: HandlerFunc, *filters: FilterFunc, pending: str | None = None) -> None:
        """Register ``callback`` (the non-decorator form of :meth:`on`)."""
        self.handlers.append(HandlerEntry(callback, tuple(filters), pending, self.name))

    def include(self, router: Router) -> Router:
        """Try ``router`` after this router's own handlers; returns it."""
        self.children.append(router)
        return router

    async def resolve(self, ctx: Context) -> tuple[HandlerEntry, dict[str, Any]] | None:
        """The first handler whose filters all match, with the values they extracted."""
        for entry in self.handlers:
            extracted: dict[str, Any] = {}
            for flt in entry.filters:
                result = await run_filter(flt, ctx)
                if not result:
                    break
                if isinstance(result, Mapping):
                    extracted.update(result)
            else:
                return entry, extracted
        for child in self.children:
            found = await child.resolve(ctx)
            if found is not None:
                return found
        return None
