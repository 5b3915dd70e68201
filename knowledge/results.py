"""What a policy question returns: the answer text for the user and the sources behind it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Source:
    """One cited passage. ``quote`` is a verbatim slice of the document."""

    doc: str  # file name
    title: str
    date: str | None
    place: str | None
    paragraph: int
    quote: str
    score: float


@dataclass(frozen=True, slots=True)
class QAResult:
    """The answer to one question. ``found`` is False when the documents do not cover it."""

    question: str
    found: bool
    answer: str
    sources: tuple[Source, ...] = ()

    def to_json_dict(self) -> dict[str, Any]:
        """The ``ask --json`` line format: question, found, answer, sources (best first)."""
        return {
            "question": self.question,
            "found": self.found,
            "answer": self.answer,
            "sources": [asdict(s) for s in self.sources],
        }
