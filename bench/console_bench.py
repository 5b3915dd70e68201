r"""Web console speed: the compliance page of a county with 1,000 branches × 12 months of records
(p99 ≤ 200 ms, server-side, through HTTP on loopback) and the paginated record list.

    .venv/bin/python -m bench.console_bench [--branches 1000] [--requests 200]
    DJ_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.console_bench

Builds the county of ``bench.compliance_bench`` (10 townships, ~38,000 records over 2026) in a temporary
SQLite file (or a throw-away PostgreSQL schema), creates a county console account, starts the real app
(``create_app``, knowledge service stubbed) on 127.0.0.1, signs in, then times sequential GETs:

* the compliance page for December 2026 (1,000 branches, 12-month trend) — steady state: the report is
  cached and validated by one fingerprint query per view;
* the same page cold (the cache emptied before each view: a new process, a new day, another period;
  ``max(20, requests / 5)`` views, so that its p99 is not just the slowest of five);
* the first view right after a submission (a record and its audit event inserted before each view: the
  view recomputes only the touched branch) and right after a confirmation;
* a branch drill-down, the record list (page 1, a deep page by OFFSET and the same depth by keyset
  cursor, as the "next" links go) and a record list filtered by status.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import aiohttp
import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.compliance_bench import generate
from bot.app import create_app
from bot.console import accounts
from bot.console.web import CONSOLE
from bot.db import make_engine
from bot.settings import Settings
from bot.store.migrate import upgrade
from bot.store.models import ActivityRecord, AuditEvent
from knowledge.results import QAResult

PASSWORD = "bench-password-123"


class _StubAnswerer:
    ready = True

    def describe(self) -> dict[str, object]:
        return {"model": "stub"}

    async def ask(self, question: str) -> QAResult:
        return QAResult(question=question, found=False, answer="")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _line(label: str, ms: list[float]) -> str:
    return (
        f"{label:<44} n={len(ms):<4} p50={statistics.median(ms):7.1f} ms  p95={_pct(ms, 0.95):7.1f} ms  "
        f"p99={_pct(ms, 0.99):7.1f} ms  max={max(ms):7.1f} ms"
    )


async def _timed(http: aiohttp.ClientSession, url: str, n: int, before: object = None) -> list[float]:
    out = []
    for _ in range(n):
        if callable(before):
            done = before()
            if asyncio.iscoroutine(done):
                await done
        t0 = time.perf_counter()
        async with http.get(url) as resp:
            body = await resp.read()
            assert resp.status == 200, (resp.status, body[:300])
        out.append((time.perf_counter() - t0) * 1000)
    return out


async def _bench(settings: Settings, requests: int) -> None:
    engine = make_engine(settings)
    app = create_app(settings, answerer=_StubAnswerer(), engine=engine)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}/console"
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            page = await (await http.get(f"{base}/login")).text()
            token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            resp = await http.post(f"{base}/login", data={"csrf": token, "login": "county", "password": PASSWORD})
            assert resp.status == 200 and "compliance" in str(resp.url)
            with Session(engine) as s:
                branch_id = s.execute(sa.text("SELECT min(id) FROM org WHERE level = 'branch'")).scalar_one()
                total = s.execute(sa.text("SELECT count(*) FROM activity_record")).scalar_one()
            print(f"records: {total}")
            url = f"{base}/compliance?period=2026-12"
            t0 = time.perf_counter()
            await _timed(http, url, 1)
            print(f"first view (computes and caches the report): {(time.perf_counter() - t0) * 1000:.0f} ms")
            cache = app[CONSOLE].cache
            print(_line("compliance page, month (steady state)", await _timed(http, url, requests)))
            print(
                _line(
                    "compliance page, quarter (steady state)",
                    await _timed(http, f"{base}/compliance?period=2026Q4", requests),
                )
            )
            print(
                _line(
                    "compliance page, only failing, page 3", await _timed(http, f"{url}&only=failing&page=3", requests)
                )
            )
            print(
                _line(
                    "compliance page, cold (cache emptied)",
                    await _timed(http, url, max(20, requests // 5), cache.clear),
                )
            )
            await _timed(http, url, 1)
            rnd = random.Random(7)
            with Session(engine) as s:
                branch_ids = list(s.execute(sa.text("SELECT id FROM org WHERE level = 'branch'")).scalars())

            def submit() -> None:
                _submit(engine, rnd.choice(branch_ids))

            def confirm() -> None:
                _confirm(engine, rnd.choice(branch_ids))

            n_after = max(20, requests // 5)
            print(
                _line(
                    "compliance page, first view after a submission",
                    await _timed(http, url, n_after, lambda: asyncio.to_thread(submit)),
                )
            )
            print(
                _line(
                    "compliance page, first view after a confirmation",
                    await _timed(http, url, n_after, lambda: asyncio.to_thread(confirm)),
                )
            )
            print(
                _line(
                    "branch drill-down",
                    await _timed(http, f"{base}/compliance/branch/{branch_id}?period=2026-12", requests),
                )
            )
            print(_line("record list, page 1 (50 per page)", await _timed(http, f"{base}/records", requests)))
            print(_line("record list, page 500 (OFFSET)", await _timed(http, f"{base}/records?page=500", requests)))
            with Session(engine) as s:
                held, rid = s.execute(
                    sa.text(
                        "SELECT held_on, id FROM activity_record WHERE is_current ORDER BY held_on DESC, id DESC "
                        "LIMIT 1 OFFSET 24949"
                    )
                ).one()
            cursor = f"{held if isinstance(held, str) else held.isoformat()}_{rid}"
            print(
                _line(
                    "record list, page 500 (keyset, next link)",
                    await _timed(http, f"{base}/records?after={cursor}&page=500", requests),
                )
            )
            print(
                _line(
                    "record list, pending, 2026Q4",
                    await _timed(http, f"{base}/records?status=pending&period=2026Q4", requests),
                )
            )
            print(f"cache: {cache.hits} hits, {cache.updates} incremental updates, {cache.misses} full builds")
    finally:
        await runner.cleanup()
        engine.dispose()


def _submit(engine: Engine, branch_id: int) -> None:
    """A submission as the store writes it: a new current record and its audit event."""
    r = ActivityRecord.__table__  # type: ignore[attr-defined]
    a = AuditEvent.__table__  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    with engine.begin() as conn:
        rid = conn.execute(
            sa.insert(r).returning(r.c.id),
            {
                "branch_id": branch_id,
                "group_id": None,
                "type_code": "theme_day",
                "held_on": date(2026, 12, 20),
                "held_month": 202612,
                "place": "村部",
                "host": "书记",
                "recorder": "组织委员",
                "topic": "学习",
                "expected": 20,
                "present": 18,
                "summary": "",
                "decisions": "",
                "also_counts_as": None,
                "submitted_at": now,
                "status": "pending",
                "late": False,
                "version": 1,
                "is_current": True,
                "current_key": f"bench:{uuid.uuid4().hex}",
            },
        ).scalar_one()
        conn.execute(sa.insert(a), {"at": now, "action": "submit", "entity": "activity_record", "entity_id": rid})


def _confirm(engine: Engine, branch_id: int) -> None:
    """A confirmation: a pending record of the branch becomes confirmed, with its audit event."""
    r = ActivityRecord.__table__  # type: ignore[attr-defined]
    a = AuditEvent.__table__  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    with engine.begin() as conn:
        rid = conn.execute(
            sa.select(r.c.id).where(r.c.branch_id == branch_id, r.c.is_current.is_(True)).order_by(r.c.id).limit(1)
        ).scalar_one()
        conn.execute(sa.update(r).where(r.c.id == rid).values(status="confirmed", confirmed_at=now))
        conn.execute(sa.insert(a), {"at": now, "action": "confirm", "entity": "activity_record", "entity_id": rid})


def _prepare(settings: Settings, branches: int) -> None:
    upgrade(settings)
    engine = make_engine(settings)
    t0 = time.perf_counter()
    county_id = generate(engine, branches=branches)
    with Session(engine) as s:
        accounts.create_account(session=s, login="county", role="county", org=str(county_id), password=PASSWORD)
    engine.dispose()
    print(f"generated {branches} branches in {time.perf_counter() - t0:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    pg = os.environ.get("DJ_TEST_POSTGRES_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        common = {"data_dir": Path(tmp), "console_cookie_secure": False, "broadcast_enabled": False, "_env_file": None}
        if pg:
            schema = f"bench_{uuid.uuid4().hex[:12]}"
            admin = sa.create_engine(pg)
            with admin.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            sep = "&" if "?" in pg else "?"
            settings = Settings(database_url=f"{pg}{sep}options=-csearch_path%3D{schema}", **common)
            try:
                print("== PostgreSQL")
                _prepare(settings, args.branches)
                asyncio.run(_bench(settings, args.requests))
            finally:
                with admin.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
        else:
            settings = Settings(**common)
            print("== SQLite (WAL file)")
            _prepare(settings, args.branches)
            asyncio.run(_bench(settings, args.requests))


if __name__ == "__main__":
    main()
