"""Chinese date phrases read as the past, in Beijing time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from handlers.checkin_dates import (
    DateParseError,
    DateProblem,
    cn_to_int,
    find_date,
    parse_past_date,
    today_beijing,
)
from handlers.checkin_texts import error_text

MON = date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天", date(2026, 11, 23)),
        ("今天上午", date(2026, 11, 23)),
        ("昨天", date(2026, 11, 22)),
        ("昨晚开的", date(2026, 11, 22)),
        ("前天", date(2026, 11, 21)),
        ("大前天", date(2026, 11, 20)),
        ("3天前", date(2026, 11, 20)),
        ("三天前", date(2026, 11, 20)),
        ("上周五", date(2026, 11, 20)),
        ("上星期五", date(2026, 11, 20)),
        ("上个礼拜一", date(2026, 11, 16)),
        ("上周日", date(2026, 11, 22)),
        ("上上周三", date(2026, 11, 11)),
        ("周一", date(2026, 11, 23)),  # today is Monday: the last Monday is today
        ("周二开的会", date(2026, 11, 17)),  # the last Tuesday
        ("星期天", date(2026, 11, 22)),
        ("礼拜六", date(2026, 11, 21)),
        ("本周一", date(2026, 11, 23)),
        ("11月20日", date(2026, 11, 20)),
        ("11月20号", date(2026, 11, 20)),
        ("11 月 20 日", date(2026, 11, 20)),
        ("十一月二十日", date(2026, 11, 20)),
        ("十一月二十号", date(2026, 11, 20)),
        ("2026-11-20", date(2026, 11, 20)),
        ("2026/11/20", date(2026, 11, 20)),
        ("2026.11.20", date(2026, 11, 20)),
        ("2026年11月20日", date(2026, 11, 20)),
        ("二〇二六年十一月二十日", date(2026, 11, 20)),
        ("２０２６－１１－２０", date(2026, 11, 20)),
        ("11.20", date(2026, 11, 20)),
        ("11/20", date(2026, 11, 20)),
        ("20号", date(2026, 11, 20)),
        ("25号", date(2026, 10, 25)),  # not yet this month: last month's
        ("上个月5号", date(2026, 10, 5)),
        ("上月5日", date(2026, 10, 5)),
        ("2025-12-31", date(2025, 12, 31)),
        ("1月5日", date(2026, 1, 5)),
    ],
)
def test_past_dates(text: str, expected: date) -> None:
    assert parse_past_date(text, today=MON) == expected


def test_month_day_rolls_back_a_year_only_when_far_ahead() -> None:
    jan3 = date(2027, 1, 3)
    assert parse_past_date("12月28日", today=jan3) == date(2026, 12, 28)
    assert parse_past_date("12.28", today=jan3) == date(2026, 12, 28)
    with pytest.raises(DateParseError) as info:
        parse_past_date("11月25日", today=MON)  # two days ahead: a mistake, not last year
    assert info.value.problem is DateProblem.FUTURE and info.value.value == date(2026, 11, 25)


@pytest.mark.parametrize(
    "text", ["明天", "后天", "2026-11-24", "2027年1月1日", "本周五", "这周三", "11月30日"]
)
def test_future_refused(text: str) -> None:
    with pytest.raises(DateParseError) as info:
        parse_past_date(text, today=MON)
    assert info.value.problem is DateProblem.FUTURE
    assert "还没到" in error_text(info.value)


@pytest.mark.parametrize("text", ["随便", "", "应到25人", "3号楼会议室"])
def test_no_date(text: str) -> None:
    with pytest.raises(DateParseError) as info:
        parse_past_date(text, today=MON)
    assert info.value.problem is DateProblem.UNKNOWN
    assert "日期" in error_text(info.value)


@pytest.mark.parametrize("text", ["2月30日", "2026-02-30", "13月1日"])
def test_invalid_dates(text: str) -> None:
    with pytest.raises(DateParseError) as info:
        parse_past_date(text, today=MON)
    assert info.value.problem is DateProblem.INVALID


def test_find_date_in_a_sentence() -> None:
    found = find_date("我们支部昨天下午在村部开了主题党日，应到25人实到23人", today=MON)
    assert found is not None and found.value == date(2026, 11, 22) and found.text == "昨天"
    found = find_date("应到25人实到23人，11月20日开的党员大会", today=MON)
    assert found is not None and found.value == date(2026, 11, 20)
    assert find_date("应到25人，实到23人，在3号楼", today=MON) is None


def test_today_is_beijing_time() -> None:
    assert today_beijing(datetime(2026, 11, 23, 16, 30, tzinfo=UTC)) == date(2026, 11, 24)
    assert today_beijing(datetime(2026, 11, 23, 15, 59, tzinfo=UTC)) == date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("二十五", 25),
        ("十", 10),
        ("十二", 12),
        ("一百零八", 108),
        ("两", 2),
        ("二〇二六", 2026),
        ("30", 30),
        ("abc", None),
    ],
)
def test_cn_numbers(text: str, value: int | None) -> None:
    assert cn_to_int(text) == value
