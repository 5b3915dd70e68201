"""The per-message object handed to filters, middlewares and handlers."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.conversation import ConversationState, StateStorage
from bot.wechat.parsing import Inbound

if TYPE_CHECKING:
    from bot.pagination import Paginator


@dataclass(slots=True)
class PendingSlot:
    """Text the gateway shows instead of ``success`` if the answer misses the deadline."""

    text: str | None = None


@dataclass(slots=True)
class Context:
    """One inbound message being handled.

    ``text`` is the command text: a text message's content (trimmed) or, for a menu CLICK, the command
    its key maps to; empty for other messages. ``state`` is loaded by the state middleware (after the
    per-user lock). ``data`` collects filter extractions and middleware additions.
    """

    inbound: Inbound
    text: str
    storage: StateStorage
    pages: Paginator
    conversation_ttl_s: float
    state: ConversationState | None = None
    data: dict[str, Any] = field(default_factory=dict)
    pending: PendingSlot = field(default_factory=PendingSlot)

    @property
    def user_id(self) -> str:
        """The sender's openid."""
        return self.inbound.from_user

    def set_pending(self, text: str) -> None:
        """Ask the gateway to show ``text`` (e.g. "正在查询…") if this message misses the deadline."""
        self.pending.text = text

    async def set_state(self, flow: str, step: str, data: Mapping[str, Any] | None = None) -> None:
        """Enter (or move within) a flow; expires after ``conversation_ttl_s``."""
        self.state = ConversationState(
            user_id=self.user_id,
            flow=flow,
            step=step,
            data=dict(data or {}),
            expires_at=time.time() + self.conversation_ttl_s,
        )
        await self.storage.set(self.state)

    async def clear_state(self) -> None:
        """Leave the current flow."""
        self.state = None
        await self.storage.clear(self.user_id)
