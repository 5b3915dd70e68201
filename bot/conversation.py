"""Conversation state: which flow and step a user is in, behind a small storage interface.

The dispatcher loads the state after taking the user's lock, so a flow never sees two of one user's
messages at once. The in-memory storage serves one process; a SQLModel-backed one (check-in data layer)
implements the same :class:`StateStorage` protocol.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class ConversationState:
    """A user's place in a flow. ``data`` holds the answers collected so far (JSON-serialisable)."""

    user_id: str
    flow: str
    step: str
    expires_at: float  # epoch seconds
    data: Mapping[str, Any] = field(default_factory=dict)

    def expired(self, now: float | None = None) -> bool:
        """True once ``expires_at`` has passed."""
        return (time.time() if now is None else now) >= self.expires_at


class StateStorage(Protocol):
    """Where conversation states live. ``get`` never returns an expired state."""

    async def get(self, user_id: str) -> ConversationState | None: ...

    async def set(self, state: ConversationState) -> None: ...

    async def clear(self, user_id: str) -> None: ...


class MemoryStateStorage:
    """Process-local :class:`StateStorage` (the embedded default)."""

    def __init__(self) -> None:
        self._states: dict[str, ConversationState] = {}

    async def get(self, user_id: str) -> ConversationState | None:
        """The live state of ``user_id``; an expired one is dropped."""
        state = self._states.get(user_id)
        if state is not None and state.expired():
            del self._states[user_id]
            return None
        return state

    async def set(self, state: ConversationState) -> None:
        """Store (replace) the state of ``state.user_id``."""
        self._states[state.user_id] = state

    async def clear(self, user_id: str) -> None:
        """Forget the state of ``user_id`` (no error when there is none)."""
        self._states.pop(user_id, None)
