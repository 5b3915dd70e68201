"""Roster import: organisations and members from the Excel/CSV sheet a county already keeps.

Columns (header names, several spellings accepted; see ``docs/roster.md``): 县委, 乡镇党委, 党支部,
党小组, 姓名, 类别 (正式/预备), 职务, 手机, 状态, 支委会. The header row may follow title rows; merged
cells (a township written once for many rows) are read as filled. Re-importing updates and never
duplicates: organisations are keyed by their name path, members by name within the branch (and phone
when given). Rows with errors are reported by line number; the good rows are imported.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from bot.settings import Settings
from bot.store.models import Category, Member, Organisation, OrgLevel, Role, utcnow
from bot.store.orgs import NAME_PATH_SEP, create_org, find_by_name_path

COLUMNS: dict[str, tuple[str, ...]] = {
    "county": ("县委", "县(区)委", "县区委", "县级党委", "县委名称", "县"),
    "township": ("乡镇党委", "乡镇(街道)党委", "乡镇", "党委", "党委(党总支)", "党总支", "乡镇街道"),
    "branch": ("党支部", "支部", "支部名称", "党支部名称"),
    "group": ("党小组", "小组", "党小组名称"),
    "name": ("姓名", "党员姓名"),
    "category": ("类别", "党员类别", "人员类别", "正式/预备"),
    "role": ("职务", "党内职务", "党内职务名称"),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "电话"),
    "status": ("状态", "在册状态"),
    "committee": ("支委会", "设支委会", "是否设支委会"),
}
REQUIRED = ("county", "name")

_ROLE_WORDS: tuple[tuple[str, Role], ...] = (
    ("副书记", Role.DEPUTY_SECRETARY),
    ("书记", Role.SECRETARY),
    ("组织委员", Role.ORGANIZER),
    ("小组长", Role.GROUP_LEADER),
    ("组长", Role.GROUP_LEADER),
    ("组织员", Role.STAFF),
    ("组织部", Role.STAFF),
    ("组织干事", Role.STAFF),
    ("党建办", Role.STAFF),
)
_ROLE_RANK = {
    Role.STAFF: 0, Role.SECRETARY: 1, Role.DEPUTY_SECRETARY: 2, Role.ORGANIZER: 3,
    Role.GROUP_LEADER: 4, Role.MEMBER: 5,
}  # fmt: skip
_INACTIVE_WORDS = ("停用", "转出", "离开", "去世", "死亡", "出党", "除名", "退出", "注销", "无效")
_YES = {"是", "有", "设", "y", "yes", "true", "1", "√"}
_NO = {"否", "无", "不设", "n", "no", "false", "0", "×"}
_PHONE_RE = re.compile(r"^(1\d{10}|0\d{9,11}|\d{7,8})$")


@dataclass(frozen=True, slots=True)
class RosterLine:
    """One data row as read (``line``: the row number in the sheet, 1-based, header included)."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class RosterIssue:
    line: int
    message: str


@dataclass(slots=True)
class ImportReport:
    rows: int = 0
    orgs_created: int = 0
    orgs_updated: int = 0
    members_created: int = 0
    members_updated: int = 0
    members_unchanged: int = 0
    members_deactivated: int = 0
    errors: list[RosterIssue] = field(default_factory=list)
    warnings: list[RosterIssue] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.members_created + self.members_updated + self.members_unchanged

    def summary(self) -> str:
        """A short Chinese summary for the operator."""
        lines = [
            f"读取 {self.rows} 行：新增党员 {self.members_created} 人，更新 {self.members_updated} 人，"
            f"无变化 {self.members_unchanged} 人，停用 {self.members_deactivated} 人；"
            f"新增组织 {self.orgs_created} 个，更新组织 {self.orgs_updated} 个；错误 {len(self.errors)} 行。"
        ]
        lines += [f"第 {e.line} 行：{e.message}" for e in self.errors]
        lines += [f"第 {w.line} 行（提示）：{w.message}" for w in self.warnings]
        return "\n".join(lines)


class RosterFormatError(ValueError):
    """The file cannot be read as a roster at all (no header row, unknown format)."""


# --- reading ----------------------------------------------------------------------------------------------


