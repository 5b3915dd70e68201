"""Every Chinese text of the check-in feature shown to users: errors (short and polite) and summaries.

The store raises typed errors (:class:`bot.store.errors.StoreError` with a code and parameters); the
date parser raises :class:`handlers.checkin_dates.DateParseError`. :func:`error_text` words them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from bot.store.errors import DuplicateRecordError, ErrorCode, StoreError
from bot.store.views import RecordView
from handlers.checkin_dates import DateParseError, DateProblem

FIELD_ZH: dict[str, str] = {
    "type_code": "会议类型",
    "held_on": "日期",
    "start_time": "开始时间",
    "place": "地点",
    "host": "主持人",
    "recorder": "记录人",
    "topic": "议题",
    "expected": "应到人数",
    "present": "实到人数",
    "absentees": "缺席人员",
    "absentee_name": "缺席人姓名",
    "absentee_reason": "缺席原因",
    "summary": "内容摘要",
    "decisions": "决议",
    "photos": "照片",
    "photo": "照片",
    "group_id": "党小组",
}

STATUS_ZH = {"pending": "待确认", "confirmed": "已确认"}


def _d(value: Any) -> str:
    if isinstance(value, date):
        return f"{value.month}月{value.day}日"
    return str(value)


_STORE_TEXTS: dict[ErrorCode, str | Callable[[dict[str, Any]], str]] = {
    ErrorCode.NOT_BOUND: (
        "您还没有绑定党员身份。请向支部书记或组织委员索取邀请码，发送“绑定 邀请码”完成绑定。"
    ),
    ErrorCode.NOT_FOUND: "没有找到这条信息，请核对后再试。",
    ErrorCode.FORBIDDEN: "抱歉，这项操作需要支部书记或组织委员来办理。",
    ErrorCode.OTHER_BRANCH: "抱歉，您只能为本人所在的党支部记录活动。",
    ErrorCode.UNKNOWN_TYPE: (
        "没有这种会议类型，请从主题党日、党员大会、支委会、党小组会、党课、组织生活会中选择。"
    ),
    ErrorCode.NO_COMMITTEE: "本支部未设支部委员会，不需要记录支委会。",
    ErrorCode.NO_GROUPS: "本支部没有设党小组，不需要记录党小组会。",
    ErrorCode.GROUP_REQUIRED: lambda p: (
        "请告诉我是哪个党小组开的会" + (f"（{'、'.join(p['groups'])}）" if p.get("groups") else "") + "。"
    ),
    ErrorCode.GROUP_NOT_ALLOWED: lambda p: f"{p.get('type_name', '这类会议')}是全支部的活动，不用填党小组。",
    ErrorCode.GROUP_NOT_IN_BRANCH: "这个党小组不属于本支部，请重新选择。",
    ErrorCode.TYPE_DISABLED: lambda p: f"本地不要求记录{p.get('type_name', '这类活动')}。",
    ErrorCode.FUTURE_DATE: lambda p: (
        f"{_d(p.get('held_on', ''))}还没到，只能记录已经开过的会。请告诉我实际开会的日期。"
    ),
    ErrorCode.TOO_OLD: lambda p: f"日期太早了，只能补记近{p.get('days', '')}天内的活动。",
    ErrorCode.BAD_DATE: "没看懂这个日期，请换个说法，例如“昨天”“上周五”或“11月20日”。",
    ErrorCode.BAD_COUNT: lambda p: f"{FIELD_ZH.get(p.get('field', ''), '人数')}请填写大于0的整数。",
    ErrorCode.TOO_FEW_PRESENT: lambda p: f"实到人数至少要{p.get('minimum', 1)}人，请核对。",
    ErrorCode.PRESENT_OVER_EXPECTED: lambda p: f"实到{p['present']}人多于应到{p['expected']}人，请核对人数。",
    ErrorCode.EXPECTED_OVER_ROSTER: lambda p: (
        f"应到{p['expected']}人超出了本支部在册党员人数（{p['roster']}人），请核对。"
        if p.get("roster")
        else f"应到{p['expected']}人不太可能，请核对人数（最多{p['limit']}人）。"
    ),
    ErrorCode.ABSENTEES_OVER_GAP: lambda p: (
        f"列出的缺席人员（{p['listed']}人）多于应到减实到（{p['gap']}人），请核对。"
    ),
    ErrorCode.TOO_LONG: lambda p: (
        f"{FIELD_ZH.get(p.get('field', ''), '内容')}太长了，请控制在{p['limit']}字以内。"
    ),
    ErrorCode.TOO_MANY: lambda p: f"{FIELD_ZH.get(p.get('field', ''), '条目')}最多{p['limit']}个。",
    ErrorCode.PHOTO_REQUIRED: lambda p: (
        f"按本地要求，{p.get('type_name', '这次活动')}需要上传至少一张现场照片或签到表。"
    ),
    ErrorCode.NOT_CURRENT: "这条记录已经更正过了，请查看最新版本。",
    ErrorCode.LOCKED: "这条记录已确认或已过上报期限，如需更正请联系支部书记或组织委员。",
    ErrorCode.NOTHING_CHANGED: "内容没有变化，无需更正。",
    ErrorCode.ALREADY_CONFIRMED: "这条记录已经确认过了。",
    ErrorCode.INVITE_INVALID: "邀请码不正确，请核对后重新发送“绑定 邀请码”。",
    ErrorCode.INVITE_EXPIRED: "邀请码已过期，请向支部书记或组织委员索取新的邀请码。",
    ErrorCode.ALREADY_BOUND: lambda p: f"您已经绑定为{p.get('name', '')}，无需重复绑定。",
    ErrorCode.MEMBER_TAKEN: lambda p: (
        f"“{p.get('name', '')}”已被其他微信号绑定。如有疑问请联系支部书记或组织委员。"
    ),
    ErrorCode.NOT_A_CANDIDATE: "请从列出的名单中选择您的姓名。",
    ErrorCode.BUSY: "系统有点忙，请稍后再发一次。",
}


def duplicate_text(record: RecordView) -> str:
    """Told to the second sender of the same meeting."""
    who = f"{record.submitted_by_name}" if record.submitted_by_name else "其他同志"
    group = f"（{record.group_name}）" if record.group_name else ""
    status = STATUS_ZH.get(record.status, record.status)
    return (
        f"{_d(record.held_on)}的{record.type_name}{group}已经由{who}记录过了"
        f"（应到{record.expected}人、实到{record.present}人，{status}），"
        "不用重复记录。如需更正，请联系支部书记或组织委员。"
    )


_DATE_TEXTS = {
    DateProblem.UNKNOWN: "没看懂开会的日期，请换个说法，例如“昨天”“上周五”或“11月20日”。",
    DateProblem.INVALID: "这个日期不存在，请核对后再说一次。",
}


def error_text(error: StoreError | DateParseError) -> str:
    """The reply for a refused check-in step."""
    if isinstance(error, DateParseError):
        if error.problem is DateProblem.FUTURE:
            return f"{_d(error.value)}还没到，只能记录已经开过的会。请告诉我实际开会的日期。"
        return _DATE_TEXTS[error.problem]
    if isinstance(error, DuplicateRecordError):
        return duplicate_text(error.existing)
    text = _STORE_TEXTS.get(error.code, "抱歉，没能保存，请稍后再试。")
    if callable(text):
        try:
            return text(error.params)
        except (KeyError, TypeError):
            return "抱歉，内容有误，请核对后再试。"
    return text


def quorum_warning(record: RecordView) -> str | None:
    """A reminder (not a refusal) when a 党员大会 had half or fewer present (条例 Art. 11)."""
    if "quorum" in record.warnings:
        return "提醒：党员大会到会人数须超过有表决权党员的半数，本次可能不足，表决事项请慎重。"
    return None


def record_summary(record: RecordView) -> str:
    """A short summary of a record (for confirmation and lists)."""
    lines = [
        f"{_d(record.held_on)} {record.type_name}" + (f"（{record.group_name}）" if record.group_name else "")
    ]
    if record.start_time:
        lines[0] += f" {record.start_time.strftime('%H:%M')}"
    if record.place:
        lines.append(f"地点：{record.place}")
    if record.host:
        lines.append(f"主持：{record.host}" + (f"　记录：{record.recorder}" if record.recorder else ""))
    if record.topic:
        lines.append(f"议题：{record.topic}")
    absent = record.expected - record.present
    lines.append(f"应到{record.expected}人，实到{record.present}人" + (f"，缺席{absent}人" if absent else ""))
    if record.photos:
        lines.append(f"照片：{len(record.photos)}张")
    lines.append(
        f"状态：{STATUS_ZH.get(record.status, record.status)}" + ("（逾期上报）" if record.late else "")
    )
    return "\n".join(lines)
