"""Roster import from .xlsx and .csv (UTF-8 and GB18030): update, never duplicate, errors by line."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import Session, col, select

from bot.commands import roster as roster_command
from bot.settings import Settings
from bot.store.models import Member, Organisation, OrgLevel
from bot.store.roster import RosterFormatError, import_roster_file, read_roster

HEADER = ["县委", "乡镇党委", "党支部", "党小组", "姓名", "类别", "职务", "手机"]
ROWS = [
    ["某县委", "城关镇党委", "红星村党支部", "第一党小组", "张建国", "正式", "书记", "13800000001"],
    ["某县委", "城关镇党委", "红星村党支部", "第一党小组", "李梅", "正式", "组织委员、党小组长", ""],
    ["某县委", "城关镇党委", "红星村党支部", "第二党小组", "王小明", "预备", "党员", "138 0000 0003"],
    ["某县委", "城关镇党委", "向阳村党支部", "", "周大勇", "正式党员", "书记", ""],
    ["某县委", "", "县直机关第一党支部", "", "陈明", "正式", "", ""],
    ["某县委", "", "", "", "吴干事", "正式", "组织部干事", ""],
]


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    text = "\n".join(",".join(r) for r in [HEADER, *rows]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def _members(session: Session) -> dict[str, Member]:
    return {m.name: m for m in session.exec(select(Member))}


def test_csv_import_builds_tree_and_members(
    session: Session, store_settings: Settings, tmp_path: Path
) -> None:
    report = import_roster_file(
        session=session, settings=store_settings, path=_write_csv(tmp_path / "r.csv", ROWS)
    )
    assert report.errors == [] and report.members_created == 6
    orgs = {o.name_path: o for o in session.exec(select(Organisation))}
    assert orgs["某县委"].level == OrgLevel.COUNTY
    assert orgs["某县委/城关镇党委/红星村党支部/第一党小组"].level == OrgLevel.GROUP
    assert orgs["某县委/县直机关第一党支部"].level == OrgLevel.BRANCH  # branch right under the county
    branch = orgs["某县委/城关镇党委/红星村党支部"]
    assert branch.path.startswith(orgs["某县委/城关镇党委"].path)
    m = _members(session)
    assert m["张建国"].role == "secretary" and m["张建国"].phone == "13800000001"
    assert m["李梅"].role == "organizer"  # the higher of 组织委员、党小组长
    assert m["王小明"].category == "probationary" and m["王小明"].phone == "13800000003"
    assert m["吴干事"].role == "staff" and m["吴干事"].org_id == orgs["某县委"].id
    assert branch.has_committee is False  # 2 正式 members < 7


def test_reimport_updates_and_never_duplicates(
    session: Session, store_settings: Settings, tmp_path: Path
) -> None:
    path = _write_csv(tmp_path / "r.csv", ROWS)
    import_roster_file(session=session, settings=store_settings, path=path)
    n_orgs = len(list(session.exec(select(Organisation))))
    again = import_roster_file(session=session, settings=store_settings, path=path)
    assert again.members_created == 0 and again.members_unchanged == 6 and again.orgs_created == 0
    changed = [list(r) for r in ROWS]
    changed[2][5] = "正式"  # 王小明 became 正式
    changed[1][7] = "13900000002"  # 李梅 got a phone
    third = import_roster_file(
        session=session, settings=store_settings, path=_write_csv(tmp_path / "r2.csv", changed)
    )
    assert third.members_updated == 2 and third.members_created == 0
    session.expire_all()
    m = _members(session)
    assert len(m) == 6 and m["王小明"].category == "full" and m["李梅"].phone == "13900000002"
    assert len(list(session.exec(select(Organisation)))) == n_orgs


def test_same_name_different_phone_are_two_people(
    session: Session, store_settings: Settings, tmp_path: Path
) -> None:
    rows = [
        ["某县委", "城关镇党委", "红星村党支部", "", "李强", "正式", "", "13900001111"],
        ["某县委", "城关镇党委", "红星村党支部", "", "李强", "正式", "", "13900002222"],
    ]
    import_roster_file(session=session, settings=store_settings, path=_write_csv(tmp_path / "r.csv", rows))
    import_roster_file(session=session, settings=store_settings, path=_write_csv(tmp_path / "r.csv", rows))
    assert len(list(session.exec(select(Member).where(Member.name == "李强")))) == 2
    # Without a phone the name is ambiguous: reported, not guessed.
    ambiguous = [["某县委", "城关镇党委", "红星村党支部", "", "李强", "预备", "", ""]]
    report = import_roster_file(
        session=session, settings=store_settings, path=_write_csv(tmp_path / "a.csv", ambiguous)
    )
    assert [e.line for e in report.errors] == [2] and "手机号" in report.errors[0].message


def test_bad_rows_reported_by_line_good_rows_kept(
    session: Session, store_settings: Settings, tmp_path: Path
) -> None:
    rows = [
        ROWS[0],
        ["某县委", "城关镇党委", "红星村党支部", "", "", "正式", "", ""],  # line 3: no name
        ["某县委", "城关镇党委", "红星村党支部", "", "钱七", "积极分子", "", ""],  # line 4: bad category
        ["某县委", "城关镇党委", "红星村党支部", "", "孙八", "正式", "", "12345"],  # line 5: bad phone
        ["某县委", "城关镇党委", "", "", "李九", "正式", "党员", ""],  # line 6: no branch
        ["某县委", "城关镇党委", "红星村党支部", "", "周十", "正式", "宣传委员", ""],  # fine
        [
            "某县委",
            "城关镇党委",
            "红星村党支部",
            "第一党小组",
            "张建国",
            "正式",
            "书记",
            "13800000001",
        ],  # dup
    ]
    report = import_roster_file(
        session=session, settings=store_settings, path=_write_csv(tmp_path / "r.csv", rows)
    )
    assert [e.line for e in report.errors] == [3, 4, 5, 6, 8]
    assert set(_members(session)) == {"张建国", "周十"}
    assert "第 4 行" in report.summary() and "新增党员 2 人" in report.summary()


def test_gb18030_csv(session: Session, store_settings: Settings, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "gbk.csv", ROWS[:3], encoding="gb18030")
    report = import_roster_file(session=session, settings=store_settings, path=path)
    assert report.errors == [] and set(_members(session)) == {"张建国", "李梅", "王小明"}


def test_xlsx_with_title_rows_and_merged_cells(
    session: Session, store_settings: Settings, tmp_path: Path
) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["某县党员花名册（2026年11月）"])
    ws.append([])
    ws.append(
        [
            "序号",
            "县(区)委",
            "乡镇党委",
            "党支部",
            "党小组",
            "姓名",
            "党员类别",
            "党内职务",
            "手机号码",
            "支委会",
        ]
    )
    data = [
        [1, "某县委", "城关镇党委", "红星村党支部", None, "张建国", "正式", "书记", 13800000001, "是"],
        [2, None, None, None, None, "李梅", "正式", "组织委员", None, None],
        [3, None, None, None, None, "王小明", "预备", None, None, None],
    ]
    for row in data:
        ws.append(row)
    ws.merge_cells("B4:B6")
    ws.merge_cells("C4:C6")
    ws.merge_cells("D4:D6")
    path = tmp_path / "roster.xlsx"
    wb.save(path)
    lines = read_roster(path)
    assert [ln.line for ln in lines] == [4, 5, 6]
    report = import_roster_file(session=session, settings=store_settings, path=path)
    assert report.errors == [] and report.members_created == 3
    branch = session.exec(select(Organisation).where(Organisation.name == "红星村党支部")).one()
    assert branch.has_committee is True  # the sheet says so, though it has fewer than 7 正式 members
    assert _members(session)["张建国"].phone == "13800000001"  # a float cell read back as digits


def test_committee_derived_from_full_members(session: Session, make_settings: object, tmp_path: Path) -> None:
    settings: Settings = make_settings(committee_min_full_members=3)  # type: ignore[operator]
    report = import_roster_file(session=session, settings=settings, path=_write_csv(tmp_path / "r.csv", ROWS))
    assert report.errors == []
    branch = session.exec(select(Organisation).where(Organisation.name == "红星村党支部")).one()
    assert branch.has_committee is False  # 2 正式 + 1 预备
    rows = [*ROWS, ["某县委", "城关镇党委", "红星村党支部", "", "新党员", "正式", "", ""]]
    import_roster_file(session=session, settings=settings, path=_write_csv(tmp_path / "r2.csv", rows))
    session.refresh(branch)
    assert branch.has_committee is True


def test_deactivate_missing(session: Session, store_settings: Settings, tmp_path: Path) -> None:
    import_roster_file(session=session, settings=store_settings, path=_write_csv(tmp_path / "r.csv", ROWS))
    report = import_roster_file(
        session=session,
        settings=store_settings,
        path=_write_csv(tmp_path / "r2.csv", ROWS[:2]),
        deactivate_missing=True,
    )
    assert report.members_deactivated == 1  # 王小明 (same branch); other branches untouched
    inactive = list(session.exec(select(Member.name).where(col(Member.active).is_(False))))
    assert inactive == ["王小明"]


def test_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(RosterFormatError):
        read_roster(tmp_path / "x.csv")
    (tmp_path / "x.txt").write_text("", encoding="utf-8")
    with pytest.raises(RosterFormatError):
        read_roster(tmp_path / "x.txt")


def test_roster_command(
    engine: object, store_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser()
    roster_command.add_arguments(parser)
    path = _write_csv(tmp_path / "r.csv", ROWS)
    assert roster_command.run(parser.parse_args(["import", str(path), "--dry-run"]), store_settings) == 0
    assert "试运行" in capsys.readouterr().out
    assert roster_command.run(parser.parse_args(["import", str(path)]), store_settings) == 0
    out = capsys.readouterr().out
    assert "新增党员 6 人" in out
    assert roster_command.run(parser.parse_args(["import", str(path)]), store_settings) == 0
    assert "无变化 6 人" in capsys.readouterr().out
