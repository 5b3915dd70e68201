"""Notice syntax, length limits, template fields (pure), and the last-interaction tracker (database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.broadcast.activity import ActivityTracker
from bot.broadcast.compose import NoticeCommand, fit, fit_bytes, parse_notice, template_data
from bot.broadcast.models import UserActivity
from bot.broadcast.ratelimit import RateLimiter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("通知 明天开会", NoticeCommand("all", "明天开会")),
        ("通知：明天开会", NoticeCommand("all", "明天开会")),
        ("通知", NoticeCommand("all", "")),
        ("通知 第一党小组 明晚学习", NoticeCommand("group", "明晚学习", "第一党小组")),
        ("通知 第一党小组：明晚学习", NoticeCommand("group", "明晚学习", "第一党小组")),
        ("通知 未签到 主题党日 请补学", NoticeCommand("absent", "请补学", "主题党日")),
        ("通知 红星村党支部 开会", NoticeCommand("org", "开会", "红星村党支部")),
        ("通知 明天，大家到村部", NoticeCommand("all", "明天，大家到村部")),
        ("通知 第一行\n第二行", NoticeCommand("all", "第一行\n第二行")),
    ],
)
def test_parse_notice(text: str, expected: NoticeCommand) -> None:
    assert parse_notice(text) == expected


@pytest.mark.parametrize("text", ["通知记录", "通知是什么意思", "请通知我", "帮助"])
def test_not_a_notice(text: str) -> None:
    assert parse_notice(text) is None


@given(st.text(max_size=80))
def test_fit_is_one_line_within_the_limit(text: str) -> None:
    out = fit(text, 20)
    assert len(out) <= 20 and "\n" not in out and "\r" not in out


@given(st.text(max_size=400))
def test_fit_bytes_never_splits_a_character(text: str) -> None:
    out = fit_bytes(text, 100)
    assert len(out.encode("utf-8")) <= 100
    out.encode("utf-8").decode("utf-8")


def test_template_fields_obey_the_platform_rules() -> None:
    data = template_data(
        {"thing1": "summary", "thing2": "org", "time3": "time", "thing4": "text:请准时参加", "x": "sender"},
        summary="本周五下午3点在村委会\n开展主题党日活动，请全体党员准时参加",
        org="某某县某某镇某某村党支部委员会第一党小组",
        sender="",
        kind="通知",
        at=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
        tz="Asia/Shanghai",
        max_chars=20,
    )
    assert data["time3"] == "2026年11月23日 10:00"
    assert data["thing4"] == "请准时参加" and data["x"] == "-"
    assert all(len(v) <= 20 and "\n" not in v for v in data.values())
    assert data["thing1"].endswith("…")


async def test_rate_limiter_paces_the_sends() -> None:
    import time

    limiter = RateLimiter(100.0)
    start = time.monotonic()
    for _ in range(30):
        await limiter.acquire()
    assert 0.15 <= time.monotonic() - start <= 1.0


def test_tracker_upserts_newest_time_and_subscription(engine: Engine) -> None:
    tracker = ActivityTracker()
    t0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    tracker.note("o1", at=t0)
    tracker.note("o2", message=False, subscribed=True)
    assert tracker.flush_sync(engine) == 2
    tracker.note("o1", at=t0 - timedelta(hours=1))  # older: ignored
    tracker.note("o2", message=False, subscribed=False)  # unfollowed
    tracker.note("o3", at=t0)
    assert tracker.flush_sync(engine) == 3
    with Session(engine) as s:
        o1, o2, o3 = (s.get(UserActivity, k) for k in ("o1", "o2", "o3"))
    assert o1 is not None and o1.last_inbound_at == t0 and o1.subscribed
    assert o2 is not None and not o2.subscribed
    assert o3 is not None and o3.last_inbound_at == t0
    tracker.note("o2", at=t0 + timedelta(hours=1))  # wrote again: following again
    tracker.flush_sync(engine)
    with Session(engine) as s:
        o2 = s.get(UserActivity, "o2")
    assert o2 is not None and o2.subscribed and o2.last_inbound_at == t0 + timedelta(hours=1)
    assert tracker.flush_sync(engine) == 0
