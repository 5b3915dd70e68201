r"""Broadcast to 10,000 members: time to enqueue, sustained send rate against the fake WeChat API, memory.

    .venv/bin/python -m bench.broadcast_bench [--members 10000] [--rate 20] [--seconds 15] [--raised 0]
    DJ_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.broadcast_bench

Builds one branch with ``--members`` bound members (30 % wrote within 48 h → customer-service, the rest
→ template) in a temporary SQLite file migrated with Alembic (or a throw-away PostgreSQL schema when
``DJ_TEST_POSTGRES_URL`` is set), starts the fake WeChat API (tests/fake_wechat_api.py) on loopback,
then measures:

1. enqueue: ``plan_broadcast`` + ``create_broadcast`` (what 「确认」 does) for all members;
2. the sender at the configured limit (``--rate`` per second) for ``--seconds``: sustained rate;
3. the sender with the limit raised (``--raised``; 0 = no limit) until every delivery is final;
4. peak resident memory, and that every member received exactly one message.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bench.common import machine, peak_rss_mib, rss_mib
from bot.broadcast import store
from bot.broadcast.compose import parse_notice
from bot.broadcast.models import UserActivity
from bot.db import make_engine
from bot.settings import Settings
from bot.store.migrate import upgrade
from bot.store.models import Member, OrgLevel, Role, WeChatBinding, utcnow
from bot.store.orgs import create_org
from tests.broadcast_support import sender_for
from tests.fake_wechat_api import FakeWeChatAPI

NOTICE = "通知 本周五下午3点在村党群服务中心开展主题党日活动，学习党的二十届四中全会精神，请全体党员准时参加。"


def populate(engine: Engine, members: int) -> str:
    """One branch with ``members`` bound members; returns the organizer's openid."""
    now = utcnow()
    with Session(engine) as s:
        county = create_org(session=s, name="县委", level=OrgLevel.COUNTY)
        town = create_org(session=s, name="镇党委", level=OrgLevel.TOWNSHIP, parent=county)
        branch = create_org(session=s, name="大村党支部", level=OrgLevel.BRANCH, parent=town)
        assert branch.id is not None
        base = {"org_id": branch.id, "category": "full", "active": True, "created_at": now, "updated_at": now}
        s.execute(sa.insert(Member), [{**base, "name": "书记", "role": Role.SECRETARY.value}])
        s.execute(
            sa.insert(Member), [{**base, "name": f"党员{i:05d}", "role": Role.MEMBER.value} for i in range(members)]
        )
        ids = list(s.exec(select(Member.id).where(Member.org_id == branch.id).order_by(Member.id)))
        s.execute(
            sa.insert(WeChatBinding),
            [{"openid": f"o{i:06d}", "member_id": mid, "bound_at": now} for i, mid in enumerate(ids)],
        )
        recent = now - timedelta(hours=3)
        s.execute(
            sa.insert(UserActivity),
            [
                {"openid": f"o{i:06d}", "last_inbound_at": recent, "subscribed": True, "updated_at": now}
                for i in range(1, len(ids))
                if i % 10 < 3
            ],
        )
        s.commit()
    return "o000000"


