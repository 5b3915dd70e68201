"""Dispatcher framework: routers with filters, middlewares, :class:`Reply`.

Public API::

    from bot.dispatch import Router, Reply, NO_REPLY, Context, filters as F
"""

from bot.dispatch import filters
from bot.dispatch.context import Context, PendingSlot
from bot.dispatch.dispatcher import Dispatcher, Middleware, NextCall
from bot.dispatch.reply import NO_REPLY, Reply
from bot.dispatch.router import HandlerEntry, HandlerFunc, Router

__all__ = [
    "NO_REPLY",
    "Context",
    "Dispatcher",
    "HandlerEntry",
    "HandlerFunc",
    "Middleware",
    "NextCall",
    "PendingSlot",
    "Reply",
    "Router",
    "filters",
]
