"""What a handler returns. Handlers never send: the gateway delivers (passively or, when late, through
the customer-service API)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reply:
    """A text answer, or ``text=None`` for no reply at all (WeChat gets ``success``)."""

    text: str | None = None

    @property
    def silent(self) -> bool:
        """True when nothing is to be said."""
        return not self.text


NO_REPLY = Reply()
