"""The 台账 as an Excel workbook: a summary sheet, then one sheet per branch (or per month).

Every text cell is written as a string: a topic typed as ``=HYPERLINK(...)`` stays text in Excel
(no formula injection from WeChat input).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from sqlmodel import Session, col, select

from bot.settings import Settings
from bot.store.checkins import record_views
from bot.store.compliance import STATUS_ZH, ComplianceReport, ComplianceRow, compute_compliance
from bot.store.models import ActivityRecord, Organisation, RecordStatus
from bot.store.orgs import get_org
from bot.store.periods import PeriodRef, months_between
from bot.store.views import RecordView

Layout = Literal["branch", "month"]

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class LedgerResult:
    path: Path
    sheets: int
    branches: int
    records: int
    share: float


def _sheet_title(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", name).strip("'")[:28] or "sheet"
    title, n = base, 2
    while title.lower() in used:
        title = f"{base[:25]}({n})"
        n += 1
    used.add(title.lower())
    return title


def _put(ws: Any, row: int, column: int, value: Any) -> None:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if value.startswith(_FORMULA_START):
            cell.quotePrefix = True
    else:
        cell.value = value


def _row(ws: Any, row: int, values: list[Any], bold: bool = False) -> None:
    from openpyxl.styles import Font

    for i, v in enumerate(values, start=1):
        _put(ws, row, i, v)
        if bold:
            ws.cell(row=row, column=i).font = Font(bold=True)


def _records_in(
    *, session: Session, root: Organisation, first: date, last: date
) -> dict[int, list[RecordView]]:
    recs = list(
        session.exec(
            select(ActivityRecord)
            .join(Organisation, col(Organisation.id) == col(ActivityRecord.branch_id))
            .where(
                col(Organisation.path).startswith(root.path, autoescape=True),
                col(ActivityRecord.is_current).is_(True),
                col(ActivityRecord.held_on) >= first,
                col(ActivityRecord.held_on) <= last,
            )
            .order_by(col(ActivityRecord.held_on), col(ActivityRecord.id))
        )
    )
    out: dict[int, list[RecordView]] = defaultdict(list)
    for v in record_views(session=session, records=recs):
        out[v.branch_id].append(v)
    return out


_STATUS_HEADERS = ["组织", "活动类型", "周期", "要求次数", "按时", "逾期", "状态", "截止日期"]
_RECORD_HEADERS = [
    "日期", "时间", "类型", "党小组", "地点", "主持人", "记录人", "议题", "应到", "实到", "缺席（原因）",
    "内容摘要", "决议", "照片数", "状态", "逾期", "版本", "提交人", "提交时间",
]  # fmt: skip


def _status_line(r: ComplianceRow) -> list[Any]:
    return [
        r.org_name, r.type_name, r.period.label_zh, r.required, r.on_time, r.late,
        STATUS_ZH[r.status], r.due.isoformat(),
    ]  # fmt: skip


def _record_line(v: RecordView, tz: str) -> list[Any]:
    absent = "、".join(f"{a.name}（{a.reason}）" if a.reason else a.name for a in v.absentees)
    return [
        v.held_on.isoformat(),
        v.start_time.strftime("%H:%M") if v.start_time else "",
        v.type_name,
        v.group_name or "",
        v.place,
        v.host,
        v.recorder,
        v.topic,
        v.expected,
        v.present,
        absent,
        v.summary,
        v.decisions,
        len(v.photos),
        "已确认" if v.status == RecordStatus.CONFIRMED else "待确认",
        "是" if v.late else "",
        v.version,
        v.submitted_by_name or "",
        _local_time(v.submitted_at, tz),
    ]


def _local_time(moment: datetime, tz: str) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def export_ledger(
    *,
    session: Session,
    settings: Settings,
    root_id: int,
    period: PeriodRef,
    out: Path,
    layout: Layout = "branch",
    as_of: date | None = None,
) -> LedgerResult:
    """Write the 台账 of every branch under ``root_id`` for ``period`` (a month, quarter or year)."""
    from openpyxl import Workbook

    root = get_org(session=session, org_id=root_id)
    months = months_between(int(period.months[0]), int(period.months[-1]))
    report: ComplianceReport = compute_compliance(
        session=session, settings=settings, root_id=root_id, first_month=months[0], last_month=months[-1],
        as_of=as_of,
    )  # fmt: skip
    records = _records_in(session=session, root=root, first=period.start, last=period.end)
    in_span = set(months)

    wb = Workbook()
    summary = wb.active
    used: set[str] = set()
    summary.title = _sheet_title("汇总", used)
    _row(summary, 1, [f"{root.name} 三会一课台账（{period.label_zh}）"], bold=True)
    _row(summary, 2, [f"统计日期：{report.as_of.isoformat()}（北京时间）"])
    _row(summary, 3, [f"达标率：{report.share():.1%}（{len(report.branches)} 个党支部）"])
    _row(summary, 5, ["党支部", "组织路径", "是否达标", "未完成事项", "记录数"], bold=True)
    for i, b in enumerate(report.branches, start=6):
        failing = b.failing(late_ok=report.late_ok)
        _row(
            summary,
            i,
            [
                b.name,
                b.name_path,
                "达标" if not failing else "未达标",
                "；".join(
                    f"{r.org_name}{r.type_name}（{r.period.label_zh}，{STATUS_ZH[r.status]}）"
                    for r in failing
                ),
                len(records.get(b.branch_id, [])),
            ],
        )

    sheets = 1
    if layout == "branch":
        for b in report.branches:
            ws = wb.create_sheet(_sheet_title(b.name, used))
            sheets += 1
            _row(ws, 1, [b.name_path], bold=True)
            _row(
                ws, 2, [f"{period.label_zh} · {'达标' if b.compliant(late_ok=report.late_ok) else '未达标'}"]
            )
            _row(ws, 4, _STATUS_HEADERS, bold=True)
            r = 5
            for line in b.rows:
                if line.judged_month in in_span or set(line.period.months) & in_span:
                    _row(ws, r, _status_line(line))
                    r += 1
            r += 1
            _row(ws, r, _RECORD_HEADERS, bold=True)
            for v in records.get(b.branch_id, []):
                r += 1
                _row(ws, r, _record_line(v, settings.timezone))
    else:
        type_names: dict[str, str] = {}
        for b in report.branches:
            for line in b.rows:
                type_names.setdefault(line.type_code, line.type_name)
        for m in months:
            ws = wb.create_sheet(_sheet_title(f"{m // 100}年{m % 100}月", used))
            sheets += 1
            _row(ws, 1, ["党支部", "是否达标", *type_names.values()], bold=True)
            for i, b in enumerate(report.branches, start=2):
                cells: list[Any] = [b.name, "达标" if b.compliant(m, late_ok=report.late_ok) else "未达标"]
                for code in type_names:
                    rows = [x for x in b.rows if x.type_code == code and m in x.period.months]
                    cells.append("、".join(sorted({STATUS_ZH[x.status] for x in rows})) if rows else "")
                _row(ws, i, cells)
            start = len(report.branches) + 3
            _row(ws, start, ["党支部", *_RECORD_HEADERS], bold=True)
            n = start
            for b in report.branches:
                for v in records.get(b.branch_id, []):
                    if v.held_on.year * 100 + v.held_on.month == m:
                        n += 1
                        _row(ws, n, [b.name, *_record_line(v, settings.timezone)])
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return LedgerResult(
        out, sheets, len(report.branches), sum(len(v) for v in records.values()), report.share()
    )
