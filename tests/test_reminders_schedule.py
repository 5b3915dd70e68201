"""When reminder rules are due: days, quiet hours (deferred to their end), catch-up (pure)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.broadcast.models import ReminderRule
from bot.reminders.schedule import QuietHours, due_runs, next_fire, rule_matches

BJ = ZoneInfo("Asia/Shanghai")
QUIET = QuietHours.parse("22:00", "07:00")
DAY = timedelta(hours=24)


def rule(**kw: object) -> ReminderRule:
    values: dict[str, object] = {"code": "r", "name": "r", "message": "m", "at_time": "09:00"}
    values.update(kw)
    return ReminderRule.model_validate(values)


def runs(r: ReminderRule, at: datetime, catchup: timedelta = DAY) -> list[str]:
    return [d.run_key for d in due_runs(r, now=at, tz="Asia/Shanghai", quiet=QUIET, catchup=catchup)]


def test_days_months_and_weekdays() -> None:
    assert rule_matches(rule(day_of_month=20), date(2026, 11, 20))
    assert not rule_matches(rule(day_of_month=20), date(2026, 11, 21))
    quarter_end = rule(day_of_month=10, months="3,6,9,12")
    assert rule_matches(quarter_end, date(2026, 12, 10)) and not rule_matches(quarter_end, date(2026, 11, 10))
    monday = rule(weekday=0)
    assert rule_matches(monday, date(2026, 11, 23)) and not rule_matches(monday, date(2026, 11, 24))


def test_quiet_hours_wrap_midnight() -> None:
    assert QUIET.contains(datetime(2026, 1, 1, 23, 0).time()) and QUIET.contains(datetime(2026, 1, 1, 6, 59).time())
    assert not QUIET.contains(datetime(2026, 1, 1, 7, 0).time())
    assert QUIET.defer(datetime(2026, 11, 20, 22, 30, tzinfo=BJ)) == datetime(2026, 11, 21, 7, 0, tzinfo=BJ)
    assert QUIET.defer(datetime(2026, 11, 20, 5, 0, tzinfo=BJ)) == datetime(2026, 11, 20, 7, 0, tzinfo=BJ)
    assert not QuietHours.parse("00:00", "00:00").contains(datetime(2026, 1, 1, 3, 0).time())


def test_due_at_the_time_not_before() -> None:
    r = rule(day_of_month=20)
    assert runs(r, datetime(2026, 11, 20, 8, 59, tzinfo=BJ)) == []
    assert runs(r, datetime(2026, 11, 20, 9, 0, tzinfo=BJ)) == ["r:2026-11-20"]
    assert runs(r, datetime(2026, 11, 20, 15, 0, tzinfo=BJ)) == ["r:2026-11-20"]


def test_quiet_hours_defer_to_their_end() -> None:
    late = rule(day_of_month=20, at_time="22:30")
    assert runs(late, datetime(2026, 11, 20, 22, 45, tzinfo=BJ)) == []
    assert runs(late, datetime(2026, 11, 21, 6, 59, tzinfo=BJ)) == []
    assert runs(late, datetime(2026, 11, 21, 7, 1, tzinfo=BJ)) == ["r:2026-11-20"]
    assert next_fire(late, now=datetime(2026, 11, 1, tzinfo=BJ), tz="Asia/Shanghai", quiet=QUIET) == datetime(
        2026, 11, 21, 7, 0, tzinfo=BJ
    )


def test_catch_up_window() -> None:
    r = rule(day_of_month=20)
    assert runs(r, datetime(2026, 11, 21, 8, 0, tzinfo=BJ)) == ["r:2026-11-20"]  # process was down
    assert runs(r, datetime(2026, 11, 21, 9, 30, tzinfo=BJ)) == []  # more than 24 h late: skipped
    assert runs(r, datetime(2026, 11, 20, 12, 0, tzinfo=BJ), catchup=timedelta(hours=1)) == []
