"""The compliance page (达标率): branches × activity types, a 12-month trend, drill-down and 台账 export."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from aiohttp import web
from sqlmodel import Session

from bot.console import queries
from bot.console.accounts import Principal
from bot.console.compliance_view import ComplianceView, TrendPoint, build_view, shift_month, update_view
from bot.console.web import not_found, principal, render, state, store
from bot.settings import Settings
from bot.store.compliance import STATUS_ZH, compute_compliance
from bot.store.errors import StoreError
from bot.store.ledger import export_ledger
from bot.store.models import OrgLevel, Period
from bot.store.periods import PeriodRef, local_today, month_key, parse_period, period_of


def chosen_period(request: web.Request, *, allow_year: bool = False) -> PeriodRef | None:
    """The ``period`` query (``2026-11`` or ``2026Q4``; a year too when allowed); None when malformed.
    Default: the current month in Beijing time."""
    text = request.query.get("period", "").strip()
    settings = state(request).settings
    if not text:
        return period_of(local_today(settings.timezone), Period.MONTH)
    try:
        p = parse_period(text)
    except ValueError:
        return None
    if (p.kind == Period.YEAR and not allow_year) or not 2000 <= p.year <= 2100:
        return None
    return p


def _neighbours(p: PeriodRef) -> tuple[str, str]:
    if p.kind == Period.MONTH:
        prev_m, next_m = shift_month(month_key(p.start), -1), shift_month(month_key(p.start), 1)
        return f"{prev_m // 100}-{prev_m % 100:02d}", f"{next_m // 100}-{next_m % 100:02d}"
    if p.kind == Period.QUARTER:
        prev_q = PeriodRef(p.year - 1, p.kind, 4) if p.index == 1 else PeriodRef(p.year, p.kind, p.index - 1)
        next_q = PeriodRef(p.year + 1, p.kind, 1) if p.index == 4 else PeriodRef(p.year, p.kind, p.index + 1)
        return prev_q.label, next_q.label
    return str(p.year - 1), str(p.year + 1)


def _build(
    *, session: Session, settings: Settings, root_id: int, period: PeriodRef, trend_months: int
) -> ComplianceView:
    last = period.months[-1]
    first = min(period.months[0], shift_month(last, -(trend_months - 1)))
    # Rows only for the period shown (table, drill-down); the trend months are judged without rows.
    report = compute_compliance(
        session=session, settings=settings, root_id=root_id, first_month=first, last_month=last,
        rows_in=period.months,
    )  # fmt: skip
    return build_view(report, period, trend_months)


# Beyond this many touched branches, a full build is as cheap as recomputing them one by one.
_MAX_TOUCHED = 200


def _update(
    *, session: Session, settings: Settings, view: ComplianceView, since: tuple[int, ...]
) -> ComplianceView | None:
    """``view`` with the branches written since the fingerprint ``since`` recomputed (None: build anew)."""
    touched = queries.touched_branches(session=session, since=since, limit=_MAX_TOUCHED)
    if touched is None:
        return None
    report = view.report
    fresh = compute_compliance(
        session=session, settings=settings, root_id=report.root_id, first_month=report.first_month,
        last_month=report.last_month, as_of=report.as_of, branch_ids=touched, rows_in=view.period.months,
    )  # fmt: skip
    return update_view(view, fresh)


async def load_view(request: web.Request, who: Principal, period: PeriodRef) -> ComplianceView:
    """The (cached) compliance view of the principal's scope for ``period``."""
    st = state(request)
    settings = st.settings
    db = store(request)
    fingerprint = await db.call(queries.data_fingerprint)

    async def build() -> ComplianceView:
        return await db.call(_build, root_id=who.org_id, period=period, trend_months=settings.console_trend_months)

    async def update(view: ComplianceView, since: tuple[int, ...]) -> ComplianceView | None:
        return await db.call(_update, view=view, since=since)

    return await st.cache.get(
        root_id=who.org_id,
        period=period,
        as_of=local_today(settings.timezone),
        fingerprint=fingerprint,
        build=build,
        update=update,
    )


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    title: str
    colour: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    top: int
    bottom: int
    bars: tuple[Bar, ...]
    grid: tuple[tuple[float, str], ...]
    line: str


def trend_chart(points: tuple[TrendPoint, ...] | list[TrendPoint], *, width: int = 640, height: int = 220) -> Chart:
    """Geometry of the server-rendered SVG trend chart (bars of the monthly compliance rate)."""
    top, bottom, left, right = 16, 40, 36, 8
    plot_h = height - top - bottom
    step = (width - left - right) / max(1, len(points))
    bars = []
    coords = []
    for i, p in enumerate(points):
        h = plot_h * p.share
        x = left + i * step + step * 0.15
        colour = "#2e7d32" if p.share >= 0.9 else "#f9a825" if p.share >= 0.6 else "#c62828"
        bars.append(
            Bar(
                round(x, 1),
                round(top + plot_h - h, 1),
                round(step * 0.7, 1),
                round(h, 1),
                p.label,
                f"{p.share:.0%}",
                p.title,
                colour,
            )
        )
        coords.append(f"{x + step * 0.35:.1f},{top + plot_h - h:.1f}")
    grid = tuple((round(top + plot_h * (1 - g), 1), f"{g:.0%}") for g in (0.0, 0.5, 1.0))
    return Chart(width, height, top, height - bottom, tuple(bars), grid, " ".join(coords))


