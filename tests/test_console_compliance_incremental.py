"""The console's compliance view: rows for the shown period only, patched per branch after a write, and
identical to a view built from the whole report; keyset pages of the record list."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.compliance_bench import generate
from bot.console.accounts import Principal
from bot.console.compliance_view import build_view, shift_month
from bot.console.queries import RecordFilter, data_fingerprint, list_records, parse_cursor
from bot.console.views_compliance import _build, _update
from bot.settings import Settings
from bot.store.compliance import compute_compliance
from bot.store.models import ActivityRecord, AuditEvent
from bot.store.periods import parse_period

AS_OF = date(2027, 1, 20)


def _same(a: object, b: object) -> None:
    from bot.console.compliance_view import ComplianceView

    assert isinstance(a, ComplianceView) and isinstance(b, ComplianceView)
    assert a.types == b.types and a.trend == b.trend and a.share == b.share and a.failing == b.failing
    assert [(x.branch_id, x.compliant, x.cells) for x in a.lines] == [
        (y.branch_id, y.compliant, y.cells) for y in b.lines
    ]


def _full_view(session: Session, settings: Settings, root: int, label: str) -> object:
    p = parse_period(label)
    last = p.months[-1]
    first = min(p.months[0], shift_month(last, -11))
    report = compute_compliance(
        session=session, settings=settings, root_id=root, first_month=first, last_month=last, as_of=AS_OF
    )
    return build_view(report, p, 12)


def test_page_report_and_incremental_update(store_settings: Settings, engine: Engine, monkeypatch: object) -> None:
    import bot.console.views_compliance as vc

    county = generate(engine, branches=40)
    real = vc.compute_compliance

    def fixed(**kw: object) -> object:
        kw.setdefault("as_of", AS_OF)
        return real(**kw)  # type: ignore[arg-type]

    monkeypatch.setattr(vc, "compute_compliance", fixed)  # type: ignore[attr-defined]
    for late_ok in (False, True):
        settings = store_settings.model_copy(update={"compliance_late_is_compliant": late_ok})
        for label in ("2026-12", "2026Q3", "2026-06"):
            p = parse_period(label)
            with Session(engine) as s:
                since = data_fingerprint(session=s)
                view = _build(session=s, settings=settings, root_id=county, period=p, trend_months=12)
                _same(view, _full_view(s, settings, county, label))
                # drill-down rows: only those of the shown period, as the whole report has them
                wanted = set(p.months)
                full = compute_compliance(
                    session=s, settings=settings, root_id=county, first_month=view.report.first_month,
                    last_month=view.report.last_month, as_of=AS_OF,
                )  # fmt: skip
                for fb, nb in zip(full.branches, view.report.branches, strict=True):
                    assert sorted(r for r in fb.rows if wanted.intersection(r.period.months)) == sorted(nb.rows)
            # a submission in a branch without a theme day this month, and a confirmation elsewhere
            r = ActivityRecord.__table__  # type: ignore[attr-defined]
            a = AuditEvent.__table__  # type: ignore[attr-defined]
            m = p.months[-1]
            with engine.begin() as conn:
                rows = conn.execute(sa.select(r).where(r.c.is_current.is_(True)).order_by(r.c.id).limit(2)).all()
                rec = dict(rows[0]._mapping)
                rec.pop("id")
                rec.update(
                    type_code="theme_day", group_id=None, held_month=m, held_on=date(m // 100, m % 100, 3),
                    current_key=f"t:{label}:{late_ok}", late=False, status="confirmed",
                )  # fmt: skip
                conn.execute(sa.insert(r), rec)
                conn.execute(sa.update(r).where(r.c.id == rows[1].id).values(status="pending"))
                conn.execute(sa.insert(a), {"action": "x", "entity": "activity_record", "entity_id": rows[1].id})
            with Session(engine) as s:
                updated = _update(session=s, settings=settings, view=view, since=since)
                assert updated is not None
                _same(updated, _full_view(s, settings, county, label))


def test_record_list_keyset_pages(store_settings: Settings, engine: Engine) -> None:
    county = generate(engine, branches=5)
    who = Principal(
        account_id=1, login="c", display_name="c", role="county", org_id=county, org_name="c",
        org_path=f"/{county}/", org_level="county", member_id=None,
    )  # fmt: skip
    with Session(engine) as s:
        by_offset = [list_records(session=s, principal=who, flt=RecordFilter(), page=n, page_size=7) for n in (1, 2, 3)]
        first = by_offset[0]
        assert first.prev_cursor == "" and first.next_cursor
        second = list_records(
            session=s, principal=who, flt=RecordFilter(), page=2, page_size=7, after=parse_cursor(first.next_cursor)
        )
        assert [r.id for r in second.records] == [r.id for r in by_offset[1].records] and second.page == 2
        third = list_records(
            session=s, principal=who, flt=RecordFilter(), page=3, page_size=7, after=parse_cursor(second.next_cursor)
        )
        assert [r.id for r in third.records] == [r.id for r in by_offset[2].records]
        back = list_records(
            session=s, principal=who, flt=RecordFilter(), page=2, page_size=7, before=parse_cursor(third.prev_cursor)
        )
        assert [r.id for r in back.records] == [r.id for r in by_offset[1].records]
        assert parse_cursor("bad") is None and parse_cursor(None) is None
