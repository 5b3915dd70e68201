"""``python -m bot ask "问题"`` prints the answer; ``ask --json -`` answers stdin lines as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys

from bot.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("question", help='the question, or "-" to read one question per line from stdin')
    parser.add_argument("--json", action="store_true", help="print one JSON object per question")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings.encoder import ModelNotFoundError
    from knowledge.index_store import KnowledgeIndexError
    from knowledge.service import KnowledgeService

    try:
        service = KnowledgeService.open(settings)  # loading happens once, whatever the number of questions
    except (KnowledgeIndexError, ModelNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    questions = (line.rstrip("\n") for line in sys.stdin) if args.question == "-" else iter([args.question])
    for question in questions:
        if args.question == "-" and not question.strip():
            continue
        result = service.ask(question)
        if args.json:
            print(json.dumps(result.to_json_dict(), ensure_ascii=False), flush=True)
        else:
            print(result.answer, flush=True)
    return 0
