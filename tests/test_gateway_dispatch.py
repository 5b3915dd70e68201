"""Dispatcher pieces: routers and filters, conversation state, pagination cuts."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation import MemoryStateStorage
from bot.dispatch import Context, Dispatcher, Reply, Router
from bot.dispatch import filters as flt
from bot.locks import MemoryUserLocks
from bot.pagination import MemoryPageStore, Paginator, split_text
from bot.wechat.parsing import parse_inbound
from handlers import texts
from tests.fake_wechat_api import event_xml, message_xml


def _dispatcher(*routers: Router) -> Dispatcher:
    return Dispatcher(
        routers,
        storage=MemoryStateStorage(),
        locks=MemoryUserLocks(wait_s=1),
        paginator=Paginator(MemoryPageStore(), max_bytes=2047, ttl_s=60, footer=texts.page_footer),
        apology="sorry",
        conversation_ttl_s=60,
        menu_commands={"K": "签到"},
    )


async def test_first_match_wins_and_flow_state() -> None:
    flow = Router("flow")
    top = Router("top")
    later = Router("later")

    @top.on(flt.Text("取消"))
    async def cancel(ctx: Context) -> Reply:
        await ctx.clear_state()
        return Reply("cancelled")

    @flow.on(flt.InFlow("checkin", "topic"))
    async def topic(ctx: Context) -> Reply:
        await ctx.set_state("checkin", "date", {"topic": ctx.text})
        return Reply(f"topic={ctx.text}")

    @later.on(flt.StartsWith("签到"))
    async def start(ctx: Context) -> Reply:
        await ctx.set_state("checkin", "topic")
        return Reply(f"start args={ctx.data['args']!r}")

    @later.on(flt.Regex(r"(\d+)"))
    async def number(ctx: Context) -> Reply:
        return Reply(f"n={ctx.data['match'].group(1)}")

    d = _dispatcher(top, flow, later)
    u = "oFlow"
    assert (await d.feed(parse_inbound(message_xml("签到", user=u)))).text == "start args=''"
    assert (await d.feed(parse_inbound(message_xml("主题党日 12", user=u)))).text == "topic=主题党日 12"
    state = await d.storage.get(u)
    assert state is not None and state.step == "date" and state.data == {"topic": "主题党日 12"}
    assert (await d.feed(parse_inbound(message_xml("取消", user=u)))).text == "cancelled"
    assert await d.storage.get(u) is None
    assert (await d.feed(parse_inbound(message_xml("第 12 次", user=u)))).text == "n=12"
    # a menu click mapped to a command is routed as if typed
    assert (await d.feed(parse_inbound(event_xml("CLICK", "K", user="oC")))).text == "start args=''"


async def test_raising_handler_gives_apology() -> None:
    r = Router("r")

    @r.on()
    async def boom(ctx: Context) -> Reply:
        raise ValueError("x")

    d = _dispatcher(r)
    assert (await d.feed(parse_inbound(message_xml("x")))).text == "sorry"
    assert d.errors == 1


async def test_filters_combine() -> None:
    r = Router("r")

    @r.on(flt.MsgType("text") & ~flt.Text("no"), pending="wait")
    async def yes(ctx: Context) -> Reply:
        return Reply("yes")

    d = _dispatcher(r)
    assert (await d.feed(parse_inbound(message_xml("ok")))).text == "yes"
    assert (await d.feed(parse_inbound(message_xml("no", msg_id="2")))).text is None


NUMBER = re.compile(r"\d[\d.,%]*")


@given(
    st.lists(
        st.sampled_from(["党费", "12345.67元", "。", "，", "\n", "abc", "第3条", "😀", " ", "0.5%"]),
        max_size=600,
    )
)
@settings(max_examples=200, deadline=None)
def test_split_never_cuts_chars_or_numbers(parts: list[str]) -> None:
    text = "".join(parts)
    pages = split_text(text, 300)
    assert all(len(p.encode()) <= 300 for p in pages)
    numbers = NUMBER.findall(text)
    found = [n for p in pages for n in NUMBER.findall(p)]
    assert found == numbers
    assert "".join("".join(p.split()) for p in pages) == "".join(text.split())


async def test_paginator_pages_and_more() -> None:
    store = MemoryPageStore()
    pag = Paginator(store, max_bytes=200, ttl_s=60, footer=texts.page_footer)
    text = "。".join(f"第{i}句话内容" for i in range(80))
    first = await pag.paginate("u", text)
    assert "回复「更多」" in first and len(first.encode()) <= 200
    pages = [first]
    while (nxt := await pag.next_page("u")) is not None:
        assert len(nxt.encode()) <= 200
        pages.append(nxt)
    assert pages[-1].endswith("完）")
    assert await pag.paginate("u", "短") == "短"
