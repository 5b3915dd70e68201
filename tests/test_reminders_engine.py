"""Reminder rules evaluated against compliance, fired once with two schedulers, quiet hours, delivery
through the sender, and the operator command (SQLite and PostgreSQL via db_url)."""

from __future__ import annotations

import argparse
import asyncio
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.broadcast.models import Broadcast, Delivery, ReminderRule, ReminderRun
from bot.commands import reminders as reminders_command
from bot.db import make_engine
from bot.reminders import engine as reminders
from bot.reminders.scheduler import ReminderScheduler
from bot.settings import Settings
from bot.store import checkins
from tests.broadcast_support import sender_for, settings_for
from tests.fake_wechat_api import FakeWeChatAPI
from tests.store_world import World, draft

BJ = ZoneInfo("Asia/Shanghai")
ON_THE_20TH = datetime(2026, 11, 20, 9, 30, tzinfo=BJ)


def _rule(session: Session, code: str) -> ReminderRule:
    [rule] = reminders.load_rules(session=session, code=code)
    return rule


def _who(ev: reminders.Evaluation) -> dict[str, list[str]]:
    return {m.org_name: sorted(r.name for r in m.recipients) for m in ev.messages}


def test_seeded_rules(session: Session) -> None:
    codes = [r.code for r in reminders.load_rules(session=session)]
    assert codes == ["theme_day_20th", "quarter_end_meetings", "weekly_county_summary"]


def test_theme_day_on_the_20th_reminds_branches_without_one(
    session: Session, world: World, store_settings: Settings
) -> None:
    rule = _rule(session, "theme_day_20th")
    ev = reminders.evaluate_rule(session=session, settings=store_settings, rule=rule, now=ON_THE_20TH)
    assert _who(ev) == {"红星村党支部": ["张建国", "李梅"], "向阳村党支部": ["孙书记"]}
    texts = {m.org_name: m.text for m in ev.messages}
    assert texts["红星村党支部"].startswith("【提醒】红星村党支部：本月主题党日尚未登记")
    checkins.submit_record(
        session=session, settings=store_settings, openid=World.SEC_A, draft=draft(held_on=date(2026, 11, 5))
    )
    ev = reminders.evaluate_rule(session=session, settings=store_settings, rule=rule, now=ON_THE_20TH)
    assert _who(ev) == {"向阳村党支部": ["孙书记"]}


def test_quarter_end_reminds_about_general_meeting_and_lecture(
    session: Session, world: World, store_settings: Settings
) -> None:
    rule = _rule(session, "quarter_end_meetings")
    checkins.submit_record(
        session=session,
        settings=store_settings,
        openid=World.SEC_B,
        draft=draft(type_code="lecture", held_on=date(2026, 11, 5), expected=5, present=5, absentees=[]),
    )
    ev = reminders.evaluate_rule(
        session=session, settings=store_settings, rule=rule, now=datetime(2026, 12, 10, 9, 0, tzinfo=BJ)
    )
    texts = {m.org_name: m.text for m in ev.messages}
    assert "本季度支部党员大会、党课尚未登记" in texts["红星村党支部"]
    assert "本季度支部党员大会尚未登记" in texts["向阳村党支部"]  # its 党课 is done


def test_weekly_summary_to_the_county_lists_branches_behind(
    session: Session, world: World, store_settings: Settings
) -> None:
    rule = _rule(session, "weekly_county_summary")
    ev = reminders.evaluate_rule(
        session=session, settings=store_settings, rule=rule, now=datetime(2026, 11, 23, 9, 0, tzinfo=BJ)
    )
    [message] = ev.messages
    assert [r.name for r in message.recipients] == ["吴干事"]
    assert message.text.startswith("【周通报】截至11月23日，某县委所辖2个支部中2个有逾期未完成的项目：")
    assert "红星村党支部（主题党日" in message.text and "向阳村党支部（主题党日" in message.text
    assert len(message.text.encode()) <= store_settings.reply_max_bytes


