"""The 「通知」 conversation through signed XML into the real app (create_app), with the background
sender delivering to the fake WeChat API; SQLite and PostgreSQL (db_url)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any

from aiohttp import web
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.app import create_app
from bot.broadcast.models import Broadcast, UserActivity
from bot.settings import Settings
from bot.store import checkins
from bot.store.models import AuditEvent
from tests.broadcast_support import CS, FAST, TEMPLATE
from tests.fake_wechat_api import FakeAnswerer, FakeWeChatAPI, WeChatClient
from tests.store_world import World, draft


async def _client(
    aiohttp_client: Any, gateway_settings: Callable[..., Settings], store_settings: Settings, **overrides: Any
) -> tuple[WeChatClient, web.Application]:
    settings = gateway_settings(database_url=store_settings.database_url, **{**FAST, **overrides})
    app = create_app(settings, answerer=FakeAnswerer())
    client = await aiohttp_client(app)
    return WeChatClient(client, path=settings.wechat_path), app


async def _wait_for(predicate: Callable[[], bool], timeout_s: float = 15.0) -> None:
    for _ in range(int(timeout_s / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


def _broadcasts(engine: Engine) -> list[Broadcast]:
    with Session(engine) as s:
        return list(s.exec(select(Broadcast)))


async def test_preview_confirm_send_report_and_no_double_send(
    aiohttp_client: Any,
    gateway_settings: Callable[..., Settings],
    store_settings: Settings,
    engine: Engine,
    world: World,
    fake_api: tuple[FakeWeChatAPI, str],
) -> None:
    api, _ = fake_api
    wx, _app = await _client(aiohttp_client, gateway_settings, store_settings)
    # A member who wrote recently gets a customer-service message (the window is tracked per openid).
    assert await wx.say("你好", user=World.MEM_A, msg_id="m0") is not None
    await _wait_for(lambda: _seen(engine, World.MEM_A))

    preview = await wx.say("通知 本周五下午3点在村委会开展主题党日，请准时参加", user=World.SEC_A, msg_id="m1")
    assert preview is not None and "【通知预览】" in preview
    assert "共 11 人" in preview and "客服消息 1 人" in preview and "回复「确认」发送" in preview
    await asyncio.sleep(0.2)
    assert _broadcasts(engine) == [] and api.accepted == []  # nothing before 确认

    started = await wx.say("确认", user=World.SEC_A, msg_id="m2")
    assert started is not None and "开始发送给 11 人" in started
    again = await wx.say("确认", user=World.SEC_A, msg_id="m3")
    assert again is not None and "不会重复发送" in again

    await _wait_for(lambda: any(who == World.SEC_A for who, _ in api.sent_texts))
    assert len(_broadcasts(engine)) == 1
    assert api.received_by(World.MEM_A) == 1 and api.received_by(World.MEM_A2) == 1
    assert api.received_by(World.ORG_A) == 1
    text = next(t for _, who, t in api.accepted if who == World.MEM_A)
    assert text.startswith("【红星村党支部通知】\n本周五下午3点") and text.endswith("——张建国")
    report = next(t for who, t in api.sent_texts if who == World.SEC_A)
    assert "已送达 3 人，无法送达 8 人" in report and "党员甲0（未绑定微信）" in report

    listing = await wx.say("通知记录", user=World.SEC_A, msg_id="m4")
    assert listing is not None and "送达3 无法送达8 失败0（已完成）" in listing
    bid = _broadcasts(engine)[0].id
    detail = await wx.say(f"通知记录 {bid}", user=World.SEC_A, msg_id="m5")
    assert detail is not None and "预备乙0（未绑定微信）" in detail
    # Another organizer of the branch sees it; a plain member may not.
    assert "送达3" in (await wx.say("通知记录", user=World.ORG_A, msg_id="m6") or "")
    refused = await wx.say("通知记录", user=World.MEM_A, msg_id="m7")
    assert refused is not None and "只有支部书记" in refused


def _seen(engine: Engine, openid: str) -> bool:
    with Session(engine) as s:
        return s.get(UserActivity, openid) is not None


async def test_cancel_sends_nothing(
    aiohttp_client: Any,
    gateway_settings: Callable[..., Settings],
    store_settings: Settings,
    engine: Engine,
    world: World,
    fake_api: tuple[FakeWeChatAPI, str],
) -> None:
    api, _ = fake_api
    wx, _app = await _client(aiohttp_client, gateway_settings, store_settings)
    assert "【通知预览】" in (await wx.say("通知 明天开会", user=World.SEC_A, msg_id="c1") or "")
    assert "回复「确认」发送" in (await wx.say("明天几点？", user=World.SEC_A, msg_id="c2") or "")
    await wx.say("取消", user=World.SEC_A, msg_id="c3")
    after = await wx.say("确认", user=World.SEC_A, msg_id="c4")
    assert after is None or "开始发送" not in after
    await asyncio.sleep(0.3)
    assert _broadcasts(engine) == []
    assert api.calls_to(TEMPLATE) == [] and api.calls_to(CS) == []


async def test_refusals_and_bad_input(
    aiohttp_client: Any,
    gateway_settings: Callable[..., Settings],
    store_settings: Settings,
    engine: Engine,
    world: World,
    fake_api: tuple[FakeWeChatAPI, str],
) -> None:
    api, _ = fake_api
    wx, _app = await _client(aiohttp_client, gateway_settings, store_settings, broadcast_max_chars=50)
    member = await wx.say("通知 明天开会", user=World.MEM_A, msg_id="r1")
    assert member is not None and "只有支部书记、副书记、组织委员" in member
    stranger = await wx.say("通知 明天开会", user="o_stranger", msg_id="r2")
    assert stranger is not None and "还没有绑定" in stranger
    usage = await wx.say("通知", user=World.SEC_A, msg_id="r3")
    assert usage is not None and "通知 第一党小组 正文" in usage
    empty = await wx.say("通知 第一党小组", user=World.SEC_A, msg_id="r4")
    assert empty is not None and "通知内容是空的" in empty
    long = await wx.say("通知 " + "很长的通知" * 20, user=World.SEC_A, msg_id="r5")
    assert long is not None and "通知太长了（100字），最多 50 字" in long
    group = await wx.say("通知 第九党小组 明晚学习", user=World.SEC_A, msg_id="r6")
    assert group is not None and "没有找到「第九党小组」" in group and "第一党小组、第二党小组" in group
    nogroups = await wx.say("通知 第一党小组 学习", user=World.SEC_B, msg_id="r7")
    assert nogroups is not None and "没有设立党小组" in nogroups
    absent = await wx.say("通知 未签到 主题党日 请补学", user=World.SEC_A, msg_id="r8")
    assert absent is not None and "还没有这项活动的记录" in absent
    unknown = await wx.say("通知 未签到 篮球赛 请补学", user=World.SEC_A, msg_id="r9")
    assert unknown is not None and "没有「篮球赛」这种活动" in unknown
    with Session(engine) as s:
        refusals = list(s.exec(select(AuditEvent).where(AuditEvent.action == "broadcast_refused")))
    assert {r.actor_openid for r in refusals} == {World.MEM_A, "o_stranger"}
    await asyncio.sleep(0.2)
    assert _broadcasts(engine) == [] and api.accepted == []


async def test_targets_group_absentees_and_county_subtree(
    aiohttp_client: Any,
    gateway_settings: Callable[..., Settings],
    store_settings: Settings,
    engine: Engine,
    session: Session,
    world: World,
    fake_api: tuple[FakeWeChatAPI, str],
) -> None:
    wx, _app = await _client(aiohttp_client, gateway_settings, store_settings)
    group = await wx.say("通知 第一党小组 明晚7点学习", user=World.SEC_A, msg_id="t1")
    # 第一党小组: 张建国 (the sender), 李梅, 王小明, 党员甲1/3/5 → 5 recipients
    assert group is not None and "发给：红星村党支部第一党小组，共 5 人" in group
    await wx.say("取消", user=World.SEC_A, msg_id="t2")

    today = date.today()
    checkins.submit_record(
        session=session,
        settings=store_settings,
        openid=World.SEC_A,
        draft=draft(held_on=today.replace(day=1)),
    )
    absent = await wx.say("通知 未签到 主题党日 请于周五前补学", user=World.SEC_A, msg_id="t3")
    assert absent is not None and "主题党日未签到人员，共 2 人（党员甲1、党员甲2）" in absent
    await wx.say("取消", user=World.SEC_A, msg_id="t4")

    county = await wx.say("通知 各支部本周五前报送台账", user=World.STAFF, msg_id="t5")
    assert county is not None and "某县委所辖全体党员，共 18 人" in county
    await wx.say("取消", user=World.STAFF, msg_id="t6")
    one = await wx.say("通知 向阳村党支部 明天检查", user=World.STAFF, msg_id="t7")
    assert one is not None and "发给：向阳村党支部（全体），共 5 人" in one
    other = await wx.say("通知 向阳村党支部 明天检查", user=World.SEC_A, msg_id="t8")
    assert other is not None and "没有找到「向阳村党支部」" in other


async def test_menu_key_and_follow_events_are_tracked(
    aiohttp_client: Any,
    gateway_settings: Callable[..., Settings],
    store_settings: Settings,
    engine: Engine,
    world: World,
    fake_api: tuple[FakeWeChatAPI, str],
) -> None:
    from tests.fake_wechat_api import event_xml

    wx, _app = await _client(aiohttp_client, gateway_settings, store_settings)
    usage = await wx.send(event_xml("CLICK", "NOTICE", user=World.SEC_A))
    assert usage is not None and "通知 未签到 主题党日 正文" in usage
    await wx.send(event_xml("unsubscribe", user=World.MEM_A2))
    await _wait_for(lambda: _seen(engine, World.MEM_A2))
    with Session(engine) as s:
        row = s.get(UserActivity, World.MEM_A2)
        clicked = s.get(UserActivity, World.SEC_A)
    assert row is not None and not row.subscribed
    assert clicked is None