def _norm_header(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).strip()
    return re.sub(r"\s+", "", t).replace("（", "(").replace("）", ")")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # phone numbers typed into Excel become floats
    return unicodedata.normalize("NFKC", str(value)).strip()


_ALIASES = {_norm_header(alias): key for key, aliases in COLUMNS.items() for alias in aliases}


def _header_map(row: Sequence[str]) -> dict[int, str] | None:
    mapping: dict[int, str] = {}
    for i, text in enumerate(row):
        key = _ALIASES.get(_norm_header(text))
        if key is not None and key not in mapping.values():
            mapping[i] = key
    return mapping if all(k in mapping.values() for k in REQUIRED) else None


def _lines(rows: Iterable[Sequence[Any]]) -> list[RosterLine]:
    header: dict[int, str] | None = None
    out: list[RosterLine] = []
    for number, raw in enumerate(rows, start=1):
        cells = [_cell(v) for v in raw]
        if header is None:
            header = _header_map(cells)
            if header is None and number >= 20:
                break
            continue
        if not any(cells):
            continue
        values = {key: (cells[i] if i < len(cells) else "") for i, key in header.items()}
        out.append(RosterLine(number, values))
    if header is None:
        raise RosterFormatError("未找到表头行（至少需要“县委”和“姓名”两列）")
    return out


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFormatError("CSV 文件编码无法识别（请用 UTF-8 或 GB18030/GBK 保存）")


