"""``python -m bot remove NAME…``: drop documents from the knowledge index (they stop answering at once)."""

from __future__ import annotations

import argparse
import sys

from bot.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="+", help="file names (as `python -m bot docs` lists them)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings.encoder import load_encoder
    from knowledge.index_store import IndexStore
    from knowledge.ingest import Ingestor

    encoder = load_encoder(settings.embedding_model, threads=settings.embedding_threads)
    ingestor = Ingestor(
        IndexStore(settings.index_dir, keep_versions=settings.index_keep_versions),
        encoder,
        chunk_max_chars=settings.chunk_max_chars,
        include_builtin=settings.include_builtin_knowledge,
    )
    report, missing = ingestor.remove(args.names)
    for name in missing:
        print(f"not in the index: {name}", file=sys.stderr)
    if report.version:
        print(
            f"index {report.version}: removed {', '.join(report.removed) or 'nothing'}; "
            f"{report.documents} documents remain"
        )
    return 1 if missing else 0