async def test_two_schedulers_fire_each_run_once(engine: Engine, world: World, store_settings: Settings) -> None:
    engine2 = make_engine(store_settings)
    try:
        clock = ON_THE_20TH.astimezone(ZoneInfo("UTC"))
        a = ReminderScheduler(engine=engine, settings=store_settings, owner="A", clock=lambda: clock)
        b = ReminderScheduler(engine=engine2, settings=store_settings, owner="B", clock=lambda: clock)
        fired = await asyncio.gather(a.tick(), b.tick(), a.tick(), b.tick())
    finally:
        engine2.dispose()
    keys = [f.run_key for batch in fired for f in batch]
    assert keys == ["theme_day_20th:2026-11-20"]
    with Session(engine) as s:
        runs = list(s.exec(select(ReminderRun)))
        broadcasts = list(s.exec(select(Broadcast)))
        deliveries = list(s.exec(select(Delivery)))
    assert [r.run_key for r in runs] == ["theme_day_20th:2026-11-20"] and runs[0].recipients == 3
    assert len(broadcasts) == 1 and broadcasts[0].origin == "reminder"
    assert sorted(d.name for d in deliveries) == ["孙书记", "张建国", "李梅"]


async def test_quiet_hours_defer_the_run(
    engine: Engine, session: Session, world: World, store_settings: Settings
) -> None:
    rule = session.exec(select(ReminderRule).where(ReminderRule.code == "theme_day_20th")).one()
    rule.at_time = "22:30"
    session.add(rule)
    session.commit()
    moments = {
        "22:45": datetime(2026, 11, 20, 22, 45, tzinfo=BJ),
        "06:59": datetime(2026, 11, 21, 6, 59, tzinfo=BJ),
        "07:01": datetime(2026, 11, 21, 7, 1, tzinfo=BJ),
    }
    fired: dict[str, list[str]] = {}
    for label, moment in moments.items():
        scheduler = ReminderScheduler(engine=engine, settings=store_settings, clock=lambda m=moment: m)
        fired[label] = [f.run_key for f in await scheduler.tick()]
    assert fired == {"22:45": [], "06:59": [], "07:01": ["theme_day_20th:2026-11-20"]}


async def test_reminders_are_delivered_by_the_sender(
    engine: Engine, world: World, store_settings: Settings, fake_api: tuple[FakeWeChatAPI, str]
) -> None:
    api, url = fake_api
    settings = settings_for(store_settings, url)
    scheduler = ReminderScheduler(engine=engine, settings=settings, clock=lambda: ON_THE_20TH)
    assert len(await scheduler.tick()) == 1
    async with sender_for(engine, settings) as sender:
        await sender.run_until_idle(timeout_s=20)
    received = {who: text for _, who, text in api.accepted}
    assert set(received) == {World.SEC_A, World.ORG_A, World.SEC_B}
    assert received[World.SEC_B].startswith("主题党日未登记提醒|党建助手|")  # template summary ≤ 20 characters
    assert api.sent_texts == []  # reminders send no report


def test_operator_command(
    engine: Engine, world: World, store_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser()
    reminders_command.add_arguments(parser)
    assert reminders_command.run(parser.parse_args(["list"]), store_settings) == 0
    out = capsys.readouterr().out
    assert "theme_day_20th" in out and "weekly_county_summary" in out and "quiet hours 22:00–07:00" in out
    settings = store_settings.model_copy(update={"quiet_hours_start": "00:00", "quiet_hours_end": "00:00"})
    assert reminders_command.run(parser.parse_args(["run-now", "weekly_county_summary", "--dry-run"]), settings) == 0
    assert "吴干事" in capsys.readouterr().out
    assert reminders_command.run(parser.parse_args(["run-now", "weekly_county_summary"]), settings) == 0
    assert "enqueued, 1 recipient(s)" in capsys.readouterr().out
    assert reminders_command.run(parser.parse_args(["run-now", "no_such_rule"]), settings) == 2
    with Session(engine) as s:
        assert len(list(s.exec(select(ReminderRun)))) == 1
