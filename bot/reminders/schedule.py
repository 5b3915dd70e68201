"""When is a reminder due? Pure functions on Beijing wall-clock time (``settings.timezone``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.broadcast.models import ReminderRule


def parse_hhmm(text: str) -> time:
    """``"22:00"`` → ``time(22, 0)`` (ValueError otherwise)."""
    hh, _, mm = text.strip().partition(":")
    return time(int(hh), int(mm or 0))


@dataclass(frozen=True, slots=True)
class QuietHours:
    """``start``–``end`` local time; wraps midnight when start > end (22:00–07:00). Equal: none."""

    start: time
    end: time

    @classmethod
    def parse(cls, start: str, end: str) -> QuietHours:
        return cls(parse_hhmm(start), parse_hhmm(end))

    def contains(self, t: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def defer(self, moment: datetime) -> datetime:
        """``moment`` (aware, local) if outside quiet hours, else the end of those quiet hours."""
        if not self.contains(moment.timetz().replace(tzinfo=None)):
            return moment
        end = moment.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= moment:
            end += timedelta(days=1)
        return end


def rule_matches(rule: ReminderRule, day: date) -> bool:
    """Does ``rule`` fire on the local calendar ``day``?"""
    if rule.months:
        months = {int(m) for m in rule.months.replace("，", ",").split(",") if m.strip()}
        if day.month not in months:
            return False
    if rule.day_of_month is not None and day.day != rule.day_of_month:
        return False
    return not (rule.weekday is not None and day.weekday() != rule.weekday)


@dataclass(frozen=True, slots=True)
class DueRun:
    rule_code: str
    day: date  # the local day the rule is scheduled for
    due_at: datetime  # scheduled moment (aware)
    fire_at: datetime  # due_at deferred out of quiet hours

    @property
    def run_key(self) -> str:
        return f"{self.rule_code}:{self.day.isoformat()}"


def due_runs(rule: ReminderRule, *, now: datetime, tz: str, quiet: QuietHours, catchup: timedelta) -> Iterator[DueRun]:
    """Runs of ``rule`` that should fire at ``now``: scheduled, deferred out of quiet hours, reached,
    and not older than ``catchup`` (a process that was down catches up within that window)."""
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    if quiet.contains(local_now.timetz().replace(tzinfo=None)):
        return
    at = parse_hhmm(rule.at_time)
    days = int(catchup.total_seconds() // 86400) + 2
    for back in range(days, -1, -1):
        day = local_now.date() - timedelta(days=back)
        if not rule_matches(rule, day):
            continue
        due = datetime.combine(day, at, zone)
        fire = quiet.defer(due)
        if fire <= local_now < fire + catchup:
            yield DueRun(rule.code, day, due, fire)


def next_fire(
    rule: ReminderRule, *, now: datetime, tz: str, quiet: QuietHours, horizon_days: int = 400
) -> datetime | None:
    """The next scheduled firing after ``now`` (for ``reminders list``)."""
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    at = parse_hhmm(rule.at_time)
    for ahead in range(horizon_days):
        day = local_now.date() + timedelta(days=ahead)
        if rule_matches(rule, day):
            fire = quiet.defer(datetime.combine(day, at, zone))
            if fire > local_now:
                return fire
    return None
