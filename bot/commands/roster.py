"""``python -m bot roster import FILE``: organisations and members from a county's roster (docs/roster.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlmodel import Session

from bot.db import make_engine
from bot.settings import Settings
from bot.store.roster import RosterFormatError, import_roster, read_roster


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="roster_action", metavar="ACTION", required=True)
    imp = sub.add_parser("import", help="import (or re-import) a .xlsx / .csv roster")
    imp.add_argument("file", type=Path)
    imp.add_argument("--sheet", help="worksheet name (default: the first)")
    imp.add_argument(
        "--deactivate-missing",
        action="store_true",
        help="members of the imported branches who are not in the file become inactive",
    )
    imp.add_argument("--dry-run", action="store_true", help="check the file and report, change nothing")


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        lines = read_roster(args.file, sheet=args.sheet)
    except (RosterFormatError, OSError, KeyError) as exc:
        print(f"无法读取 {args.file}：{exc}")
        return 2
    engine = make_engine(settings)
    try:
        with Session(engine) as session:
            # A dry run imports inside a transaction that is rolled back: its report is exact.
            report = import_roster(
                session=session,
                settings=settings,
                lines=lines,
                deactivate_missing=args.deactivate_missing,
                commit=not args.dry_run,
            )
            if args.dry_run:
                session.rollback()
    finally:
        engine.dispose()
    print(("（试运行，未写入）\n" if args.dry_run else "") + report.summary())
    return 1 if report.errors else 0
