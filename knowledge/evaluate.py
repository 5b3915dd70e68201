"""Scoring answers on labelled questions, as defined in ../shared/eval/README.md.

Each line: {"id", "question", "doc": file name or null, "expect_any": [...], "type": "fact|colloquial|ood"}.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.service import KnowledgeService

HIT_DEPTH = 10  # MRR counts the first passage holding an expected string within this depth


@dataclass(frozen=True, slots=True)
class Labelled:
    """One labelled question."""

    id: str
    question: str
    doc: str | None
    expect_any: tuple[str, ...]
    type: str
    split: str | None = None  # our own sets mark "tune" / "holdout"

    @property
    def answerable(self) -> bool:
        return self.type != "ood"


@dataclass(slots=True)
class EvalReport:
    """The scores of one run, and the questions that failed."""

    answerable: int = 0
    ood: int = 0
    answer_ok: int = 0
    citation_total: int = 0
    citation_ok: int = 0
    hit1: int = 0
    hit3: int = 0
    rr_sum: float = 0.0
    ood_refused: int = 0
    wrongly_refused: int = 0
    seconds: float = 0.0
    failures: list[dict[str, Any]] = field(default_factory=list)

    def _share(self, n: int, d: int) -> float:
        return n / d if d else 0.0

    def scores(self) -> dict[str, float]:
        """The figures the eval README asks for."""
        return {
            "answer_accuracy": self._share(self.answer_ok, self.answerable),
            "citation_accuracy": self._share(self.citation_ok, self.citation_total),
            "hit@1": self._share(self.hit1, self.answerable),
            "hit@3": self._share(self.hit3, self.answerable),
            "mrr": self.rr_sum / self.answerable if self.answerable else 0.0,
            "ood_refused": self._share(self.ood_refused, self.ood),
            "answerable_wrongly_refused": self._share(self.wrongly_refused, self.answerable),
        }

    def render(self) -> str:
        """Human-readable summary (what ``python -m bot eval`` prints)."""
        s = self.scores()
        lines = [
            f"questions: {self.answerable} answerable, {self.ood} out-of-scope ({self.seconds:.1f}s)",
            f"answer accuracy:   {s['answer_accuracy']:.1%} ({self.answer_ok}/{self.answerable})",
            f"citation accuracy: {s['citation_accuracy']:.1%} ({self.citation_ok}/{self.citation_total})",
            f"retrieval hit@1:   {s['hit@1']:.1%}   hit@3: {s['hit@3']:.1%}   MRR: {s['mrr']:.3f}",
            f"out-of-scope refused:        {s['ood_refused']:.1%} ({self.ood_refused}/{self.ood})",
            f"answerable wrongly refused:  {s['answerable_wrongly_refused']:.1%} "
            f"({self.wrongly_refused}/{self.answerable})",
        ]
        for f in self.failures:
            lines.append(f"  FAIL {f['id']} [{f['why']}] {f['question']} -> {f['got']}")
        return "\n".join(lines)


def read_labelled(path: Path) -> list[Labelled]:
    """Read a labelled .jsonl file (blank lines ignored)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            rows.append(
                Labelled(
                    d["id"],
                    d["question"],
                    d.get("doc"),
                    tuple(d.get("expect_any") or ()),
                    d.get("type", "fact"),
                    d.get("split"),
                )
            )
    return rows


def evaluate(service: KnowledgeService, rows: Iterable[Labelled]) -> EvalReport:
    """Ask every question and score answers, citations, retrieval ranks and refusals."""
    report = EvalReport()
    started = time.perf_counter()
    for row in rows:
        result = service.ask(row.question)
        first_doc = result.sources[0].doc if result.sources else None
        if not row.answerable:
            report.ood += 1
            if not result.found:
                report.ood_refused += 1
            else:
                report.failures.append(
                    {
                        "id": row.id,
                        "why": "answered out-of-scope",
                        "question": row.question,
                        "got": result.answer.splitlines()[0],
                    }
                )
            continue
        report.answerable += 1
        answer_ok = result.found and any(e in result.answer for e in row.expect_any)
        report.answer_ok += answer_ok
        if not result.found:
            report.wrongly_refused += 1
        if row.doc:
            report.citation_total += 1
            report.citation_ok += first_doc == row.doc
        ranked = service.decide(row.question).ranked[:HIT_DEPTH]
        rank = next(
            (i + 1 for i, c in enumerate(ranked) if any(e in c.passage.text for e in row.expect_any)), 0
        )
        report.hit1 += rank == 1
        report.hit3 += 0 < rank <= 3
        report.rr_sum += 1 / rank if rank else 0.0
        if not answer_ok or (row.doc and first_doc != row.doc):
            why = "refused" if not result.found else ("wrong answer" if not answer_ok else "wrong citation")
            report.failures.append(
                {
                    "id": row.id,
                    "why": why,
                    "question": row.question,
                    "got": f"{first_doc} | {result.answer.splitlines()[0]}",
                }
            )
    report.seconds = time.perf_counter() - started
    return report
