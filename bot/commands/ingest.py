"""``python -m bot ingest [DIR]``: build or update the knowledge index from a folder of documents."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "folder",
        nargs="?",
        type=Path,
        help="folder of .txt/.md/.html/.docx/.pdf documents (omit to refresh only the built-in knowledge)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings.encoder import ModelNotFoundError, load_encoder
    from knowledge.index_store import IndexStore
    from knowledge.ingest import Ingestor

    folder: Path | None = args.folder
    if folder is not None and not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return 2
    try:
        encoder = load_encoder(settings.embedding_model, threads=settings.embedding_threads)
    except ModelNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ingestor = Ingestor(
        IndexStore(settings.index_dir, keep_versions=settings.index_keep_versions),
        encoder,
        chunk_max_chars=settings.chunk_max_chars,
        batch_size=settings.embedding_batch_size,
        include_builtin=settings.include_builtin_knowledge,
        progress=lambda msg: print(msg, file=sys.stderr),
    )
    report = ingestor.ingest(folder)
    print(
        f"index {report.version}: {report.documents} documents, {report.passages} passages "
        f"({report.encoded_passages} encoded) in {report.seconds:.1f}s"
        + (" — previous index rebuilt" if report.rebuilt else "")
    )
    for label, names in (("added", report.added), ("updated", report.updated), ("removed", report.removed)):
        if names:
            print(f"{label} ({len(names)}): {', '.join(names)}")
    print(f"unchanged: {len(report.unchanged)}")
    return 0
