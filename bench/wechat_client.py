"""Client helpers shared by the gateway benchmarks (``gateway_load``, ``checkin_load``): wait for the
servers' ``/healthz`` and build a WeChat text message."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import aiohttp


async def wait_ready(ports: Sequence[int], timeout_s: float) -> None:
    """Wait until every server on ``ports`` (loopback) answers ``/healthz`` with 200."""
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as session:
        for port in ports:
            while True:
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                        if resp.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"server on port {port} not ready after {timeout_s}s")
                await asyncio.sleep(0.2)


def text_body(user: str, msg_id: int, content: str) -> bytes:
    """The XML of a text message from ``user`` to the bench account."""
    return (
        f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    ).encode()