def read_roster(path: Path, *, sheet: str | None = None) -> list[RosterLine]:
    """Read the data rows of a ``.xlsx`` or ``.csv`` roster."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = _decode(path.read_bytes())
        return _lines(csv.reader(io.StringIO(text, newline="")))
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, data_only=True)  # not read-only: merged cells must be resolved
        try:
            ws = wb[sheet] if sheet else wb.worksheets[0]
            grid = [list(r) for r in ws.iter_rows(values_only=True)]
            for rng in ws.merged_cells.ranges:
                top = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(grid) else None
                for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
                    for c in range(rng.min_col - 1, rng.max_col):
                        if c < len(grid[r]):
                            grid[r][c] = top
            return _lines(grid)
        finally:
            wb.close()
    raise RosterFormatError(f"不支持的文件类型 {suffix}（请用 .xlsx 或 .csv）")


# --- importing --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    orgs: list[tuple[OrgLevel, str]]  # county [, township] [, branch] [, group]
    name: str
    category: Category
    role: Role
    phone: str | None
    active: bool
    committee: bool | None
    warnings: tuple[str, ...]


def _org_name(text: str) -> str:
    # The name path uses "/" as its separator.
    return text.replace(NAME_PATH_SEP, "／")[:100]


def _parse_row(values: dict[str, str]) -> _Row:
    """Validate one row; ValueError carries the (Chinese) message for the report."""
    warnings: list[str] = []
    name = re.sub(r"\s+", "", values.get("name", ""))
    if not name:
        raise ValueError("缺少姓名")
    if len(name) > 50:
        raise ValueError("姓名过长")
    county = values.get("county", "")
    if not county:
        raise ValueError("缺少县委")
    township, branch, group = values.get("township", ""), values.get("branch", ""), values.get("group", "")

    cat_text = values.get("category", "")
    if not cat_text or cat_text.startswith("正式"):
        category = Category.FULL
    elif cat_text.startswith("预备"):
        category = Category.PROBATIONARY
    else:
        raise ValueError(f"类别“{cat_text}”无法识别（填 正式 或 预备）")

    role = Role.MEMBER
    role_text = values.get("role", "")
    for part in re.split(r"[、，,/；;\s]+", role_text):
        if not part:
            continue
        found = next((r for word, r in _ROLE_WORDS if word in part), None)
        if found is None:
            if part not in ("党员", "委员") and not part.endswith("委员"):
                warnings.append(f"职务“{part}”按普通党员处理")
            continue
        if _ROLE_RANK[found] < _ROLE_RANK[role]:
            role = found

    phone_text = re.sub(r"[\s\-－()（）+]", "", values.get("phone", ""))
    if phone_text.startswith("86") and len(phone_text) == 13:
        phone_text = phone_text[2:]
    phone: str | None = None
    if phone_text:
        if not _PHONE_RE.match(phone_text):
            raise ValueError(f"手机号“{values.get('phone', '')}”格式不对")
        phone = phone_text

    status = values.get("status", "")
    active = not any(w in status for w in _INACTIVE_WORDS)

    committee_text = values.get("committee", "").lower()
    committee: bool | None = None
    if committee_text in _YES:
        committee = True
    elif committee_text in _NO:
        committee = False
    elif committee_text:
        raise ValueError(f"支委会“{values.get('committee', '')}”无法识别（填 是 或 否）")

    orgs: list[tuple[OrgLevel, str]] = [(OrgLevel.COUNTY, _org_name(county))]
    if township:
        orgs.append((OrgLevel.TOWNSHIP, _org_name(township)))
    if branch:
        orgs.append((OrgLevel.BRANCH, _org_name(branch)))
        if group:
            orgs.append((OrgLevel.GROUP, _org_name(group)))
    else:
        if group:
            raise ValueError("填了党小组但缺少党支部")
        if role != Role.STAFF:
            raise ValueError("缺少党支部（只有组织部门工作人员可以不填）")
    if role == Role.GROUP_LEADER and not group:
        warnings.append("党小组长未填党小组")
    if role == Role.STAFF and branch:
        raise ValueError("组织部门工作人员请不要填党支部")
    return _Row(orgs, name, category, role, phone, active, committee, tuple(warnings))


class _Importer:
    def __init__(self, session: Session, settings: Settings, report: ImportReport) -> None:
        self.session = session
        self.settings = settings
        self.report = report
        self.orgs: dict[str, Organisation] = {}
        self.members: dict[int, list[Member]] = {}
        self.seen_members: dict[int, set[int]] = {}
        self.committee: dict[int, bool] = {}

    def _existing_org(self, name_path: str) -> Organisation | None:
        org = self.orgs.get(name_path)
        if org is None:
            org = find_by_name_path(session=self.session, name_path=name_path)
            if org is not None:
                self.orgs[name_path] = org
        return org

    def members_of(self, org_id: int) -> list[Member]:
        if org_id not in self.members:
            self.members[org_id] = list(self.session.exec(select(Member).where(Member.org_id == org_id)))
        return self.members[org_id]

    def upsert(self, row: _Row) -> None:
        """Check the row against the database first (ValueError: nothing written), then write it.

        Two phases instead of a SAVEPOINT per row: pysqlite's legacy transactions commit on RELEASE."""
        # Phase 1: read only.
        paths: list[tuple[OrgLevel, str, str]] = []
        parent_path = ""
        for level, name in row.orgs:
            name_path = f"{parent_path}{NAME_PATH_SEP}{name}" if parent_path else name
            existing = self._existing_org(name_path)
            if existing is not None and existing.level != level:
                raise ValueError(f"“{name_path}”已作为其他层级的组织存在")
            paths.append((level, name, name_path))
            parent_path = name_path
        home_index = next(
            (i for i, (lvl, _, _) in enumerate(paths) if lvl == OrgLevel.BRANCH), len(paths) - 1
        )
        home_existing = self._existing_org(paths[home_index][2])
        candidates: list[Member] = []
        if home_existing is not None and home_existing.id is not None:
            candidates = [m for m in self.members_of(home_existing.id) if m.name == row.name]
        member: Member | None = None
        if row.phone:
            member = next((m for m in candidates if m.phone == row.phone), None)
            if member is None:
                without = [m for m in candidates if not m.phone]
                member = without[0] if len(without) == 1 else None
        else:
            if len(candidates) > 1:
                raise ValueError(f"本支部有 {len(candidates)} 个“{row.name}”，请填写手机号区分")
            member = candidates[0] if candidates else None
        if member is not None and member.id in self.seen_members.get(member.org_id, set()):
            raise ValueError(f"与前面一行重复（{row.name}）")

        # Phase 2: write.
        chain: list[Organisation] = []
        parent: Organisation | None = None
        for level, name, name_path in paths:
            org = self._existing_org(name_path)
            if org is None:
                org = create_org(session=self.session, name=name, level=level, parent=parent)
                self.orgs[name_path] = org
                self.report.orgs_created += 1
            elif not org.active:
                org.active = True
                self.session.add(org)
                self.report.orgs_updated += 1
            chain.append(org)
            parent = org
        home = chain[home_index]
        group = chain[-1] if chain[-1].level == OrgLevel.GROUP else None
        assert home.id is not None
        if home.level == OrgLevel.BRANCH and row.committee is not None:
            self.committee[home.id] = row.committee
        fields: dict[str, Any] = {
            "category": row.category.value,
            "role": row.role.value,
            "group_id": group.id if group else None,
            "active": row.active,
        }
        if row.phone:
            fields["phone"] = row.phone
        if member is None:
            member = Member(name=row.name, org_id=home.id, **{**fields, "phone": row.phone})
            self.session.add(member)
            self.session.flush()
            self.members_of(home.id).append(member)
            self.report.members_created += 1
        else:
            changed = {k: v for k, v in fields.items() if getattr(member, k) != v}
            if changed:
                for k, v in changed.items():
                    setattr(member, k, v)
                member.updated_at = utcnow()
                self.session.add(member)
                self.session.flush()
                self.report.members_updated += 1
            else:
                self.report.members_unchanged += 1
        assert member.id is not None
        self.seen_members.setdefault(home.id, set()).add(member.id)

    def finish(self, *, deactivate_missing: bool) -> None:
        branch_ids = [o.id for o in self.orgs.values() if o.level == OrgLevel.BRANCH and o.id is not None]
        if deactivate_missing:
            for org_id, seen in self.seen_members.items():
                for m in self.members_of(org_id):
                    if m.active and m.id not in seen:
                        m.active = False
                        m.updated_at = utcnow()
                        self.session.add(m)
                        self.report.members_deactivated += 1
        self.session.flush()
        full_counts = dict(
            self.session.exec(
                select(Member.org_id, func.count())
                .where(
                    col(Member.org_id).in_(branch_ids),
                    col(Member.active).is_(True),
                    Member.category == Category.FULL.value,
                )
                .group_by(col(Member.org_id))
            ).all()
        )
        for org in self.orgs.values():
            if org.level != OrgLevel.BRANCH or org.id is None:
                continue
            # 条例 Art. 12: a branch with 7 or more 正式党员 sets up a committee (unless the sheet says).
            wanted = self.committee.get(
                org.id, full_counts.get(org.id, 0) >= self.settings.committee_min_full_members
            )
            if org.has_committee != wanted:
                org.has_committee = wanted
                self.session.add(org)
                self.report.orgs_updated += 1


