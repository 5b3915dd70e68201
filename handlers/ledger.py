"""Reading the 台账 and organizer commands: 本月台账 / 本季度情况 / 未完成 / 确认 / 邀请码 / 达标率.

Who may ask what (the store's roles decide; refusals are logged):

| command | who |
|---|---|
| 本月台账, 本季度情况 | any bound member (own branch); county/township staff add a branch name |
| 未完成 | organizers (书记 / 副书记 / 组织委员) of the branch; staff with a branch name |
| 确认, 确认 <编号> | organizers; staff for the branches under them |
| 邀请码 | organizers; staff with a branch name |
| 达标率, 达标率 <支部名> | staff (their subtree) |
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session

from bot.dispatch import Context, Reply, Router
from bot.dispatch import filters as flt
from bot.dispatch.filters import FilterResult
from bot.settings import Settings
from bot.store import binding, checkins
from bot.store.compliance import BranchCompliance, ComplianceReport, ComplianceRow, compute_compliance
from bot.store.errors import ErrorCode, StoreError
from bot.store.models import Period
from bot.store.orgs import find_branches
from bot.store.periods import local_today, month_key, parse_period
from bot.store.service import CheckinStore
from bot.store.views import Actor, RecordView
from handlers import checkin_texts as ct

log = logging.getLogger(__name__)


def words(*choices: str) -> flt.Filter:
    """The command word alone or followed by a space and an argument (→ ``ctx.data["arg"]``)."""
    return _Words(choices)


class _Words(flt.Filter):
    def __init__(self, choices: Sequence[str]) -> None:
        alt = "|".join(re.escape(c) for c in sorted(choices, key=len, reverse=True))
        self.pattern = re.compile(rf"^(?:{alt})(?:\s+(.*))?$", re.S)

    def check(self, ctx: Context) -> FilterResult:
        m = self.pattern.match(ctx.text) if ctx.text else None
        return {"arg": (m.group(1) or "").strip()} if m else False


def _d(value: date) -> str:
    return ct.short_date(value)


def _month_label(ym: int) -> str:
    return f"{ym // 100}年{ym % 100}月"


def _prev_month(ym: int) -> int:
    y, m = divmod(ym, 100)
    return (y - 1) * 100 + 12 if m == 1 else y * 100 + m - 1


def _row_label(row: ComplianceRow) -> str:
    group = f"·{row.org_name}" if row.org_id != row.branch_id else ""
    period = row.period
    when = (
        f"{period.index}月"
        if period.kind == Period.MONTH
        else (f"第{period.index}季度" if period.kind == Period.QUARTER else f"{period.year}年")
    )
    return f"{row.type_name}{group}（{when}）"


class LedgerCommands:
    """The organizer / 台账 router of one app."""

    def __init__(self, store: CheckinStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def router(self) -> Router:
        r = Router("ledger")
        r.add(self.invite, words(*ct.INVITE_WORDS))
        r.add(self.ledger_month, words(*ct.LEDGER_MONTH_WORDS))
        r.add(self.ledger_quarter, words(*ct.LEDGER_QUARTER_WORDS))
        r.add(self.owed, words(*ct.OWED_WORDS))
        r.add(self.pending, words(*ct.PENDING_WORDS))
        r.add(self.compliance, words(*ct.COMPLIANCE_WORDS))
        return r

    # --- helpers ----------------------------------------------------------------------------------------

    def today(self) -> date:
        return local_today(self.settings.timezone)

    async def _actor(self, ctx: Context) -> Actor | None:
        return await self.store.call(binding.actor_for_openid, openid=ctx.user_id)

    def _refuse(self, ctx: Context, command: str, reason: str, text: str) -> Reply:
        log.info("refused %s to %s: %s", command, ctx.user_id, reason)
        return Reply(text)

    async def _branch(self, ctx: Context, actor: Actor, command: str) -> int | Reply:
        """The branch a command is about: the actor's own; staff name one of their subtree."""
        arg = str(ctx.data.get("arg", ""))
        if not actor.is_staff:
            return actor.org_id
        if not arg:
            return Reply(ct.STAFF_WHICH_BRANCH.format(command=command))
        found = await self.store.call(find_branches, under_path=actor.org_path, name=arg)
        if not found:
            return Reply(ct.BRANCH_NOT_FOUND.format(name=arg[:20]))
        if len(found) > 1:
            return Reply(ct.BRANCH_AMBIGUOUS.format(names="、".join(n for _, n in found[:5])))
        return found[0][0]

    def _cap(self, lines: list[str]) -> list[str]:
        limit = self.settings.ledger_list_max
        if len(lines) <= limit:
            return lines
        return [*lines[:limit], ct.MORE_ITEMS.format(n=len(lines) - limit)]

    # --- 邀请码 -----------------------------------------------------------------------------------------

    async def invite(self, ctx: Context) -> Reply:
        actor = await self._actor(ctx)
        if actor is None:
            return self._refuse(ctx, "invite", "not bound", ct.error_text(StoreError(ErrorCode.NOT_BOUND)))
        if actor.is_staff and not ctx.data.get("arg"):
            return Reply(ct.INVITE_STAFF_WHICH)
        branch = await self._branch(ctx, actor, "邀请码")
        if isinstance(branch, Reply):
            return branch
        try:
            view = await self.store.call(binding.create_invite, branch_id=branch, actor=actor)
        except StoreError as exc:
            return self._refuse(ctx, "invite", exc.code.value, ct.ORGANIZER_ONLY)
        log.info("invite %s created by %s for branch %s", view.code, ctx.user_id, branch)
        return Reply(
            ct.INVITE_TEXT.format(
                branch=view.branch_name,
                code=view.code,
                hours=self.settings.invite_code_ttl_hours,
                scene=view.scene,
            )
        )

    # --- 本月台账 / 本季度情况 ----------------------------------------------------------------------------

    async def ledger_month(self, ctx: Context) -> Reply:
        today = self.today()
        ym = month_key(today)
        return await self._ledger(ctx, ym, ym, _month_label(ym))

    async def ledger_quarter(self, ctx: Context) -> Reply:
        today = self.today()
        first = today.year * 100 + 3 * ((today.month - 1) // 3) + 1
        return await self._ledger(ctx, first, month_key(today), f"{today.year}年第{(today.month - 1) // 3 + 1}季度")

    async def _ledger(self, ctx: Context, first: int, last: int, label: str) -> Reply:
        actor = await self._actor(ctx)
        if actor is None:
            return self._refuse(ctx, "ledger", "not bound", ct.error_text(StoreError(ErrorCode.NOT_BOUND)))
        branch = await self._branch(ctx, actor, "本月台账")
        if isinstance(branch, Reply):
            return branch
        today = self.today()
        report, records = await self.store.call(
            _ledger_data, branch_id=branch, first_month=first, last_month=last, today=today
        )
        bc = report.branches[0] if report.branches else None
        if bc is None:
            return Reply(ct.error_text(StoreError(ErrorCode.NOT_FOUND)))
        lines = [ct.LEDGER_TITLE.format(branch=bc.name, label=label, today=_d(today))]
        rows = sorted(bc.rows, key=lambda r: (r.period.kind != Period.MONTH, r.period.start, r.type_code))
        seen_na: set[tuple[str, int]] = set()
        for row in rows:
            if row.status == "not_applicable":  # once per type, whatever the periods
                if (row.type_code, row.org_id) in seen_na:
                    continue
                seen_na.add((row.type_code, row.org_id))
            lines.append(self._row_line(row, records))
        return Reply("\n".join([lines[0], *self._cap(lines[1:]), ct.LEDGER_FOOT]))

    def _row_line(self, row: ComplianceRow, records: Sequence[RecordView]) -> str:
        status = ct.ROW_STATUS.get(row.status, row.status)
        if row.status == "not_applicable":
            return f"· {row.type_name}：{status}"
        dates = [
            _d(r.held_on)
            for r in records
            if row.type_code in (r.type_code, r.also_counts_as)
            and (row.org_id == row.branch_id or r.group_id == row.org_id)
            and row.period.start <= r.held_on <= row.period.end
        ]
        held = f"（{'、'.join(dates[:4])}）" if dates else ""
        if row.status == "open":
            return f"· {_row_label(row)}：{status}{held}，{_d(row.due)}前完成"
        if row.status == "missing":
            return f"· {_row_label(row)}：{status}（期限{_d(row.due)}）"
        return f"· {_row_label(row)}：{status}{held}"

    # --- 未完成 -------------------------------------------------------------------------------------------

    async def owed(self, ctx: Context) -> Reply:
        actor = await self._actor(ctx)
        if actor is None:
            return self._refuse(ctx, "owed", "not bound", ct.error_text(StoreError(ErrorCode.NOT_BOUND)))
        branch = await self._branch(ctx, actor, "未完成")
        if isinstance(branch, Reply):
            return branch
        if not actor.is_staff and not actor.is_organizer_of(branch):
            return self._refuse(ctx, "owed", "not organizer", ct.ORGANIZER_ONLY)
        today = self.today()
        report, _ = await self.store.call(
            _ledger_data, branch_id=branch, first_month=_prev_month(month_key(today)), last_month=month_key(today),
            today=today, with_records=False,
        )  # fmt: skip
        bc = report.branches[0]
        # Last month's items (overdue, or still within their deadline) and this month's.
        items = bc.owed()
        if not items:
            return Reply(ct.OWED_NONE.format(branch=bc.name))
        # Overdue first (they are already counted against the branch), then by due date.
        items.sort(key=lambda r: (r.status != "missing", r.due))
        lines = [
            (ct.OWED_LINE_MISSING if r.status == "missing" else ct.OWED_LINE_OPEN).format(
                label=_row_label(r), due=_d(r.due)
            )
            for r in items
        ]
        return Reply("\n".join([ct.OWED_TITLE.format(branch=bc.name, today=_d(today)), *self._cap(lines)]))

    # --- 确认 ---------------------------------------------------------------------------------------------

    async def pending(self, ctx: Context) -> Reply:
        arg = str(ctx.data.get("arg", "")).lstrip("#＃").strip()
        if arg:
            if not arg.isdigit():
                return Reply(ct.error_text(StoreError(ErrorCode.NOT_FOUND)))
            try:
                view = await self.store.call(checkins.confirm_record, openid=ctx.user_id, record_id=int(arg))
            except StoreError as exc:
                if exc.code in (ErrorCode.FORBIDDEN, ErrorCode.NOT_BOUND):
                    return self._refuse(ctx, "confirm", exc.code.value, ct.error_text(exc))
                return Reply(ct.error_text(exc))
            log.info("record %s confirmed by %s", view.id, ctx.user_id)
            return Reply(
                ct.CONFIRMED.format(
                    id=view.id,
                    when=_d(view.held_on),
                    type_name=view.type_name,
                    group=f"（{view.group_name}）" if view.group_name else "",
                )
            )
        try:
            views = await self.store.call(
                checkins.pending_records, openid=ctx.user_id, limit=self.settings.ledger_list_max + 1
            )
        except StoreError as exc:
            reason = exc.code.value
            text = ct.ORGANIZER_ONLY if exc.code is ErrorCode.FORBIDDEN else ct.error_text(exc)
            return self._refuse(ctx, "pending", reason, text)
        if not views:
            return Reply(ct.PENDING_NONE)
        lines = [
            ct.PENDING_LINE.format(
                id=v.id,
                when=_d(v.held_on),
                type_name=v.type_name,
                group=f"（{v.group_name}）" if v.group_name else "",
                expected=v.expected,
                present=v.present,
                who=v.submitted_by_name or "",
            )
            for v in views
        ]
        return Reply("\n".join([ct.PENDING_TITLE, *self._cap(lines)]))

    # --- 达标率 -------------------------------------------------------------------------------------------

    async def compliance(self, ctx: Context) -> Reply:
        actor = await self._actor(ctx)
        if actor is None:
            return self._refuse(ctx, "compliance", "not bound", ct.error_text(StoreError(ErrorCode.NOT_BOUND)))
        if not actor.is_staff:
            return self._refuse(ctx, "compliance", f"role {actor.role}", ct.STAFF_ONLY)
        today = self.today()
        current = month_key(today)
        arg = str(ctx.data.get("arg", ""))
        month = _prev_month(current)
        if arg:
            try:
                period = parse_period(arg)
            except ValueError:
                period = None
            if period is not None and period.kind == Period.MONTH:
                month, arg = period.year * 100 + period.index, ""
        report = await self.store.call(
            compute_compliance, root_id=actor.org_id, first_month=min(month, current),
            last_month=max(month, current), as_of=today,
        )  # fmt: skip
        if arg:
            branch = await self._branch(ctx, actor, "达标率")
            if isinstance(branch, Reply):
                return branch
            return Reply(self._drill(report.branch(branch), month))
        return Reply(self._overview(report, month, current))

    def _overview(self, report: ComplianceReport, month: int, current: int) -> str:
        total = len(report.branches)
        lines = [ct.COMPLIANCE_TITLE.format(root=report.root_name)]
        months = [month] if month == current else [month, current]
        for m in months:
            ok = sum(1 for b in report.branches if b.compliant(m, late_ok=report.late_ok))
            label = _month_label(m) + ("（截至今日）" if m == current else "")
            lines.append(ct.COMPLIANCE_MONTH.format(label=label, pct=f"{report.share(m):.0%}", ok=ok, total=total))
        failing = [(b, b.failing(month, late_ok=report.late_ok)) for b in report.branches]
        failing = [(b, rows) for b, rows in failing if rows]
        if not failing:
            lines.append(ct.COMPLIANCE_ALL_OK.format(label=_month_label(month)))
        else:
            lines.append(ct.COMPLIANCE_FAILING.format(label=_month_label(month)))
            fail_lines = [
                ct.COMPLIANCE_FAIL_LINE.format(
                    branch=b.name,
                    items="、".join(f"{_row_label(r)}{ct.ROW_STATUS[r.status]}" for r in rows[:3])
                    + ("等" if len(rows) > 3 else ""),
                )
                for b, rows in failing
            ]
            lines.extend(self._cap(fail_lines))
        lines.append(ct.COMPLIANCE_FOOT)
        return "\n".join(lines)

    def _drill(self, bc: BranchCompliance, month: int) -> str:
        lines = [ct.DRILL_TITLE.format(branch=bc.name)]
        failing = bc.failing(month, late_ok=self.settings.compliance_late_is_compliant)
        label = _month_label(month)
        lines.append((ct.DRILL_MONTH_BAD if failing else ct.DRILL_MONTH_OK).format(label=label))
        lines.extend(f"· {_row_label(r)}：{ct.ROW_STATUS[r.status]}（期限{_d(r.due)}）" for r in failing)
        still_open = [r for r in bc.owed() if r.status == "open"]
        if still_open:
            lines.append(ct.DRILL_OWED)
            lines.extend(self._cap([f"· {_row_label(r)}：{_d(r.due)}前完成" for r in still_open]))
        return "\n".join(lines)


def _ledger_data(
    *,
    session: Session,
    settings: Settings,
    branch_id: int,
    first_month: int,
    last_month: int,
    today: date,
    with_records: bool = True,
) -> tuple[ComplianceReport, list[RecordView]]:
    """Compliance of one branch for the span, and its records over the periods the rows cover."""
    report = compute_compliance(
        session=session,
        settings=settings,
        root_id=branch_id,
        first_month=first_month,
        last_month=last_month,
        as_of=today,
    )
    if not with_records or not report.branches:
        return report, []
    first = min((r.period.start for r in report.branches[0].rows), default=today)
    records = checkins.branch_records(session=session, branch_id=branch_id, first=first, last=today)
    return report, records
