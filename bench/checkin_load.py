"""Load generator for check-in conversations through the WeChat gateway, on loopback, with signed XML.

Builds a county (``--branches`` branches × ``--members`` bound members) in a fresh database, starts the
real app in a subprocess (stub answerer, conversation state in the database), then ``--concurrency``
workers run whole conversations for distinct users: half say everything in one message
("签到 3天前开了主题党日，应到10人实到8人，缺席：张三（病假）、李四（事假），主题是…" → 确认), half answer step
by step (签到 → 主题党日 → 3天前 → 10 → 8 → topic → absentees → 确认). Every message's latency counts. Prints req/s and
p50/p95/p99 with the command line, and checks that every conversation stored exactly one record.

    python -m bench.checkin_load                                   # SQLite file (WAL)
    python -m bench.checkin_load --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import secrets
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import psutil
import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from bench.wechat_client import text_body, wait_ready
from bot.wechat.protocol import sign

TOKEN = "bench-token"
ROOT = Path(__file__).resolve().parent.parent


def _child(port: int) -> None:
    """Server process: the real app with a stub answerer (no model)."""
    from aiohttp import web

    from bot.app import create_app
    from bot.settings import Settings
    from knowledge.results import QAResult

    class Stub:
        ready = True

        def describe(self) -> dict[str, object]:
            return {"model": "stub"}

        async def ask(self, question: str) -> QAResult:
            return QAResult(question=question, found=True, answer=f"答：{question}")

    settings = Settings(port=port)
    web.run_app(create_app(settings, answerer=Stub()), host="127.0.0.1", port=port, access_log=None, print=None)


def _build_county(url: str, data_dir: str, branches: int, members: int) -> list[str]:
    """Migrate, then a county with ``branches`` branches of ``members`` bound members; returns openids."""
    from bot.db import make_engine
    from bot.settings import Settings
    from bot.store.migrate import upgrade
    from bot.store.models import Member, OrgLevel, Role, WeChatBinding
    from bot.store.orgs import create_org

    settings = Settings(database_url=url, data_dir=Path(data_dir), _env_file=None)  # type: ignore[call-arg]
    upgrade(settings)
    engine = make_engine(settings)
    openids: list[str] = []
    with Session(engine) as s:
        county = create_org(session=s, name="压测县委", level=OrgLevel.COUNTY)
        town = create_org(session=s, name="压测镇党委", level=OrgLevel.TOWNSHIP, parent=county)
        for b in range(branches):
            branch = create_org(session=s, name=f"第{b}村党支部", level=OrgLevel.BRANCH, parent=town)
            assert branch.id is not None
            for m in range(members):
                member = Member(name=f"党员{b}_{m}", org_id=branch.id, role=Role.MEMBER.value)
                s.add(member)
                s.flush()
                assert member.id is not None
                openid = f"oLoad_{b}_{m}"
                s.add(WeChatBinding(openid=openid, member_id=member.id))
                openids.append(openid)
        s.commit()
    engine.dispose()
    return openids


def _count_records(url: str) -> int:
    from bot.store.models import ActivityRecord

    engine = sa.create_engine(url)
    try:
        with Session(engine) as s:
            return int(s.exec(select(func.count()).select_from(ActivityRecord).where(
                col(ActivityRecord.is_current).is_(True))).one())  # fmt: skip
    finally:
        engine.dispose()


def _script(index: int, days_ago: int) -> list[str]:
    """One conversation: rich first message, or step by step (alternating)."""
    topic = f"学习党章第{index}次"
    if index % 2 == 0:
        absent = "缺席：张三（病假）、李四（事假）"
        return [f"签到 {days_ago}天前开了主题党日，应到10人实到8人，{absent}，主题是{topic}", "确认"]
    return ["签到", "主题党日", f"{days_ago}天前", "10", "8", topic, "张三 病假，李四 外出务工", "确认"]


async def _load(port: int, openids: list[str], concurrency: int, members: int) -> tuple[list[float], int, int, float]:
    latencies: list[float] = []
    errors = 0
    stored = 0
    ids = itertools.count(int(time.time() * 1000))
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for i, openid in enumerate(openids):
        queue.put_nowait((i, openid))
    url = f"http://127.0.0.1:{port}/wechat"

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors, stored
        while not queue.empty():
            i, openid = queue.get_nowait()
            member_index = int(openid.rsplit("_", 1)[1])
            # A distinct date per member of a branch: one record per branch × type × date.
            script = _script(i, days_ago=member_index + 1)
            text = ""
            for content in script:
                ts, nonce = str(int(time.time())), secrets.token_hex(6)
                params = {"signature": sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}
                t0 = time.perf_counter()
                try:
                    async with session.post(url, params=params, data=text_body(openid, next(ids), content)) as r:
                        text = await r.text()
                        ok = r.status == 200 and "<Content>" in text
                except aiohttp.ClientError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                if not ok:
                    errors += 1
                    break
            if "已提交" in text:
                stored += 1
            else:
                errors += 1

    conn = aiohttp.TCPConnector(limit=concurrency * 2)
    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=conn) as session:
        await asyncio.gather(*[worker(session) for _ in range(concurrency)])
    return latencies, stored, errors, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default="", help="PostgreSQL URL (a fresh schema is used and dropped)")
    # 120 × 12 users send ~7,000 messages, so the p99 rests on ~70 samples.
    parser.add_argument("--branches", type=int, default=120)
    parser.add_argument("--members", type=int, default=12, help="bound members per branch (distinct users)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--port", type=int, default=18300)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return 0
    data_dir = tempfile.mkdtemp(prefix="djcheckin")
    schema = ""
    admin: sa.Engine | None = None
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in args.postgres else "?"
        url = f"{args.postgres}{sep}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{Path(data_dir) / 'dangjian.sqlite3'}"
    try:
        openids = _build_county(url, data_dir, args.branches, args.members)
        env = {
            **os.environ,
            "DJ_WECHAT_TOKEN": TOKEN,
            "DJ_DATA_DIR": data_dir,
            "DJ_DATABASE_URL": url,
            "DJ_LOG_LEVEL": "WARNING",
            "DJ_REDIS_URL": "",
            "DJ_BROADCAST_ENABLED": "false",
            "DJ_WECHAT_API_BASE": "http://127.0.0.1:9/",  # never the real API
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.checkin_load", "--child", str(args.port)], env=env, cwd=ROOT
        )
        try:
            asyncio.run(wait_ready([args.port], timeout_s=120))
            server = psutil.Process(proc.pid)
            cpu0 = sum(server.cpu_times()[:2])
            load0 = os.getloadavg()[0]
            latencies, stored, errors, elapsed = asyncio.run(_load(args.port, openids, args.concurrency, args.members))
            server_cpu = sum(server.cpu_times()[:2]) - cpu0
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        records = _count_records(url)
    finally:
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    database = "postgresql" if args.postgres else "sqlite"
    print(f"command: python -m bench.checkin_load {shlex.join(sys.argv[1:])}")
    print(f"database={database} users={len(openids)} concurrency={args.concurrency} cpus={os.cpu_count()}")
    print(f"messages={len(latencies)} conversations_stored={stored} records_in_db={records} errors={errors}")
    print(f"elapsed={elapsed:.2f}s throughput={len(latencies) / elapsed:.0f} req/s")
    print(f"latency p50={q[49] * 1000:.1f}ms p95={q[94] * 1000:.1f}ms p99={q[98] * 1000:.1f}ms")
    # CPU the server spent per message: comparable across runs even on a busy machine.
    print(f"server_cpu_per_message={server_cpu / max(1, len(latencies)) * 1000:.2f}ms load_avg_at_start={load0:.2f}")
    return 0 if errors == 0 and records == len(openids) else 1


if __name__ == "__main__":
    raise SystemExit(main())