def import_roster(
    *,
    session: Session,
    settings: Settings,
    lines: Sequence[RosterLine],
    deactivate_missing: bool = False,
    commit: bool = True,
) -> ImportReport:
    """Import ``lines`` (from :func:`read_roster`). A bad row is reported and skipped (checked before
    anything of it is written), the others are kept. ``deactivate_missing`` marks members of the
    imported branches who are absent from the file as inactive. Commits (``commit=False``: the caller
    decides, e.g. a dry run rolls back)."""
    report = ImportReport(rows=len(lines))
    importer = _Importer(session, settings, report)
    for line in lines:
        try:
            row = _parse_row(line.values)
        except ValueError as exc:
            report.errors.append(RosterIssue(line.line, str(exc)))
            continue
        try:
            importer.upsert(row)
        except ValueError as exc:
            report.errors.append(RosterIssue(line.line, str(exc)))
            continue
        report.warnings.extend(RosterIssue(line.line, w) for w in row.warnings)
    importer.finish(deactivate_missing=deactivate_missing)
    if commit:
        session.commit()
    else:
        session.flush()
    return report


def import_roster_file(
    *,
    session: Session,
    settings: Settings,
    path: Path,
    sheet: str | None = None,
    deactivate_missing: bool = False,
) -> ImportReport:
    """Read and import a roster file (see :func:`read_roster`, :func:`import_roster`)."""
    return import_roster(
        session=session,
        settings=settings,
        lines=read_roster(path, sheet=sheet),
        deactivate_missing=deactivate_missing,
    )