async def run(settings: Settings, engine: Engine, members: int, seconds: float, raised: float) -> dict[str, Any]:
    api = FakeWeChatAPI()
    runner = web.AppRunner(api.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    settings = settings.model_copy(update={"wechat_api_base": f"http://127.0.0.1:{port}/"})
    out: dict[str, Any] = {}
    try:
        organizer = await asyncio.to_thread(populate, engine, members)
        rss0 = rss_mib()
        command = parse_notice(NOTICE)
        assert command is not None
        t0 = time.perf_counter()

        def enqueue() -> store.Created:
            with Session(engine) as s:
                plan = store.plan_broadcast(session=s, settings=settings, openid=organizer, command=command)
                return store.create_broadcast(session=s, draft_key=uuid.uuid4().hex, plan=plan)

        created = await asyncio.to_thread(enqueue)
        out["enqueue_s"] = time.perf_counter() - t0
        out["recipients"] = created.recipients
        out["enqueue_rss_delta_mib"] = rss_mib() - rss0

        async with sender_for(engine, settings, owner="bench-limited") as sender:
            stop = asyncio.Event()
            task = asyncio.create_task(sender.run(stop))
            await asyncio.sleep(2.0)  # warm-up: token, first claims
            before, t1 = len(api.accepted), time.perf_counter()
            await asyncio.sleep(seconds)
            out["limited_rate"] = (len(api.accepted) - before) / (time.perf_counter() - t1)
            stop.set()
            await task
        fast = settings.model_copy(update={"broadcast_rate_per_s": raised})
        async with sender_for(engine, fast, owner="bench-raised") as sender:
            remaining_before = len(api.accepted)
            t2 = time.perf_counter()
            await sender.run_until_idle(timeout_s=3600)
            elapsed = time.perf_counter() - t2
        out["raised_sent"] = len(api.accepted) - remaining_before
        out["raised_rate"] = out["raised_sent"] / elapsed if elapsed else 0.0
        per_user = Counter(who for _, who, _ in api.accepted if who != organizer)  # not the report
        out["received_once"] = len(per_user) == members and set(per_user.values()) == {1}
        out["reports"] = sum(1 for _, who, _ in api.accepted if who == organizer)
        out["channels"] = dict(Counter(path.rsplit("/", 2)[-2] for path, _, _ in api.accepted))
        with Session(engine) as s:
            out["states"] = store.delivery_states(session=s, broadcast_id=created.broadcast_id)
        out["peak_rss_mib"] = peak_rss_mib()
    finally:
        await runner.cleanup()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=None, help="sends/s (default: DJ_BROADCAST_RATE_PER_S)")
    parser.add_argument("--seconds", type=float, default=15.0, help="measure the limited rate this long")
    parser.add_argument("--raised", type=float, default=0.0, help="raised limit (0 = none)")
    parser.add_argument("--concurrency", type=int, default=None)
    args = parser.parse_args()
    pg = os.environ.get("DJ_TEST_POSTGRES_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        if pg:
            admin = sa.create_engine(pg)
            with admin.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            sep = "&" if "?" in pg else "?"
            url = f"{pg}{sep}options=-csearch_path%3D{schema}"
        else:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        updates: dict[str, Any] = {
            "data_dir": Path(tmp),
            "database_url": url,
            "template_id": "TPL-BENCH",
            "wechat_app_id": "wxbench",
            "wechat_app_secret": SecretStr("secret"),
        }
        if args.rate is not None:
            updates["broadcast_rate_per_s"] = args.rate
        if args.concurrency is not None:
            updates["broadcast_concurrency"] = args.concurrency
        settings = Settings(_env_file=None).model_copy(update=updates)  # type: ignore[call-arg]
        upgrade(settings)
        engine = make_engine(settings)
        try:
            result = asyncio.run(run(settings, engine, args.members, args.seconds, args.raised))
        finally:
            engine.dispose()
            if pg:
                with admin.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    db = "PostgreSQL" if pg else "SQLite (WAL file)"
    print(f"# broadcast bench — {machine()} — {db}")
    print(f"recipients:                 {result['recipients']}")
    enqueue_ms, enqueue_mib = result["enqueue_s"] * 1000, result["enqueue_rss_delta_mib"]
    print(f"enqueue (plan + create):    {enqueue_ms:.0f} ms (RSS +{enqueue_mib:.1f} MiB)")
    print(
        f"sustained at the limit:     {result['limited_rate']:.1f} msg/s "
        f"(limit {settings.broadcast_rate_per_s:g}/s, concurrency {settings.broadcast_concurrency})"
    )
    raised = "none" if args.raised <= 0 else f"{args.raised:g}/s"
    print(f"limit raised ({raised}):       {result['raised_rate']:.0f} msg/s for the remaining {result['raised_sent']}")
    print(
        f"every member exactly once:  {result['received_once']}  channels {result['channels']} "
        f"(incl. {result['reports']} report to the organizer)"
    )
    print(f"delivery states:            {result['states']}")
    print(f"peak RSS:                   {result['peak_rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
