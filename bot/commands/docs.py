"""``python -m bot docs``: list the documents of the current knowledge index with their metadata."""

from __future__ import annotations

import argparse
import json
import sys

from bot.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object per document")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from knowledge.index_store import IndexStore, KnowledgeIndexError

    store = IndexStore(settings.index_dir)
    version = store.current_version()
    if version is None:
        print("no knowledge index yet; run `python -m bot ingest DIR`", file=sys.stderr)
        return 1
    try:
        manifest = store.read_manifest(version)
    except KnowledgeIndexError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"index {version}: model {manifest.model}, {len(manifest.documents)} documents", file=sys.stderr)
    for doc in manifest.documents:
        if args.json:
            print(json.dumps(asdict(doc), ensure_ascii=False))
        else:
            fields = (doc.file_name, doc.date or "-", doc.place or "-", f"{doc.passages} passages", doc.title)
            print("\t".join(fields))
    return 0
