"""Filters decide whether a handler takes a message. A filter returns ``False``/``None`` (no match),
``True`` (match) or a dict of values extracted for the handler (match; merged into ``ctx.data``).

Combine with ``&``, ``|`` and ``~``. Any callable ``(ctx) -> bool | dict | Awaitable[...]`` works too.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from bot.dispatch.context import Context

FilterResult: TypeAlias = bool | Mapping[str, Any] | None
FilterFunc: TypeAlias = Callable[["Context"], FilterResult | Awaitable[FilterResult]]


async def run_filter(flt: FilterFunc, ctx: Context) -> FilterResult:
    """Evaluate one filter (sync or async)."""
    result = flt(ctx)
    if inspect.isawaitable(result):
        return await result
    return result


class Filter:
    """Base class of the built-in filters (gives them ``&``, ``|`` and ``~``)."""

    def check(self, ctx: Context) -> FilterResult:
        """Override: the filter's decision."""
        raise NotImplementedError

    def __call__(self, ctx: Context) -> FilterResult:
        return self.check(ctx)

    def __and__(self, other: Filter) -> Filter:
        return _And(self, other)

    def __or__(self, other: Filter) -> Filter:
        return _Or(self, other)

    def __invert__(self) -> Filter:
        return _Not(self)


class _And(Filter):
    def __init__(self, a: Filter, b: Filter) -> None:
        self.a, self.b = a, b

    def check(self, ctx: Context) -> FilterResult:
        ra = self.a(ctx)
        if not ra:
            return False
        rb = self.b(ctx)
        if not rb:
            return False
        merged: dict[str, Any] = {}
        for r in (ra, rb):
            if isinstance(r, Mapping):
                merged.update(r)
        return merged or True


class _Or(Filter):
    def __init__(self, a: Filter, b: Filter) -> None:
        self.a, self.b = a, b

    def check(self, ctx: Context) -> FilterResult:
        return self.a(ctx) or self.b(ctx)


class _Not(Filter):
    def __init__(self, a: Filter) -> None:
        self.a = a

    def check(self, ctx: Context) -> FilterResult:
        return not self.a(ctx)


class MsgType(Filter):
    """Matches the message types given (``text``, ``image``, ``voice``, ``event``…)."""

    def __init__(self, *types: str) -> None:
        self.types = frozenset(t.lower() for t in types)

    def check(self, ctx: Context) -> FilterResult:
        return ctx.inbound.msg_type in self.types


class Event(Filter):
    """Matches events by name (``subscribe``, ``scan``, ``click``…); no names: any event."""

    def __init__(self, *events: str) -> None:
        self.events = frozenset(e.lower() for e in events)

    def check(self, ctx: Context) -> FilterResult:
        if ctx.inbound.msg_type != "event":
            return False
        return not self.events or ctx.inbound.event in self.events


class HasText(Filter):
    """Matches anything carrying command text: a text message or a mapped menu click."""

    def check(self, ctx: Context) -> FilterResult:
        return bool(ctx.text)


class Text(Filter):
    """Exact command words (after trimming; ASCII case-insensitive). Menu clicks mapped to a command
    match as if typed."""

    def __init__(self, *words: str) -> None:
        self.words = frozenset(w.strip().lower() for w in words)

    def check(self, ctx: Context) -> FilterResult:
        return bool(ctx.text) and ctx.text.lower() in self.words


class StartsWith(Filter):
    """Command with arguments: ``打卡 主题党日`` → ``{"args": "主题党日"}``."""

    def __init__(self, *prefixes: str) -> None:
        self.prefixes = tuple(prefixes)

    def check(self, ctx: Context) -> FilterResult:
        for prefix in self.prefixes:
            if ctx.text.startswith(prefix):
                return {"command": prefix, "args": ctx.text[len(prefix) :].strip()}
        return False


class Regex(Filter):
    """Regular expression on the command text; the match object is passed as ``match``."""

    def __init__(self, pattern: str | re.Pattern[str]) -> None:
        self.pattern = re.compile(pattern) if isinstance(pattern, str) else pattern

    def check(self, ctx: Context) -> FilterResult:
        m = self.pattern.search(ctx.text) if ctx.text else None
        return {"match": m} if m else False


class InFlow(Filter):
    """Matches while the user's conversation state is in ``flow`` (and one of ``steps`` if given)."""

    def __init__(self, flow: str, *steps: str) -> None:
        self.flow = flow
        self.steps = frozenset(steps)

    def check(self, ctx: Context) -> FilterResult:
        st = ctx.state
        if st is None or st.flow != self.flow:
            return False
        return not self.steps or st.step in self.steps


class AnyFlow(Filter):
    """Matches while the user is in any conversation flow."""

    def check(self, ctx: Context) -> FilterResult:
        return ctx.state is not None


class Always(Filter):
    """Matches everything (catch-all handlers)."""

    def check(self, ctx: Context) -> FilterResult:
        return True
