"""Absentees (缺席 with reasons), 会议内容 and 决议: the answer parser, extraction from a first message, the
conversation's parsing of the absentee answer, and how they are shown (within one WeChat reply)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, cast

import pytest

from bot.settings import Settings
from bot.store.errors import ErrorCode, StoreError
from bot.store.service import CheckinStore
from bot.store.views import AbsenteeView, RecordView
from handlers import checkin_texts as ct
from handlers.checkin import CheckinConversation, Step, _edit_value
from handlers.checkin_extract import Absence, extract_checkin, normalise_reason, parse_absentees

MON = date(2026, 11, 23)
REPLY_MAX = 2047  # Settings.reply_max_bytes: WeChat drops text replies over 2048 bytes


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(a.name, a.reason) for a in parse_absentees(text)]


# --- the answer to "缺席的是哪几位？" ---------------------------------------------------------------------

ANSWERS: list[tuple[str, list[tuple[str, str]]]] = [
    ("张三 病假，李四 外出务工", [("张三", "病假"), ("李四", "外出务工")]),
    ("张三（病假）、李四（事假）", [("张三", "病假"), ("李四", "事假")]),
    ("张三(病假),李四(事假)", [("张三", "病假"), ("李四", "事假")]),
    ("张三:病假;李四：因公出差", [("张三", "病假"), ("李四", "因公出差")]),
    ("张三病假，李四外出务工", [("张三", "病假"), ("李四", "外出务工")]),
    ("张三病假李四事假", [("张三", "病假"), ("李四", "事假")]),
    ("张三 病假 李四 事假", [("张三", "病假"), ("李四", "事假")]),
    ("张三\n李四 有事", [("张三", ""), ("李四", "事假")]),
    ("张三", [("张三", "")]),
    ("张三、李四、王五", [("张三", ""), ("李四", ""), ("王五", "")]),
    ("张三 李四 王五", [("张三", ""), ("李四", ""), ("王五", "")]),
    ("缺席的是张三和李四", [("张三", ""), ("李四", "")]),
    ("请假2人：张三 病，李四", [("张三", "病假"), ("李四", "")]),
    ("张三同志（生病了）", [("张三", "病假")]),
    ("张三 孩子结婚", [("张三", "孩子结婚")]),  # not a normalised reason: kept as written
    ("王小明请假", [("王小明", "请假")]),
    ("王建因", [("王建因", "")]),  # a name ending like a reason word stays a name
    ("欧阳小明 病假", [("欧阳小明", "病假")]),
    ("阿不都·热合曼（住院）", [("阿不都·热合曼", "住院")]),
    ("张三（病假，住院）、李四", [("张三", "病假，住院"), ("李四", "")]),
    ("张三 病假，张三 病假", [("张三", "病假")]),  # a name counts once
    ("😀，张三 病", [("张三", "病假")]),  # emoji items are noise
    ("李四等", [("李四", "")]),
    ("张三（'); DROP TABLE member;--）", [("张三", "'); DROP TABLE member;--")]),
]


@pytest.mark.parametrize(("text", "expected"), ANSWERS, ids=[a[0][:10] for a in ANSWERS])
def test_parse_absentees(text: str, expected: list[tuple[str, str]]) -> None:
    assert _pairs(text) == expected


@pytest.mark.parametrize("text", ["😀😀👍", "123", "。。。", "", "？", "病假"])
def test_parse_absentees_nothing_like_a_name(text: str) -> None:
    assert parse_absentees(text) == []


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("病", "病假"),
        ("生病了", "病假"),
        ("因病", "病假"),
        ("有事", "事假"),
        ("家里有事", "事假"),
        ("因公", "公假"),
        ("公假", "公假"),
        ("因病住院", "因病住院"),  # only the unambiguous short forms are rewritten
        ("外出务工", "外出务工"),
        ("出差", "出差"),
        ("", ""),
    ],
)
def test_normalise_reason(reason: str, expected: str) -> None:
    assert normalise_reason(reason) == expected


# --- extraction from a first message ----------------------------------------------------------------------


def test_first_message_with_every_section() -> None:
    got = extract_checkin(
        "昨天开了支部党员大会，应到12人实到10人，缺席2人：张三（病假）、李四（事假），主题是讨论发展党员，"
        "会议内容：学习了细则，大家逐一发言。决议：同意赵某某转为正式党员。表决：全票通过",
        today=MON,
    )
    assert got.absentees == (Absence("张三", "病假"), Absence("李四", "事假"))
    assert (got.expected, got.present, got.absent) == (12, 10, 2)  # "缺席2人：" still counts
    assert got.topic == "讨论发展党员"  # the topic does not run into the sections
    assert got.summary == "学习了细则，大家逐一发言"
    assert got.decisions == "同意赵某某转为正式党员；表决：全票通过"
    assert {"absentees", "summary", "decisions"} <= set(got.found)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("昨天主题党日，应到12人实到10人，请假的有张三、李四，主题是学习党章", ["张三", "李四"]),
        ("昨天主题党日，应到12人实到10人，缺席2人（张三病假、李四事假），主题是学习党章", ["张三", "李四"]),
        ("昨天主题党日，应到12人实到10人，没来的是张三和李四。主题是学习党章", ["张三", "李四"]),
        ("昨天主题党日，应到12人实到10人，缺席人员：张三 病假；主题是学习党章", ["张三"]),
    ],
)
def test_absentees_in_first_message(text: str, names: list[str]) -> None:
    got = extract_checkin(text, today=MON)
    assert got.absentees is not None and [a.name for a in got.absentees] == names
    assert got.topic == "学习党章"


def test_absentee_list_stops_where_the_message_goes_on() -> None:
    got = extract_checkin("昨天主题党日，应到12人实到10人，缺席：张三、李四，大家学习了党章", today=MON)
    assert got.absentees == (Absence("张三", ""), Absence("李四", ""))
    assert got.topic == "学习了党章"


def test_absent_count_without_names_is_no_list() -> None:
    got = extract_checkin("签到：十一月十八日 支部委员会会议 应到7人 实到6人 1人请假", today=MON)
    assert got.absentees is None and got.absent == 1
    got = extract_checkin("昨天主题党日，应到12人实到10人，缺席：无", today=MON)
    assert got.absentees is None


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        ("昨天主题党日，应到12人实到12人，会议内容：学习党章", "学习党章"),
        ("昨天主题党日，应到12人实到12人，主要内容是讲了一堂党课，地点在村部", "讲了一堂党课"),
        ("昨天主题党日，应到12人实到12人，纪要：传达县委会议精神。布置冬季防火", "传达县委会议精神。布置冬季防火"),
    ],
)
def test_summary_in_first_message(text: str, summary: str) -> None:
    got = extract_checkin(text, today=MON)
    assert got.summary == summary
    assert got.topic is None  # "…内容…" is the summary here, not the topic
    assert got.also_types == ()  # "党课" inside the summary is not a second type


def test_section_ends_at_the_next_field() -> None:
    got = extract_checkin("昨天主题党日，会议内容：学习党章。地点：村部，应到12人实到12人，主持人：王强", today=MON)
    assert (got.summary, got.place, got.expected, got.host) == ("学习党章", "村部", 12, "王强")


@pytest.mark.parametrize(
    ("text", "decisions"),
    [
        ("昨天党员大会，应到9人实到9人，决议：同意修建村道", "同意修建村道"),
        ("昨天党员大会，应到9人实到9人，会议决定：年底前完成换届", "年底前完成换届"),
        ("昨天党员大会，应到9人实到9人，表决：8票赞成1票弃权", "表决：8票赞成1票弃权"),
    ],
)
def test_decisions_in_first_message(text: str, decisions: str) -> None:
    assert extract_checkin(text, today=MON).decisions == decisions


def test_unlabelled_vote_stays_in_the_topic() -> None:
    got = extract_checkin("20号开了党员大会，议题：讨论发展党员，表决通过", today=MON)
    assert got.topic == "讨论发展党员，表决通过" and got.decisions is None


def test_injection_looking_summary_is_just_text() -> None:
    got = extract_checkin("昨天主题党日，会议内容：'); DROP TABLE activity_record; -- <script>", today=MON)
    assert got.summary == "'); DROP TABLE activity_record; -- <script>"


# --- the conversation's parsing of answers (no database) ----------------------------------------------------


@pytest.fixture
def conv(tmp_path: Path) -> CheckinConversation:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    return CheckinConversation(cast(CheckinStore, None), settings, state_in_store=False)


C: dict[str, Any] = {"types": [["theme_day", "主题党日", "branch"]], "groups": [], "roster": 12}


def test_absentee_answer(conv: CheckinConversation) -> None:
    d = {"expected": 12, "present": 10}
    assert conv.parse_answer(Step.ABSENTEES, "张三 病，李四", d, C) == {
        "absentees": [{"name": "张三", "reason": "病假"}, {"name": "李四", "reason": ""}]
    }
    for skip in ("跳过", "无", "不清楚。", "确认", "无人缺席", "都到了"):
        assert conv.parse_answer(Step.ABSENTEES, skip, d, C) == {"absentees": []}


def test_absentee_answer_over_the_gap(conv: CheckinConversation) -> None:
    with pytest.raises(StoreError) as err:
        conv.parse_answer(Step.ABSENTEES, "张三、李四、王五", {"expected": 12, "present": 10}, C)
    assert err.value.code is ErrorCode.ABSENTEES_OVER_GAP and err.value.params == {"listed": 3, "gap": 2}


def test_absentee_answer_caps(conv: CheckinConversation) -> None:
    d = {"expected": 12, "present": 10}
    with pytest.raises(StoreError) as err:
        conv.parse_answer(Step.ABSENTEES, "张三 " + "病" * 51, d, C)
    assert err.value.code is ErrorCode.TOO_LONG and err.value.params["field"] == "absentee_reason"
    with pytest.raises(StoreError) as err:
        conv.parse_answer(Step.ABSENTEES, "张" * 31, d, C)
    assert err.value.code is ErrorCode.TOO_LONG and err.value.params["field"] == "absentee_name"


def test_summary_and_decisions_answers(conv: CheckinConversation) -> None:
    assert conv.parse_answer(Step.SUMMARY, "学习党章", {}, C) == {"summary": "学习党章"}
    assert conv.parse_answer(Step.DECISIONS, "无", {}, C) == {"decisions": ""}
    with pytest.raises(StoreError) as err:
        conv.parse_answer(Step.SUMMARY, "学" * 10_000, {}, C)
    assert err.value.code is ErrorCode.TOO_LONG and err.value.params == {
        "field": "summary",
        "limit": 2000,
        "length": 10_000,
    }
    assert "内容摘要太长了" in ct.error_text(err.value)


def test_over_gap_refusal_asks_absentees_again(conv: CheckinConversation) -> None:
    d: dict[str, Any] = {"expected": 12, "present": 11, "absentees": [{"name": "张三", "reason": ""}] * 2}
    err = StoreError(ErrorCode.ABSENTEES_OVER_GAP, listed=2, gap=1)
    assert conv._clear_for(err, d, Step.CONFIRM) is Step.ABSENTEES and d["absentees"] is None
    # nobody absent any more: nothing to ask, the list is dropped (and said so)
    d = {"expected": 12, "present": 12, "absentees": [{"name": "张三", "reason": ""}]}
    err = StoreError(ErrorCode.ABSENTEES_OVER_GAP, listed=1, gap=0)
    assert conv._clear_for(err, d, Step.CONFIRM) is None and d["absentees"] == []
    assert conv._refusal(err) == ct.ABSENTEES_CLEARED


# --- display: short, and within one reply -------------------------------------------------------------------


def test_absentee_list_display() -> None:
    assert ct.absentee_list([("张三", "病假"), ("李四", "")]) == "张三（病假）、李四"
    many = ct.absentee_list([(f"党员{i:02d}", "外出务工") for i in range(30)])
    assert many.endswith("等30人") and len(many) < ct.SHOW_ABSENTEES_CHARS + 20


def test_worst_case_draft_summary_fits_one_reply(conv: CheckinConversation) -> None:
    s = conv.settings
    c: dict[str, Any] = {
        "types": [["group_meeting", "党小组会", "group"], ["theme_day", "主题党日", "branch"]],
        "groups": [],
        "roster": 300,
    }
    d: dict[str, Any] = {
        "type_code": "group_meeting",
        "also_counts_as": "theme_day",
        "group_name": "组" * 30,
        "held_on": "2026-11-20",
        "time": "14:30",
        "expected": 300,
        "present": 1,
        "absentees": [
            {"name": "名" * s.checkin_name_max_chars, "reason": "因" * s.checkin_reason_max_chars}
        ]
        * s.checkin_max_absentees,
        "topic": "题" * s.checkin_topic_max_chars,
        "place": "地" * s.checkin_place_max_chars,
        "host": "主" * s.checkin_name_max_chars,
        "recorder": "记" * s.checkin_name_max_chars,
        "summary": "容" * s.checkin_summary_max_chars,
        "decisions": "决" * s.checkin_decisions_max_chars,
        "photos": [{"media_id": "m", "sha256": "0" * 64}] * s.checkin_max_photos,
    }
    summary = conv._summary(d, c)
    assert len(summary.encode()) <= ct.SUMMARY_MAX_BYTES and summary.endswith(ct.SUMMARY_TAIL)
    assert "等200人" in summary and "（共2000字）" in summary
    # with the lines that can come before it (what was understood, a refusal) still one reply
    understood = conv._understood(d, c)
    assert understood is not None
    refusal = ct.error_text(StoreError(ErrorCode.EXPECTED_OVER_ROSTER, expected=300, roster=295, limit=300))
    assert len("\n".join([understood, refusal, summary]).encode()) <= REPLY_MAX


def test_record_summary_shows_absentees_and_fits() -> None:
    view = RecordView(
        id=1,
        branch_id=1,
        branch_name="红星村党支部",
        group_id=2,
        group_name="组" * 30,
        type_code="general_meeting",
        type_name="党员大会",
        held_on=date(2026, 11, 20),
        start_time=time(14, 30),
        place="地" * 100,
        host="主" * 30,
        recorder="记" * 30,
        topic="题" * 200,
        expected=300,
        present=1,
        summary="容" * 2000,
        decisions="决" * 2000,
        also_counts_as=None,
        absentees=tuple(AbsenteeView("名" * 30, "因" * 50) for _ in range(200)),
        photos=(),
        submitted_by=1,
        submitted_by_name="王小明",
        submitted_at=datetime(2026, 11, 23, 2, 0),
        status="pending",
        late=True,
        confirmed_by=None,
        confirmed_at=None,
        version=1,
        supersedes_id=None,
        is_current=True,
        warnings=("quorum",),
    )
    text = ct.record_summary(view)
    assert text.startswith("11月20日 党员大会（组") and "\n主持：主" in text and "　记录：记" in text
    assert "\n应到300人，实到1人，缺席299人\n" in text and text.endswith("状态：待确认（逾期上报）")
    assert "缺席：名" in text and "等200人" in text and "内容：" in text and "决议：" in text
    warning = ct.quorum_warning(view)
    assert warning is not None
    reply = "\n".join([ct.SUBMITTED, text, ct.SUBMITTED_PENDING, ct.SUBMITTED_LATE, warning, ct.PHOTO_LATER])
    assert len(reply.encode()) <= REPLY_MAX
    short = dataclasses.replace(view, absentees=(AbsenteeView("张三", "病假"), AbsenteeView("李四", "")))
    assert "缺席：张三（病假）、李四" in ct.record_summary(short)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("为村委会", "村委会"),
        (" 为村委会", "村委会"),
        ("：村委会", "村委会"),
        ("改成村部", "村部"),
        (" 是学习党章", "学习党章"),
        (" 同意修路，全票赞成", "同意修路，全票赞成"),  # a trailing 成 is part of the value
        (" 成龙 病假", "成龙 病假"),  # a name after a space is kept whole
        (" 为", ""),
    ],
)
def test_edit_value(text: str, value: str) -> None:
    assert _edit_value(text) == value
