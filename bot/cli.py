"""Command-line entry point. Each sub-command lives in its own module and registers itself here.

Sub-commands are imported lazily so that ``python -m bot --help`` stays fast and a command only pays
for what it uses (the embedding model is loaded by ``ask``/``eval``/``serve``, not by ``--help``).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence

from bot.settings import Settings

# name -> (module, help). The module exposes ``add_arguments(parser)`` and ``run(args, settings) -> int``.
COMMANDS: dict[str, tuple[str, str]] = {
    "ingest": ("bot.commands.ingest", "build or update the knowledge index from a folder of documents"),
    "remove": ("bot.commands.ingest_remove", "remove documents (by file name) from the knowledge index"),
    "docs": ("bot.commands.docs", "list the documents in the knowledge index"),
    "ask": ("bot.commands.ask", "answer a policy question (or many, with --json -)"),
    "eval": ("bot.commands.evaluate", "score answers on a labelled questions file (.jsonl)"),
    "serve": ("bot.commands.serve", "run the WeChat gateway (aiohttp)"),
    "simulate": ("bot.commands.simulate", "talk to a running server exactly as WeChat does"),
    "db": ("bot.commands.db", "database migrations (upgrade / current)"),
    "roster": ("bot.commands.roster", "import organisations and members from an Excel/CSV roster"),
    "ledger": ("bot.commands.ledger", "export the 三会一课 台账 as an Excel workbook"),
    "console": ("bot.commands.console", "web console accounts (add-user / list / disable)"),
    "reminders": ("bot.commands.reminders", "list reminder rules / run them now"),
}


def _load(module_name: str) -> tuple[Callable[[argparse.ArgumentParser], None], Callable[..., int]]:
    module = importlib.import_module(module_name)
    return module.add_arguments, module.run


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen sub-command; returns the process exit code."""
    # The product never downloads models at run time; make that explicit before anything imports
    # huggingface_hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m bot", description="党建助手 operator commands")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = argv[0] if argv and argv[0] in COMMANDS else None
    runner: Callable[..., int] | None = None
    for name, (module_name, help_text) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_text)
        if name == chosen:
            add_arguments, runner = _load(module_name)
            add_arguments(sp)
    args = parser.parse_args(argv)
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("faiss.loader", "bm25s", "sentence_transformers", "httpx", "jieba"):
        # Third-party chatter at INFO/DEBUG drowns the operator's output.
        logging.getLogger(noisy).setLevel(logging.WARNING)
    assert runner is not None  # argparse exits on an unknown command
    return runner(args, settings)
