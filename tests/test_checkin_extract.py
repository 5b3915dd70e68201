"""Fields of a first check-in message, on many phrasings."""

from __future__ import annotations

from datetime import date, time

import pytest

from handlers.checkin_dates import DateProblem
from handlers.checkin_extract import detect_types, extract_checkin, parse_count, parse_time

MON = date(2026, 11, 23)

CASES: list[tuple[str, dict[str, object]]] = [
    (
        "昨天开了主题党日，应到25人实到23人，主题是学习二十届四中全会精神",
        {
            "type_code": "theme_day",
            "held_on": date(2026, 11, 22),
            "expected": 25,
            "present": 23,
            "topic": "学习二十届四中全会精神",
        },
    ),
    (
        "11月20日下午3点在村委会会议室召开支部党员大会，应到会32人，实到29人，缺席3人，由书记张建国主持，李梅记录，"
        "议题：讨论发展党员，表决通过",
        {
            "type_code": "general_meeting",
            "held_on": date(2026, 11, 20),
            "start_time": time(15, 0),
            "place": "村委会会议室",
            "expected": 32,
            "present": 29,
            "absent": 3,
            "host": "张建国",
            "recorder": "李梅",
            "topic": "讨论发展党员，表决通过",
        },
    ),
    (
        "上周五晚上7点半，第一党小组开了党小组会，参加12人，请假1人，学习了党章",
        {
            "type_code": "group_meeting",
            "held_on": date(2026, 11, 20),
            "start_time": time(19, 30),
            "present": 12,
            "absent": 1,
            "expected": 13,
            "group_name": "第一党小组",
            "topic": "学习了党章",
        },
    ),
    (
        "2026-11-02 支委会 实到5 应到5 地点：村部 主持人：王强",
        {
            "type_code": "committee",
            "held_on": date(2026, 11, 2),
            "expected": 5,
            "present": 5,
            "place": "村部",
            "host": "王强",
        },
    ),
    (
        "今天上午九点主题党日活动暨党课，全支部18名党员，16人参加，内容是参观红色教育基地",
        {
            "type_code": "theme_day",
            "also_types": ("lecture",),
            "held_on": MON,
            "start_time": time(9, 0),
            "expected": 18,
            "present": 16,
            "topic": "参观红色教育基地",
        },
    ),
    (
        "周一开的会，组织生活会，应到二十五人，实到二十三人",
        {"type_code": "life_meeting", "held_on": MON, "expected": 25, "present": 23},
    ),
    (
        "2026年11月20日开展主题党日，在3号会议室，应到10实到10",
        {
            "type_code": "theme_day",
            "held_on": date(2026, 11, 20),
            "place": "3号会议室",
            "expected": 10,
            "present": 10,
        },
    ),
    (
        "11.20 党课 应到10人 实到9人 主题：学习《中国共产党支部工作条例》",
        {
            "type_code": "lecture",
            "held_on": date(2026, 11, 20),
            "expected": 10,
            "present": 9,
            "topic": "学习《中国共产党支部工作条例》",
        },
    ),
    (
        "前天14:30在党群服务中心开支部大会，应出席30名，实际到会27名，议题是选举支部委员",
        {
            "type_code": "general_meeting",
            "held_on": date(2026, 11, 21),
            "start_time": time(14, 30),
            "place": "党群服务中心",
            "expected": 30,
            "present": 27,
            "topic": "选举支部委员",
        },
    ),
    (
        "签到：十一月十八日 支部委员会会议 应到7人 实到6人 1人请假",
        {"type_code": "committee", "held_on": date(2026, 11, 18), "expected": 7, "present": 6, "absent": 1},
    ),
    (
        "我们村昨天搞了固定党日活动，应参会党员20名，实际参加18名，地点在村部",
        {
            "type_code": "theme_day",
            "held_on": date(2026, 11, 22),
            "expected": 20,
            "present": 18,
            "place": "村部",
        },
    ),
    (
        "记录一下：上周三讲了微党课，主讲人是书记，应到15，实到15",
        {"type_code": "lecture", "held_on": date(2026, 11, 18), "expected": 15, "present": 15},
    ),
    (
        "主题党日 11/20 应到人数：12 实到人数：11 主持人：赵四 记录人：钱五",
        {
            "type_code": "theme_day",
            "held_on": date(2026, 11, 20),
            "expected": 12,
            "present": 11,
            "host": "赵四",
            "recorder": "钱五",
        },
    ),
    (
        "20号开了党员大会，应到9999人，实到0人",
        {"type_code": "general_meeting", "held_on": date(2026, 11, 20), "expected": 9999, "present": 0},
    ),
]


@pytest.mark.parametrize(("text", "fields"), CASES, ids=[c[0][:12] for c in CASES])
def test_first_message_fields(text: str, fields: dict[str, object]) -> None:
    got = extract_checkin(text, today=MON)
    for name, value in fields.items():
        assert getattr(got, name) == value, (name, getattr(got, name))
    assert set(got.found) >= {k for k in fields if k != "also_types"}


def test_missing_fields_are_asked_in_order() -> None:
    got = extract_checkin("签到", today=MON)
    assert got.missing() == ["type_code", "held_on", "expected", "present", "topic"]
    got = extract_checkin("昨天开了支委会", today=MON)
    assert got.missing() == ["expected", "present", "topic"]


def test_future_date_in_the_message() -> None:
    got = extract_checkin("明天开主题党日，应到20人", today=MON)
    assert got.held_on is None and got.date_error is not None and got.date_error.problem is DateProblem.FUTURE
    assert got.type_code == "theme_day" and got.expected == 20


def test_injection_text_is_just_text() -> None:
    got = extract_checkin("主题是'); DROP TABLE activity_record; --", today=MON)
    assert got.topic == "'); DROP TABLE activity_record; --"


def test_detect_types_prefers_longer_phrases() -> None:
    assert detect_types("支部党员大会") == ["general_meeting"]
    assert detect_types("党小组会") == ["group_meeting"]
    assert detect_types("主题党日暨支部党员大会，并讲了党课") == ["theme_day", "general_meeting", "lecture"]
    assert detect_types("今天天气不错") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [("25", 25), ("25人", 25), ("二十五名", 25), ("共１２人", 12), ("没人", None), ("-3", 3)],
)
def test_parse_count(text: str, value: int | None) -> None:
    assert parse_count(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("14:30", time(14, 30)),
        ("下午3点", time(15, 0)),
        ("晚上7点半", time(19, 30)),
        ("上午九点", time(9, 0)),
        ("中午12点", time(12, 0)),
        ("早上8点15分", time(8, 15)),
        ("25:00", None),
        ("没说", None),
    ],
)
def test_parse_time(text: str, value: time | None) -> None:
    assert parse_time(text) == value
