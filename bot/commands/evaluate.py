"""``python -m bot eval FILE.jsonl``: answer labelled questions and print the scores."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="labelled questions (.jsonl, see ../shared/eval/README.md)")
    parser.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    parser.add_argument("--split", help='only rows whose "split" field has this value (e.g. holdout)')


def run(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.evaluate import evaluate, read_labelled
    from knowledge.index_store import KnowledgeIndexError
    from knowledge.service import KnowledgeService

    if not args.file.is_file():
        print(f"error: {args.file} not found", file=sys.stderr)
        return 2
    try:
        service = KnowledgeService.open(settings)
    except KnowledgeIndexError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = [r for r in read_labelled(args.file) if args.split is None or r.split == args.split]
    if not rows:
        print(
            f"error: no questions in {args.file}" + (f" with split {args.split!r}" if args.split else ""),
            file=sys.stderr,
        )
        return 2
    report = evaluate(service, rows)
    print(json.dumps(report.scores()) if args.json else report.render())
    return 0
