"""``python -m bot ledger export``: the 台账 as an Excel workbook (docs/ledger.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlmodel import Session, col, select

from bot.db import make_engine
from bot.settings import Settings
from bot.store.ledger import export_ledger
from bot.store.models import Organisation
from bot.store.periods import PeriodRef, parse_period


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="ledger_action", metavar="ACTION", required=True)
    exp = sub.add_parser("export", help="write the 台账 of a month / quarter / year to .xlsx")
    when = exp.add_mutually_exclusive_group(required=True)
    when.add_argument("--month", help="e.g. 2026-11")
    when.add_argument("--quarter", help="e.g. 2026Q4")
    when.add_argument("--year", help="e.g. 2026")
    exp.add_argument("--org", type=int, help="organisation id (default: the top of the tree)")
    exp.add_argument(
        "--per", choices=("branch", "month"), default="branch", help="one sheet per branch or month"
    )
    exp.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")


def run(args: argparse.Namespace, settings: Settings) -> int:
    text = args.month or args.quarter or args.year
    try:
        period: PeriodRef = parse_period(text)
    except ValueError as exc:
        print(exc)
        return 2
    engine = make_engine(settings)
    try:
        with Session(engine) as session:
            org_id = args.org
            if org_id is None:
                roots = list(
                    session.exec(select(Organisation.id).where(col(Organisation.parent_id).is_(None)))
                )
                if len(roots) != 1:
                    print(f"请用 --org 指定组织（顶层组织有 {len(roots)} 个）")
                    return 2
                org_id = roots[0]
            result = export_ledger(
                session=session,
                settings=settings,
                root_id=org_id,
                period=period,
                out=args.out,
                layout=args.per,
            )
    finally:
        engine.dispose()
    print(
        f"已写入 {result.path}：{result.sheets} 张工作表，{result.branches} 个党支部，"
        f"{result.records} 条记录，达标率 {result.share:.1%}"
    )
    return 0
