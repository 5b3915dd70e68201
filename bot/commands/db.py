"""``python -m bot db upgrade|current|downgrade``: schema migrations of the store (Alembic)."""

from __future__ import annotations

import argparse

from bot.db import make_engine
from bot.settings import Settings
from bot.store import migrate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    up = sub.add_parser("upgrade", help="apply migrations (default: to the newest)")
    up.add_argument("revision", nargs="?", default="head")
    sub.add_parser("current", help="show the database's revision and the newest one")
    down = sub.add_parser("downgrade", help="go back to a revision ('base' drops all tables)")
    down.add_argument("revision")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.db_action == "upgrade":
        migrate.upgrade(settings, revision=args.revision)
    elif args.db_action == "downgrade":
        migrate.downgrade(settings, revision=args.revision)
    engine = make_engine(settings)
    try:
        current = migrate.current_revision(engine)
    finally:
        engine.dispose()
    head = migrate.head_revision(settings)
    url = engine.url.render_as_string(hide_password=True)
    print(f"database: {url}\ncurrent:  {current or '(empty)'}\nhead:     {head}")
    return 0 if args.db_action != "current" or current == head else 1
