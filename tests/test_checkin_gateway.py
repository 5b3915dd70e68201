"""The check-in feature through the edge: signed XML posted to the real app (SQLite, and PostgreSQL when
DJ_TEST_POSTGRES_URL is set), with the database state checked afterwards. Q&A uses the fake answerer."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.app import create_app
from bot.db import make_engine
from bot.settings import Settings
from bot.store import checkins
from bot.store.errors import ErrorCode, StoreError
from bot.store.migrate import upgrade
from bot.store.models import ActivityRecord, ConversationStateRow, InviteCode, Member, RecordAbsentee, WeChatBinding
from bot.store.periods import local_today
from bot.store.state import SqlStateStorage
from bot.store.views import RecordView
from handlers import checkin_texts as ct
from handlers import texts
from tests.fake_wechat_api import FakeAnswerer, WeChatClient, event_xml, message_xml
from tests.store_world import World, build_world

_ids = itertools.count(5_000_000)


@dataclass
class Bot:
    """One app on the test database, and helpers to talk to it as several users."""

    wc: WeChatClient
    engine: Engine
    world: World
    settings: Settings

    async def say(self, user: str, text: str) -> str:
        # WeChat splits a literal "]]>" across two CDATA sections, as the test client does here.
        cdata_safe = text.replace("]]>", "]]]]><![CDATA[>")
        reply = await self.wc.send(message_xml(cdata_safe, user=user, msg_id=str(next(_ids))))
        assert reply is not None, f"no reply to {text!r}"
        return reply

    async def image(self, user: str, media_id: str) -> str:
        extra = f"<PicUrl><![CDATA[http://mmbiz/{media_id}]]></PicUrl><MediaId><![CDATA[{media_id}]]></MediaId>"
        reply = await self.wc.send(message_xml("", user=user, msg_type="image", msg_id=str(next(_ids)), extra=extra))
        assert reply is not None
        return reply

    async def event(self, user: str, event: str, key: str = "") -> str | None:
        # Events are deduplicated by user + CreateTime: give each its own second.
        return await self.wc.send(event_xml(event, key, user=user, create_time=next(_ids)))

    def records(self, **where: Any) -> list[ActivityRecord]:
        with Session(self.engine) as s:
            stmt = select(ActivityRecord).where(col(ActivityRecord.is_current).is_(True))
            for k, v in where.items():
                stmt = stmt.where(getattr(ActivityRecord, k) == v)
            return list(s.exec(stmt.order_by(col(ActivityRecord.id))))

    def view(self, record_id: int) -> RecordView:
        with Session(self.engine) as s:
            return checkins.get_record(session=s, record_id=record_id)

    def state(self, user: str) -> ConversationStateRow | None:
        with Session(self.engine) as s:
            return s.get(ConversationStateRow, user)


@pytest.fixture
def checkin_db(db_url: str, gateway_settings: Callable[..., Settings]) -> Iterator[tuple[Settings, Engine, World]]:
    settings = gateway_settings(database_url=db_url)
    upgrade(settings)
    engine = make_engine(settings)
    with Session(engine) as s:
        world = build_world(s, settings)
    yield settings, engine, world
    engine.dispose()


@pytest.fixture
def make_bot(
    checkin_db: tuple[Settings, Engine, World],
    fake_answerer: FakeAnswerer,
    aiohttp_client: Any,
) -> Callable[..., Any]:
    """``await make_bot(**settings_overrides)``: a fresh app (a new process, as far as state goes).

    ``aiohttp_client`` is set up last so that the app is closed before the database is torn down."""

    async def make(**overrides: Any) -> Bot:
        base, engine, world = checkin_db
        settings = base.model_copy(update=overrides)
        app: web.Application = create_app(settings, answerer=fake_answerer)
        client = await aiohttp_client(app)
        return Bot(WeChatClient(client, path=settings.wechat_path), engine, world, settings)

    return make


def _today(bot: Bot) -> Any:
    return local_today(bot.settings.timezone)


# --- the conversation ---------------------------------------------------------------------------------


async def test_rich_first_message_to_confirmation(make_bot: Any) -> None:
    bot = await make_bot()
    reply = await bot.say(
        World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人，主题是学习党的二十届四中全会精神，地点在村党群服务中心"
    )
    assert ct.QUESTIONS["absentees"] in reply  # 实到 < 应到: who was absent, asked once
    reply = await bot.say(World.MEM_A, "跳过")
    assert "请核对" in reply and "应到12人，实到10人" in reply and "学习党的二十届四中全会精神" in reply
    assert "村党群服务中心" in reply
    assert bot.state(World.MEM_A) is not None
    reply = await bot.say(World.MEM_A, "确认")
    assert reply.startswith(ct.SUBMITTED) and ct.SUBMITTED_PENDING in reply
    [rec] = bot.records()
    assert rec.type_code == "theme_day" and rec.held_on == _today(bot) - timedelta(days=1)
    assert (rec.expected, rec.present, rec.status, rec.late) == (12, 10, "pending", False)
    assert rec.topic == "学习党的二十届四中全会精神" and rec.branch_id == bot.world.a.id
    assert bot.state(World.MEM_A) is None  # cleared in the record's transaction


async def test_minimal_first_message_step_by_step(make_bot: Any) -> None:
    bot = await make_bot()
    reply = await bot.say(World.SEC_A, "签到")
    assert "什么会" in reply and "1. " in reply
    reply = await bot.say(World.SEC_A, "党课")
    assert "哪天" in reply
    reply = await bot.say(World.SEC_A, "前天")
    assert "应到" in reply
    reply = await bot.say(World.SEC_A, "11")
    assert "实到" in reply
    reply = await bot.say(World.SEC_A, "9人")
    assert "主题" in reply
    reply = await bot.say(World.SEC_A, "讲党史")
    assert ct.QUESTIONS["absentees"] in reply
    reply = await bot.say(World.SEC_A, "不清楚")
    assert "请核对" in reply and "党课" in reply
    reply = await bot.say(World.SEC_A, "确认")
    assert ct.SUBMITTED_CONFIRMED in reply  # an organizer's record is confirmed at once
    [rec] = bot.records()
    assert (rec.type_code, rec.expected, rec.present, rec.topic, rec.status) == (
        "lecture",
        11,
        9,
        "讲党史",
        "confirmed",
    )


async def test_menu_click_starts_and_numbered_type(make_bot: Any) -> None:
    bot = await make_bot()
    reply = await bot.event(World.MEM_A, "CLICK", "CHECKIN")
    assert reply is not None and "什么会" in reply
    assert "2. " in reply
    reply = await bot.say(World.MEM_A, "1")
    assert "哪天" in reply
    # a menu click during the check-in is its own command, not an answer; the check-in goes on
    reply = await bot.event(World.MEM_A, "CLICK", "LEDGER")
    assert reply is not None and reply.startswith("【红星村党支部】")
    assert "还没到" in await bot.say(World.MEM_A, "明天")


async def test_edit_a_field_then_confirm(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人，主题是学习党章")
    reply = await bot.say(World.MEM_A, "修改 人数")
    assert "应到多少人" in reply
    reply = await bot.say(World.MEM_A, "11")
    assert "实到多少人" in reply
    reply = await bot.say(World.MEM_A, "11")
    assert "应到11人，实到11人" in reply
    reply = await bot.say(World.MEM_A, "修改 地点 村委会二楼会议室")
    assert "地点：村委会二楼会议室" in reply
    reply = await bot.say(World.MEM_A, "修改 主题")
    assert "主题" in reply
    reply = await bot.say(World.MEM_A, "学习新修订的党章")
    assert "学习新修订的党章" in reply
    await bot.say(World.MEM_A, "确认")
    [rec] = bot.records()
    assert (rec.expected, rec.present, rec.place, rec.topic) == (11, 11, "村委会二楼会议室", "学习新修订的党章")


async def test_cancel_at_any_step(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.MEM_A, "签到 昨天开了主题党日")
    assert await bot.say(World.MEM_A, "取消") == texts.CANCELLED
    assert bot.state(World.MEM_A) is None
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人，主题是学习党章")
    assert await bot.say(World.MEM_A, "取消") == texts.CANCELLED
    assert bot.records() == []


async def test_expiry_is_told_politely(make_bot: Any) -> None:
    bot = await make_bot(conversation_ttl_s=0.3)
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人，主题是学习党章")
    await asyncio.sleep(0.5)
    reply = await bot.say(World.MEM_A, "确认")  # a stale 确认 must not submit the old draft
    assert "超过" in reply and "已自动取消" in reply
    assert bot.records() == [] and bot.state(World.MEM_A) is None
    # the next message is handled normally (here: the organizer-only list of pending records)
    assert await bot.say(World.MEM_A, "确认") == ct.ORGANIZER_ONLY


async def test_expired_then_new_checkin_starts_afresh(make_bot: Any) -> None:
    bot = await make_bot(conversation_ttl_s=0.3)
    await bot.say(World.MEM_A, "签到")
    await asyncio.sleep(0.5)
    reply = await bot.say(World.MEM_A, "签到")
    assert reply.startswith(ct.EXPIRED_RESTART) and "什么会" in reply


async def test_restart_resumes_the_conversation(make_bot: Any) -> None:
    first = await make_bot()
    await first.say(World.MEM_A, "签到 昨天开了主题党日")
    reply = await first.say(World.MEM_A, "12")
    assert "实到" in reply
    await first.wc.client.close()  # the process goes away
    second = await make_bot()
    reply = await second.say(World.MEM_A, "10")
    assert "主题" in reply
    reply = await second.say(World.MEM_A, "学习党章")
    assert ct.QUESTIONS["absentees"] in reply
    reply = await second.say(World.MEM_A, "跳过")
    assert "请核对" in reply
    await second.say(World.MEM_A, "确认")
    [rec] = second.records()
    assert (rec.expected, rec.present, rec.topic) == (12, 10, "学习党章")


async def test_photos_attach_during_and_after(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人")
    reply = await bot.image(World.MEM_A, "MEDIA1")
    assert "已收到照片（共1张）" in reply and "主题" in reply  # and the pending question again
    assert "共1张" in await bot.image(World.MEM_A, "MEDIA1")  # the same image twice attaches once
    await bot.say(World.MEM_A, "学习党章")
    await bot.say(World.MEM_A, "跳过")
    reply = await bot.say(World.MEM_A, "确认")
    assert "照片：1张" in reply
    reply = await bot.image(World.MEM_A, "MEDIA2")  # after submission, within the window
    assert "共2张" in reply
    [rec] = bot.records()
    assert {p.media_id for p in bot.view(rec.id or 0).photos} == {"MEDIA1", "MEDIA2"}
    # nobody's record: the usual answer
    assert await bot.image(World.MEM_B, "MEDIA3") == ct.PHOTO_NO_RECORD


async def test_duplicate_is_told_about_the_first(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人，主题是学习党章")
    await bot.say(World.MEM_A, "跳过")
    await bot.say(World.MEM_A, "确认")
    reply = await bot.say(World.MEM_A2, "签到 昨天开了主题党日")
    assert "已经由王小明记录过了" in reply and "应到12人、实到10人" in reply
    assert bot.state(World.MEM_A2) is None
    assert len(bot.records()) == 1


async def test_future_date_refused(make_bot: Any) -> None:
    bot = await make_bot()
    reply = await bot.say(World.MEM_A, "签到 明天开主题党日，应到12人实到10人")
    assert "还没到" in reply and "哪天" in reply
    reply = await bot.say(World.MEM_A, "后天")
    assert "还没到" in reply
    reply = await bot.say(World.MEM_A, "昨天")
    assert "主题" in reply
    assert bot.records() == []


@pytest.mark.parametrize(
    ("answer", "expect"),
    [("0", "应到人数请填写大于0的整数"), ("-5", ct.NEGATIVE_COUNT), ("9999", "超出了本支部在册党员人数")],
)
async def test_absurd_counts(make_bot: Any, answer: str, expect: str) -> None:
    bot = await make_bot()
    await bot.say(World.MEM_A, "签到 昨天开了主题党日")
    reply = await bot.say(World.MEM_A, answer)
    assert expect in reply and "应到多少人" in reply
    reply = await bot.say(World.MEM_A, "12")
    assert "实到" in reply
    reply = await bot.say(World.MEM_A, "30")
    assert "多于应到" in reply and "实到多少人" in reply
    assert bot.records() == []


async def test_absurd_counts_in_first_message(make_bot: Any) -> None:
    bot = await make_bot()
    reply = await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到9999人实到23人，主题是学习党章")
    assert "超出了本支部在册党员人数" in reply and "应到多少人" in reply


async def test_ten_thousand_character_topic(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人")
    reply = await bot.say(World.MEM_A, "学" * 10_000)
    assert "议题太长了" in reply and "200字" in reply
    assert len(reply.encode()) <= 2048
    reply = await bot.say(World.MEM_A, "学习党章")
    assert ct.QUESTIONS["absentees"] in reply


async def test_injection_looking_text_stored_verbatim(make_bot: Any) -> None:
    bot = await make_bot()
    topic = '学习\'); DROP TABLE activity_record;-- <script>alert(1)</script> ]]> & "引号"'
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人")
    await bot.say(World.MEM_A, topic)
    reply = await bot.say(World.MEM_A, "跳过")
    assert topic in reply
    await bot.say(World.MEM_A, "确认")
    [rec] = bot.records()
    assert rec.topic == topic


async def test_branch_comes_from_binding_never_from_text(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.MEM_B, "签到 红星村党支部昨天开了主题党日，应到5人实到5人，主题是学习党章")
    await bot.say(World.MEM_B, "确认")
    [rec] = bot.records()
    assert rec.branch_id == bot.world.b.id
    # an organizer of another branch cannot confirm it
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人，主题是学习党章")
    await bot.say(World.MEM_A, "跳过")
    await bot.say(World.MEM_A, "确认")
    rec_a = bot.records(branch_id=bot.world.a.id)[0]
    reply = await bot.say(World.SEC_B, f"确认 {rec_a.id}")
    assert reply == ct.error_text(StoreError(ErrorCode.FORBIDDEN))
    assert bot.records(branch_id=bot.world.a.id)[0].status == "pending"


async def test_committee_only_with_a_committee(make_bot: Any) -> None:
    bot = await make_bot()
    reply = await bot.say(World.MEM_B, "签到 昨天开了支委会，应到5人实到5人")
    assert "未设支部委员会" in reply and "什么会" in reply
    assert "支委会" not in reply.split("什么会")[1]  # not offered among the choices
    reply = await bot.say(World.MEM_B, "主题党日")
    assert "主题" in reply


async def test_group_meeting_asks_which_group(make_bot: Any) -> None:
    bot = await make_bot()
    reply = await bot.say(World.MEM_A, "签到 昨天开了党小组会，应到5人实到5人，主题是学习党章")
    assert "哪个党小组" in reply and "第一党小组" in reply
    reply = await bot.say(World.MEM_A, "第二")
    assert "请核对" in reply and "第二党小组" in reply
    await bot.say(World.MEM_A, "确认")
    [rec] = bot.records()
    assert rec.group_id == bot.world.group2.id
    reply = await bot.say(World.MEM_B, "签到 昨天开了党小组会")
    assert "没有设党小组" in reply


async def test_late_submission_is_marked(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.MEM_A, "签到 10天前开了主题党日，应到12人实到10人，主题是学习党章")
    await bot.say(World.MEM_A, "跳过")
    reply = await bot.say(World.MEM_A, "确认")
    assert ct.SUBMITTED_LATE in reply and "逾期上报" in reply
    assert bot.records()[0].late is True


async def test_unbound_user_is_told_how_to_bind(make_bot: Any) -> None:
    bot = await make_bot()
    reply = await bot.say("o_stranger", "签到 昨天开了主题党日")
    assert "绑定" in reply and "邀请码" in reply
    assert bot.state("o_stranger") is None


async def test_policy_question_still_goes_to_qa(make_bot: Any, fake_answerer: FakeAnswerer) -> None:
    bot = await make_bot()
    assert await bot.say(World.MEM_A, "主题党日每月开展几次") == "答：主题党日每月开展几次"
    assert await bot.say(World.MEM_A, "记录本怎么填写") == "答：记录本怎么填写"


# --- absentees, 会议内容, 决议 -------------------------------------------------------------------------


def _member_id(bot: Bot, name: str) -> int:
    with Session(bot.engine) as s:
        member = s.exec(select(Member).where(Member.name == name)).one()
        assert member.id is not None
        return member.id


def _stored_absentees(bot: Bot, record_id: int) -> list[tuple[str, str, int | None]]:
    """The absentee rows of a record, read from the database."""
    with Session(bot.engine) as s:
        rows = s.exec(
            select(RecordAbsentee).where(RecordAbsentee.record_id == record_id).order_by(col(RecordAbsentee.id))
        )
        return [(a.name, a.reason, a.member_id) for a in rows]


def _over_gap(listed: int, gap: int) -> str:
    return ct.error_text(StoreError(ErrorCode.ABSENTEES_OVER_GAP, listed=listed, gap=gap))


async def test_absentee_question_answered_step_by_step(make_bot: Any) -> None:
    bot = await make_bot()
    for answer in ("签到", "党课", "前天", "11", "9"):
        await bot.say(World.SEC_A, answer)
    reply = await bot.say(World.SEC_A, "讲党史")
    assert reply == ct.QUESTIONS["absentees"]  # one question, after the required ones
    reply = await bot.say(World.SEC_A, "党员甲1 病，张三（外出务工）")
    assert "请核对" in reply and "缺席：党员甲1（病假）、张三（外出务工）" in reply
    reply = await bot.say(World.SEC_A, "确认")
    assert ct.SUBMITTED_CONFIRMED in reply and "缺席：党员甲1（病假）、张三（外出务工）" in reply
    [rec] = bot.records()
    assert rec.id is not None
    # a roster name of the branch gets its member id; a name not on the roster is kept as written
    assert _stored_absentees(bot, rec.id) == [
        ("党员甲1", "病假", _member_id(bot, "党员甲1")),
        ("张三", "外出务工", None),
    ]


async def test_absentee_question_skipped(make_bot: Any) -> None:
    bot = await make_bot()
    reply = await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人，主题是学习党章")
    assert ct.QUESTIONS["absentees"] in reply
    reply = await bot.say(World.MEM_A, "不清楚。")
    assert "请核对" in reply and "缺席" not in reply.split(ct.SUMMARY_TAIL)[0]
    assert ct.SUBMITTED in await bot.say(World.MEM_A, "确认")
    [rec] = bot.records()
    assert rec.id is not None and _stored_absentees(bot, rec.id) == []


async def test_confirm_word_at_absentee_question_shows_the_summary(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人，主题是学习党章")
    reply = await bot.say(World.MEM_A, "确认")  # the user expected the summary: shown, not submitted
    assert "请核对" in reply and bot.records() == []
    assert ct.SUBMITTED in await bot.say(World.MEM_A, "确认")


async def test_no_absentee_question_when_all_present(make_bot: Any) -> None:
    bot = await make_bot()
    reply = await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到12人，主题是学习党章")
    assert "请核对" in reply and ct.QUESTIONS["absentees"] not in reply
    reply = await bot.say(World.MEM_A, "修改 缺席 张三 病假")
    assert ct.NO_ABSENTEES in reply and "请核对" in reply


async def test_absentees_over_gap_refused_and_asked_again(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到11人，主题是学习党章")
    reply = await bot.say(World.MEM_A, "张三 病假，李四 事假")
    assert _over_gap(2, 1) in reply and ct.QUESTIONS["absentees"] in reply
    state = bot.state(World.MEM_A)
    assert state is not None and state.step == "absentees"
    reply = await bot.say(World.MEM_A, "张三 病假")
    assert "请核对" in reply and "缺席：张三（病假）" in reply
    await bot.say(World.MEM_A, "确认")
    [rec] = bot.records()
    assert rec.id is not None and _stored_absentees(bot, rec.id) == [("张三", "病假", None)]


async def test_emoji_only_absentee_answer_asked_again(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人，主题是学习党章")
    reply = await bot.say(World.MEM_A, "😀😀👍")
    assert reply == ct.ABSENTEES_NOT_UNDERSTOOD + "\n" + ct.QUESTIONS["absentees"]
    reply = await bot.say(World.MEM_A, "跳过")
    assert "请核对" in reply


async def test_first_message_with_absentees_summary_and_decisions(make_bot: Any) -> None:
    bot = await make_bot()
    reply = await bot.say(
        World.MEM_A,
        "签到 昨天开了支部党员大会，应到12人实到10人，缺席2人：赵红（病假）、李四（事假），主题是讨论发展党员，"
        "会议内容：学习了发展党员工作细则，大家逐一发言。决议：同意赵某某转为正式党员。表决：全票通过",
    )
    # nothing left to ask: the summary at once, with the three sections and the topic kept apart
    assert ct.QUESTIONS["absentees"] not in reply and "请核对" in reply
    assert "缺席：赵红（病假）、李四（事假）" in reply and "议题：讨论发展党员\n" in reply
    assert "内容：学习了发展党员工作细则，大家逐一发言" in reply
    assert "决议：同意赵某某转为正式党员；表决：全票通过" in reply
    reply = await bot.say(World.MEM_A, "确认")
    assert "缺席：赵红（病假）、李四（事假）" in reply
    [rec] = bot.records()
    assert rec.id is not None and rec.topic == "讨论发展党员"
    assert rec.summary == "学习了发展党员工作细则，大家逐一发言"
    assert rec.decisions == "同意赵某某转为正式党员；表决：全票通过"
    assert _stored_absentees(bot, rec.id) == [("赵红", "病假", _member_id(bot, "赵红")), ("李四", "事假", None)]


async def test_first_message_naming_who_was_on_leave(make_bot: Any) -> None:
    bot = await make_bot()
    reply = await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人，请假的有张三、李四，主题是学习党章")
    assert "请核对" in reply and "缺席：张三、李四" in reply and "议题：学习党章" in reply


async def test_edit_absentees_summary_and_decisions(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人，主题是学习党章")
    await bot.say(World.MEM_A, "跳过")
    reply = await bot.say(World.MEM_A, "修改 缺席 张三 病假，李四 因公")
    assert "缺席：张三（病假）、李四（公假）" in reply and "请核对" in reply
    reply = await bot.say(World.MEM_A, "修改 内容")
    assert reply == ct.QUESTIONS["summary"]
    reply = await bot.say(World.MEM_A, "学习了党章总纲")
    assert "内容：学习了党章总纲" in reply
    reply = await bot.say(World.MEM_A, "修改 内容为学习了党章全文")
    assert "内容：学习了党章全文" in reply
    reply = await bot.say(World.MEM_A, "修改 决议 同意修建村道，全票赞成")  # the trailing 成 is kept
    assert "决议：同意修建村道，全票赞成" in reply
    reply = await bot.say(World.MEM_A, "修改 缺席")
    assert reply == ct.QUESTIONS["absentees"]
    reply = await bot.say(World.MEM_A, "王五 住院")
    assert "缺席：王五（住院）" in reply and "张三" not in reply
    await bot.say(World.MEM_A, "确认")
    [rec] = bot.records()
    assert (rec.summary, rec.decisions) == ("学习了党章全文", "同意修建村道，全票赞成")
    assert rec.id is not None and _stored_absentees(bot, rec.id) == [("王五", "住院", None)]


async def test_counts_edited_below_the_listed_absentees(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(
        World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人，缺席：张三（病假）、李四（事假），主题是学习党章"
    )
    reply = await bot.say(World.MEM_A, "修改 实到 11")
    # the list no longer fits 应到 − 实到: said, and the absentee question asked again (not a loop)
    assert _over_gap(2, 1) in reply and reply.endswith(ct.QUESTIONS["absentees"])
    reply = await bot.say(World.MEM_A, "李四 事假")
    assert "请核对" in reply and "缺席：李四（事假）" in reply
    # everybody present: the list is dropped and said so
    reply = await bot.say(World.MEM_A, "修改 实到 12")
    assert ct.ABSENTEES_CLEARED in reply and "请核对" in reply and "缺席：" not in reply
    await bot.say(World.MEM_A, "确认")
    [rec] = bot.records()
    assert rec.present == 12 and rec.id is not None and _stored_absentees(bot, rec.id) == []


async def test_store_refusal_at_submission_asks_absentees_again(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人，缺席：张三、李四，主题是学习党章")
    # a draft whose list no longer fits (e.g. written by an older version): the store refuses it
    storage = SqlStateStorage(bot.engine)
    state = storage.get_sync(World.MEM_A)
    assert state is not None and state.step == "confirm"
    data = dict(state.data)
    data["d"] = {**data["d"], "present": 11}
    storage.set_sync(dataclasses.replace(state, data=data))
    reply = await bot.say(World.MEM_A, "确认")
    assert _over_gap(2, 1) in reply and reply.endswith(ct.QUESTIONS["absentees"])
    assert bot.records() == []
    reply = await bot.say(World.MEM_A, "张三")
    assert "请核对" in reply
    assert ct.SUBMITTED in await bot.say(World.MEM_A, "确认")


async def test_ten_thousand_character_summary_refused(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到12人，主题是学习党章")
    reply = await bot.say(World.MEM_A, "修改 内容 " + "学" * 10_000)
    assert "内容摘要太长了" in reply and "2000字" in reply and reply.endswith(ct.QUESTIONS["summary"])
    assert len(reply.encode()) <= 2048
    state = bot.state(World.MEM_A)
    assert state is not None and state.data["d"].get("summary") is None
    assert bot.records() == []
    reply = await bot.say(World.MEM_A, "无")
    assert "请核对" in reply and "内容：" not in reply
    await bot.say(World.MEM_A, "确认")
    [rec] = bot.records()
    assert rec.summary == ""


async def test_ten_thousand_character_summary_in_first_message(make_bot: Any) -> None:
    bot = await make_bot()
    reply = await bot.say(
        World.MEM_A, "签到 昨天开了主题党日，应到12人实到12人，主题是学习党章，会议内容：" + "学" * 10_000
    )
    assert "内容摘要太长了" in reply and reply.endswith(ct.QUESTIONS["summary"])
    assert len(reply.encode()) <= 2048 and bot.records() == []


async def test_injection_looking_absentees_and_summary_stored_verbatim(make_bot: Any) -> None:
    bot = await make_bot()
    summary = "学习'); DROP TABLE record_absentee;-- <script>alert(1)</script> ]]> & \"引号\""
    reason = "'); DELETE FROM member;--"
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到11人，主题是学习党章")
    reply = await bot.say(World.MEM_A, f"张三（{reason}）")
    assert f"张三（{reason}）" in reply
    await bot.say(World.MEM_A, f"修改 决议 {summary}")
    await bot.say(World.MEM_A, "确认")
    [rec] = bot.records()
    assert rec.decisions == summary
    assert rec.id is not None and _stored_absentees(bot, rec.id) == [("张三", reason, None)]


async def test_long_absentee_list_and_texts_fit_one_reply(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(
        World.MEM_A,
        f"签到 昨天开了主题党日，应到17人实到2人，主题是{'议' * 200}，会议内容：{'容' * 2000}。决议：{'决' * 2000}",
    )
    reason = "因为家里有事情需要处理所以请假没有参加"
    names = "，".join(f"党员{'甲乙丙丁戊己庚辛壬癸子丑寅卯辰'[i]}{i} {reason}" for i in range(15))
    reply = await bot.say(World.MEM_A, names)
    assert "请核对" in reply and "等15人" in reply and reply.endswith(ct.SUMMARY_TAIL)
    assert len(reply.encode()) <= 2048
    # every other text at its cap too: the summary and its hint still come in one reply
    for edit in (f"修改 地点 {'地' * 100}", f"修改 主持人 {'主' * 30}", f"修改 记录人 {'记' * 30}"):
        reply = await bot.say(World.MEM_A, edit)
        assert reply.startswith(ct.SUMMARY_TITLE) and reply.endswith(ct.SUMMARY_TAIL)
        assert len(reply.encode()) <= 2048
    reply = await bot.say(World.MEM_A, "确认")
    assert ct.SUBMITTED in reply and "等15人" in reply and len(reply.encode()) <= 2048
    [rec] = bot.records()
    assert len(rec.summary) == 2000 and len(rec.decisions) == 2000  # only the display is cut
    assert rec.id is not None and len(_stored_absentees(bot, rec.id)) == 15


# --- organizers, members, county staff ---------------------------------------------------------------


async def test_organizer_confirms_pending_record(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人，主题是学习党章")
    await bot.say(World.MEM_A, "跳过")
    await bot.say(World.MEM_A, "确认")
    [rec] = bot.records()
    reply = await bot.say(World.ORG_A, "确认")
    assert ct.PENDING_TITLE in reply and f"#{rec.id} " in reply and "王小明提交" in reply
    reply = await bot.say(World.ORG_A, f"确认 {rec.id}")
    assert reply.startswith(f"已确认 #{rec.id}")
    assert bot.records()[0].status == "confirmed"
    assert await bot.say(World.ORG_A, "确认") == ct.PENDING_NONE
    assert await bot.say(World.MEM_A, f"确认 {rec.id}") == ct.error_text(StoreError(ErrorCode.FORBIDDEN))


async def test_ledger_replies(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.SEC_A, "签到 昨天开了主题党日，应到12人实到10人，主题是学习党章")
    await bot.say(World.SEC_A, "跳过")
    await bot.say(World.SEC_A, "确认")
    held = ct.short_date(_today(bot) - timedelta(days=1))
    for user in (World.MEM_A, World.SEC_A):
        reply = await bot.say(user, "本月台账")
        assert reply.startswith("【红星村党支部】") and "台账" in reply
        assert f"主题党日（{(_today(bot) - timedelta(days=1)).month}月）：已完成（{held}）" in reply or (
            (_today(bot) - timedelta(days=1)).month != _today(bot).month
        )
        assert "党小组会·第一党小组" in reply
        assert len(reply.encode()) <= 2048
    reply = await bot.say(World.MEM_B, "本季度情况")
    assert "【向阳村党支部】" in reply and "· 支部委员会：不适用" in reply
    assert reply.count("支部委员会") == 1
    reply = await bot.say(World.SEC_A, "未完成")
    assert "还需完成" in reply or "没有未完成" in reply
    assert "主题党日" not in reply.split("\n")[1] if "还需完成" in reply and held in reply else True
    assert await bot.say(World.MEM_A, "未完成") == ct.ORGANIZER_ONLY
    assert "绑定" in await bot.say("o_stranger", "本月台账")


async def test_compliance_for_county_staff(make_bot: Any) -> None:
    bot = await make_bot()
    reply = await bot.say(World.STAFF, "达标率")
    assert reply.startswith("【某县委】支部达标率") and "个支部" in reply and "%" in reply
    reply = await bot.say(World.STAFF, "达标率 向阳村")
    assert reply.startswith("【向阳村党支部】达标明细")
    reply = await bot.say(World.STAFF, "达标率 不存在的村")
    assert "没有找到" in reply
    assert await bot.say(World.SEC_A, "达标率") == ct.STAFF_ONLY
    assert await bot.say(World.MEM_A, "达标率") == ct.STAFF_ONLY
    assert await bot.say(World.STAFF, "签到") == ct.STAFF_NO_CHECKIN
    reply = await bot.say(World.STAFF, "本月台账 红星村")
    assert reply.startswith("【红星村党支部】")


# --- binding -------------------------------------------------------------------------------------------


def _code(bot: Bot) -> str:
    with Session(bot.engine) as s:
        invite = s.exec(select(InviteCode).order_by(col(InviteCode.id).desc())).first()
        assert invite is not None
        return invite.code


def _bound_member(bot: Bot, openid: str) -> Member | None:
    with Session(bot.engine) as s:
        b = s.exec(select(WeChatBinding).where(WeChatBinding.openid == openid)).first()
        return None if b is None else s.get(Member, b.member_id)


async def test_invite_code_and_binding_by_code(make_bot: Any) -> None:
    bot = await make_bot()
    reply = await bot.say(World.SEC_A, "邀请码")
    code = _code(bot)
    assert code in reply and f"bind_{code}" in reply
    reply = await bot.say("o_new", f"绑定 {code}")
    assert "红星村党支部" in reply and "党员甲0" in reply and "王小明" not in reply  # bound ones not listed
    reply = await bot.say("o_new", "张三丰")
    assert "没有找到" in reply
    reply = await bot.say("o_new", "党员甲0")
    assert reply.startswith("绑定成功") and "党员甲0" in reply
    member = _bound_member(bot, "o_new")
    assert member is not None and member.name == "党员甲0"
    # now a check-in works
    assert "什么会" in await bot.say("o_new", "签到")


async def test_binding_by_qr_scene_on_subscribe_and_scan(make_bot: Any) -> None:
    bot = await make_bot()
    await bot.say(World.SEC_B, "邀请码")
    code = _code(bot)
    reply = await bot.event("o_qr1", "subscribe", f"qrscene_bind_{code}")
    assert reply is not None and texts.WELCOME in reply and "向阳党员0" in reply
    reply = await bot.say("o_qr1", "1")
    assert reply.startswith("绑定成功")
    reply = await bot.event("o_qr2", "SCAN", f"bind_{code}")
    assert reply is not None and "向阳村党支部" in reply
    assert "绑定成功" in await bot.say("o_qr2", "向阳党员1")
    assert _bound_member(bot, "o_qr2") is not None
    # a plain subscribe still gets the welcome
    assert await bot.event("o_plain", "subscribe") == texts.WELCOME


async def test_non_organizer_asking_for_invite_code_refused(make_bot: Any) -> None:
    bot = await make_bot()
    assert await bot.say(World.MEM_A, "邀请码") == ct.ORGANIZER_ONLY
    assert "绑定" in await bot.say("o_stranger", "邀请码")
    with Session(bot.engine) as s:
        assert s.exec(select(InviteCode)).first() is None
    reply = await bot.say(World.STAFF, "邀请码")
    assert reply == ct.INVITE_STAFF_WHICH
    assert "向阳村党支部" in await bot.say(World.STAFF, "邀请码 向阳村")
