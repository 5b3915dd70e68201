r"""Compliance speed: 1,000 branches × 12 months must be computed in ≤ 1 s.

    .venv/bin/python -m bench.compliance_bench [--branches 1000] [--repeat 5]
    DJ_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
        .venv/bin/python -m bench.compliance_bench

Builds a county (10 townships, ``--branches`` branches, about half with 党小组 and 60 % with a 支委会)
and a year of records (~45 per branch) in a temporary SQLite file migrated with Alembic (and in a
throw-away PostgreSQL schema when ``DJ_TEST_POSTGRES_URL`` is set), then times ``compute_compliance``
over January–December.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.db import make_engine
from bot.settings import Settings
from bot.store.compliance import ComplianceReport, compute_compliance
from bot.store.migrate import upgrade
from bot.store.models import ActivityRecord, Organisation


def generate(engine: Engine, *, branches: int = 1000, year: int = 2026, seed: int = 4) -> int:
    """Insert the organisations and a year of records; returns the county's id."""
    rnd = random.Random(seed)
    orgs: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    now = datetime(year, 12, 31, tzinfo=UTC)
    next_id = 1

    def org(name: str, level: str, parent: dict[str, Any] | None, committee: bool = False) -> dict[str, Any]:
        nonlocal next_id
        row = {
            "id": next_id,
            "name": name,
            "level": level,
            "parent_id": parent["id"] if parent else None,
            "path": f"{parent['path'] if parent else '/'}{next_id}/",
            "name_path": f"{parent['name_path']}/{name}" if parent else name,
            "depth": parent["depth"] + 1 if parent else 0,
            "has_committee": committee,
            "active": True,
            "created_at": now,
        }
        next_id += 1
        orgs.append(row)
        return row

    def record(
        branch: dict[str, Any], type_code: str, held: date, group: dict[str, Any] | None = None
    ) -> None:
        gid = group["id"] if group else None
        delay = timedelta(days=rnd.choice((0, 1, 5)))
        submitted = datetime(held.year, held.month, held.day, tzinfo=UTC) + delay
        records.append({
            "branch_id": branch["id"], "group_id": gid, "type_code": type_code, "held_on": held,
            "held_month": held.year * 100 + held.month, "start_time": None, "place": "村部", "host": "书记",
            "recorder": "组织委员", "topic": "学习", "expected": 20, "present": 18, "summary": "",
            "decisions": "", "also_counts_as": None, "submitted_by": None, "submitted_at": submitted,
            "status": "confirmed", "late": rnd.random() < 0.05, "confirmed_by": None, "confirmed_at": None,
            "version": 1, "supersedes_id": None, "is_current": True,
            "current_key": f"{branch['id']}:{type_code}:{held.isoformat()}:{gid or 0}",
        })  # fmt: skip

    county = org("基准县委", "county", None)
    townships = [org(f"乡镇{i:02d}党委", "township", county) for i in range(10)]
    for b in range(branches):
        branch = org(f"村{b:04d}党支部", "branch", townships[b % 10], committee=rnd.random() < 0.6)
        groups = [org(f"第{g + 1}党小组", "group", branch) for g in range(rnd.choice((0, 0, 2, 3)))]
        for month in range(1, 13):
            day = rnd.randint(1, 28)
            if rnd.random() < 0.95:
                record(branch, "theme_day", date(year, month, day))
            if branch["has_committee"] and rnd.random() < 0.9:
                record(branch, "committee", date(year, month, min(28, day + 1)))
            for g in groups:
                if rnd.random() < 0.85:
                    record(branch, "group_meeting", date(year, month, min(28, day + 2)), g)
            if month % 3 == 0:
                if rnd.random() < 0.9:
                    record(branch, "general_meeting", date(year, month, 10))
                if rnd.random() < 0.85:
                    record(branch, "lecture", date(year, month, 12))
        if rnd.random() < 0.8:
            record(branch, "life_meeting", date(year, 12, 15))
    org_table = Organisation.__table__  # type: ignore[attr-defined]
    rec_table = ActivityRecord.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(sa.insert(org_table), orgs)
        for i in range(0, len(records), 5000):
            conn.execute(sa.insert(rec_table), records[i : i + 5000])
        if conn.dialect.name == "postgresql":
            conn.execute(
                sa.text("SELECT setval(pg_get_serial_sequence('org', 'id'), (SELECT max(id) FROM org))")
            )
    return int(county["id"])


def time_compliance(engine: Engine, settings: Settings, county_id: int, *, year: int = 2026,
                    repeat: int = 5) -> tuple[float, ComplianceReport]:  # fmt: skip
    """Best wall time of ``repeat`` runs of a January–December report, and the report."""
    best = float("inf")
    report: ComplianceReport | None = None
    for _ in range(repeat):
        with Session(engine) as session:
            t0 = time.perf_counter()
            report = compute_compliance(
                session=session, settings=settings, root_id=county_id, first_month=year * 100 + 1,
                last_month=year * 100 + 12, as_of=date(year + 1, 1, 20),
            )  # fmt: skip
            report.monthly_shares()
            best = min(best, time.perf_counter() - t0)
    assert report is not None
    return best, report


def _run(label: str, settings: Settings, branches: int, repeat: int) -> None:
    upgrade(settings)
    engine = make_engine(settings)
    try:
        t0 = time.perf_counter()
        county = generate(engine, branches=branches)
        gen = time.perf_counter() - t0
        with engine.connect() as conn:
            n = conn.execute(sa.text("SELECT count(*) FROM activity_record")).scalar()
        best, report = time_compliance(engine, settings, county, repeat=repeat)
        rows = sum(len(b.rows) for b in report.branches)
        print(
            f"{label}: {len(report.branches)} branches × 12 months, {n} records, {rows} 台账 rows: "
            f"compliance in {best * 1000:.0f} ms (best of {repeat}); year share {report.share():.1%}; "
            f"data generated in {gen:.1f} s"
        )
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/bench.sqlite3")  # type: ignore[call-arg]
        _run("SQLite", settings, args.branches, args.repeat)
    pg = os.environ.get("DJ_TEST_POSTGRES_URL", "")
    if pg:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(pg)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        try:
            sep = "&" if "?" in pg else "?"
            settings = Settings(_env_file=None, database_url=f"{pg}{sep}options=-csearch_path%3D{schema}")  # type: ignore[call-arg]
            _run("PostgreSQL", settings, args.branches, args.repeat)
        finally:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
