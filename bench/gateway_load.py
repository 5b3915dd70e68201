"""Load generator for the WeChat gateway on loopback, with signed messages.

Starts the server in subprocess(es) (``--processes 2`` puts them behind Redis, on two ports the generator
alternates between), sends a bounded number of requests (or stops after ``--duration``), and prints
req/s, p50/p95/p99 latency and late replies together with the command line.

    python -m bench.gateway_load --kind help --requests 20000 --concurrency 32
    python -m bench.gateway_load --kind help --processes 2 --redis redis://127.0.0.1:6379/15
    python -m bench.gateway_load --kind policy --requests 2000 --concurrency 16   # real KnowledgeService

``help`` messages use a stub answerer in the server (no model); ``policy`` questions need the real
knowledge service (its index is built on first start if missing).
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
from pathlib import Path

import aiohttp

from bench.wechat_client import text_body, wait_ready
from bot.wechat.protocol import sign

TOKEN = "bench-token"
QUESTIONS = [
    "三会一课是什么",
    "支部党员大会多久开一次",
    "主题党日每月开展几次",
    "组织生活会一般什么时候开",
    "党小组会多久开一次",
    "支部委员会多久召开一次",
]


def _child(port: int, kind: str) -> None:
    """Server process: the real app; a stub answerer unless policy questions are benchmarked."""
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
    app = create_app(settings, answerer=None if kind == "policy" else Stub())
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


async def _load(args: argparse.Namespace, ports: list[int]) -> tuple[list[float], int, int, float]:
    latencies: list[float] = []
    late = 0
    errors = 0
    counter = itertools.count(int(time.time() * 1000))
    sent = 0
    stop_at = time.monotonic() + args.duration
    urls = itertools.cycle([f"http://127.0.0.1:{p}/wechat" for p in ports])
    conn = aiohttp.TCPConnector(limit=args.concurrency * 2)

    async def worker(session: aiohttp.ClientSession, wid: int) -> None:
        nonlocal late, errors, sent
        while sent < args.requests and time.monotonic() < stop_at:
            sent += 1
            n = next(counter)
            content = "帮助" if args.kind == "help" else QUESTIONS[n % len(QUESTIONS)]
            ts, nonce = str(int(time.time())), secrets.token_hex(6)
            params = {"signature": sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}
            t0 = time.perf_counter()
            try:
                async with session.post(
                    next(urls), params=params, data=text_body(f"oBench{n % 500}", n, content)
                ) as r:
                    text = await r.text()
                    ok = r.status == 200
            except aiohttp.ClientError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - t0)
            if not ok:
                errors += 1
            elif "<Content>" not in text or "正在查询" in text:
                late += 1

    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=conn) as session:
        await asyncio.gather(*[worker(session, i) for i in range(args.concurrency)])
    return latencies, late, errors, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kind", choices=["help", "policy"], default="help")
    parser.add_argument("--processes", type=int, choices=[1, 2], default=1)
    parser.add_argument(
        "--redis", default=os.environ.get("DJ_TEST_REDIS_URL", ""), help="needed for 2 processes"
    )
    parser.add_argument("--requests", type=int, default=10000, help="stop after this many requests")
    parser.add_argument("--duration", type=float, default=30.0, help="…or after this many seconds")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--base-port", type=int, default=18200)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.kind)
        return 0
    if args.processes == 2 and not args.redis:
        raise SystemExit("--processes 2 needs --redis URL (or DJ_TEST_REDIS_URL)")
    ports = [args.base_port + i for i in range(args.processes)]
    data_dir = os.environ.get("DJ_DATA_DIR") or tempfile.mkdtemp(prefix="djbench")
    env = {
        **os.environ,
        "DJ_WECHAT_TOKEN": TOKEN,
        "DJ_DATA_DIR": data_dir,
        "DJ_LOG_LEVEL": "WARNING",
        "DJ_REDIS_URL": args.redis if args.processes == 2 else "",
        "DJ_REDIS_KEY_PREFIX": f"djbench:{secrets.token_hex(4)}:",
        "DJ_WECHAT_API_BASE": "http://127.0.0.1:9/",  # no late sends expected; never the real API
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.gateway_load", "--kind", args.kind, "--child", str(p)],
            env=env,
            cwd=Path(__file__).resolve().parent.parent,
        )
        for p in ports
    ]
    try:
        asyncio.run(wait_ready(ports, timeout_s=180))
        warm = argparse.Namespace(**{**vars(args), "requests": args.warmup, "duration": 30.0})
        asyncio.run(_load(warm, ports))
        latencies, late, errors, elapsed = asyncio.run(_load(args, ports))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    print(f"command: python -m bench.gateway_load {shlex.join(sys.argv[1:])}")
    print(f"kind={args.kind} processes={args.processes} concurrency={args.concurrency} cpus={os.cpu_count()}")
    print(f"requests={len(latencies)} errors={errors} late={late} elapsed={elapsed:.2f}s")
    print(f"throughput={len(latencies) / elapsed:.0f} req/s")
    print(f"latency p50={q[49] * 1000:.1f}ms p95={q[94] * 1000:.1f}ms p99={q[98] * 1000:.1f}ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