async def compliance_page(request: web.Request) -> web.StreamResponse:
    who = principal(request)
    settings = state(request).settings
    period = chosen_period(request)
    if period is None:
        raise web.HTTPBadRequest(text="period must look like 2026-11 or 2026Q4")
    view = await load_view(request, who, period)
    only_failing = request.query.get("only") == "failing"
    lines = [line for line in view.lines if not line.compliant] if only_failing else list(view.lines)
    size = settings.console_branch_page_size
    pages = max(1, -(-len(lines) // size))
    try:
        page = min(max(1, int(request.query.get("page", "1"))), pages)
    except ValueError:
        page = 1
    prev_p, next_p = _neighbours(period)
    month_of = period.months[-1]
    quarter = period_of(PeriodRef(month_of // 100, Period.MONTH, month_of % 100).start, Period.QUARTER)
    base = {"period": period.label, **({"only": "failing"} if only_failing else {})}
    return render(
        request,
        "compliance.html",
        {
            "title": "达标率",
            "view": view,
            "lines": lines[(page - 1) * size : page * size],
            "count": len(lines),
            "page": page,
            "pages": pages,
            "page_query": lambda n: urlencode({**base, "page": n}),
            "only_failing": only_failing,
            "prev_period": prev_p,
            "next_period": next_p,
            "month_label": f"{month_of // 100}-{month_of % 100:02d}",
            "quarter_label": quarter.label,
            "chart": trend_chart(view.trend),
            "status_zh": STATUS_ZH,
        },
    )


async def branch_page(request: web.Request) -> web.StreamResponse:
    who = principal(request)
    settings = state(request).settings
    period = chosen_period(request)
    if period is None:
        raise web.HTTPBadRequest(text="bad period")
    try:
        branch_id = int(request.match_info["branch_id"])
        await store(request).call(queries.org_in_scope, principal=who, org_id=branch_id, level=OrgLevel.BRANCH)
    except (ValueError, StoreError):
        return not_found(request, "该党支部")
    view = await load_view(request, who, period)
    try:
        b = view.report.branch(branch_id)
    except KeyError:
        return not_found(request, "该党支部")
    wanted = set(period.months)
    rows = [r for r in b.rows if wanted.intersection(r.period.months)]
    rows.sort(key=lambda r: (r.type_code, r.org_name, r.period))
    trend = [TrendPoint(p.month, 1.0 if b.compliant(p.month, late_ok=view.report.late_ok) else 0.0) for p in view.trend]
    records = await store(request).call(
        queries.branch_records_in,
        branch_id=branch_id,
        first=period.start,
        last=period.end,
        limit=settings.console_page_size,
    )
    return render(
        request,
        "branch.html",
        {
            "title": b.name,
            "branch": b,
            "view": view,
            "rows": rows,
            "trend": trend,
            "records": records,
            "compliant": all(b.compliant(m, late_ok=view.report.late_ok) for m in period.months),
            "status_zh": STATUS_ZH,
        },
    )


async def export_ledger_xlsx(request: web.Request) -> web.StreamResponse:
    """The 台账 of the principal's scope (a branch or a subtree) for the chosen period, as .xlsx."""
    who = principal(request)
    settings = state(request).settings
    period = chosen_period(request, allow_year=True)
    if period is None:
        raise web.HTTPBadRequest(text="bad period")
    root_id = who.org_id
    if "branch" in request.query:
        try:
            root_id = int(request.query["branch"])
            await store(request).call(queries.org_in_scope, principal=who, org_id=root_id, level=OrgLevel.BRANCH)
        except (ValueError, StoreError):
            return not_found(request, "该党支部")
    tmp_dir = settings.data_dir / "tmp"
    await asyncio.to_thread(tmp_dir.mkdir, parents=True, exist_ok=True)
    fd, name = await asyncio.to_thread(tempfile.mkstemp, suffix=".xlsx", dir=tmp_dir)
    out = Path(name)
    try:
        await asyncio.to_thread(_close, fd)
        await store(request).call(export_ledger, root_id=root_id, period=period, out=out)
        body = await asyncio.to_thread(out.read_bytes)
    finally:
        await asyncio.to_thread(out.unlink, missing_ok=True)
    filename = f"台账-{who.org_name if root_id == who.org_id else root_id}-{period.label}.xlsx"
    return web.Response(
        body=body,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"ledger-{period.label}.xlsx\"; filename*=UTF-8''{quote(filename)}"
            )
        },
    )


def _close(fd: int) -> None:
    import os

    os.close(fd)
