"""The 台账 workbook: one sheet per branch or per month, texts never become formulas."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from bot.commands import ledger as ledger_command
from bot.settings import Settings
from bot.store.checkins import submit_record
from bot.store.ledger import export_ledger
from bot.store.periods import parse_period
from tests.store_world import NOW, World, draft


def _fill(session: Session, settings: Settings) -> None:
    submit_record(
        session=session,
        settings=settings,
        openid=World.MEM_A,
        now=NOW,
        draft=draft(topic='=HYPERLINK("http://evil","点我")', held_on=date(2026, 11, 20)),
    )
    submit_record(
        session=session,
        settings=settings,
        openid=World.SEC_B,
        now=NOW,
        draft=draft(expected=5, present=5, absentees=[], topic="学习党章", held_on=date(2026, 11, 21)),
    )


def _cells(ws: object) -> list[list[object]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]  # type: ignore[attr-defined]


def test_export_per_branch(session: Session, store_settings: Settings, world: World, tmp_path: Path) -> None:
    _fill(session, store_settings)
    out = tmp_path / "out" / "台账-2026-11.xlsx"
    assert world.county.id is not None
    result = export_ledger(
        session=session,
        settings=store_settings,
        root_id=world.county.id,
        period=parse_period("2026-11"),
        out=out,
        as_of=date(2026, 12, 10),
    )
    assert result.branches == 2 and result.records == 2 and result.sheets == 3
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "向阳村党支部", "红星村党支部"]  # name-path order
    summary = _cells(wb["汇总"])
    assert "2026年11月" in str(summary[0][0])
    assert ["向阳村党支部", "某县委/城关镇党委/向阳村党支部", "达标", None, 1] in summary
    red = wb["红星村党支部"]
    rows = _cells(red)
    flat = [str(c) for r in rows for c in r if c is not None]
    assert "支部委员会" in flat and "未完成" in flat and "主题党日" in flat
    topic_cell = next(
        c for row in red.iter_rows() for c in row if c.value and str(c.value).startswith("=HYPER")
    )
    assert topic_cell.data_type == "s"  # stored as text, not as a formula


def test_export_per_month_for_a_quarter(
    session: Session, store_settings: Settings, world: World, tmp_path: Path
) -> None:
    _fill(session, store_settings)
    out = tmp_path / "q4.xlsx"
    assert world.county.id is not None
    result = export_ledger(
        session=session,
        settings=store_settings,
        root_id=world.county.id,
        period=parse_period("2026Q4"),
        out=out,
        layout="month",
        as_of=date(2027, 1, 10),
    )
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "2026年10月", "2026年11月", "2026年12月"] and result.sheets == 4
    nov = _cells(wb["2026年11月"])
    assert nov[0][:3] == ["党支部", "是否达标", "主题党日"]
    b_row = next(r for r in nov if r[0] == "向阳村党支部")
    col = {name: i for i, name in enumerate(nov[0])}
    assert b_row[col["主题党日"]] == "已完成" and b_row[col["支部委员会"]] == "不适用"  # no committee
    assert b_row[col["支部党员大会"]] == "未完成"  # the quarter ended without one
    assert any(r[0] == "向阳村党支部" and "学习党章" in r for r in nov)


def test_ledger_command(
    engine: object,
    session: Session,
    store_settings: Settings,
    world: World,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _fill(session, store_settings)
    parser = argparse.ArgumentParser()
    ledger_command.add_arguments(parser)
    out = tmp_path / "ledger.xlsx"
    assert (
        ledger_command.run(
            parser.parse_args(["export", "--month", "2026-11", "--out", str(out)]), store_settings
        )
        == 0
    )
    assert out.exists() and "2 个党支部" in capsys.readouterr().out
    args = parser.parse_args(
        ["export", "--quarter", "2026Q4", "--org", str(world.a.id), "--per", "month", "--out", str(out)]
    )
    assert ledger_command.run(args, store_settings) == 0
    assert "1 个党支部" in capsys.readouterr().out
    bad = parser.parse_args(["export", "--month", "2026-13", "--out", str(out)])
    assert ledger_command.run(bad, store_settings) == 2
