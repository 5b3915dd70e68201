"""Every Chinese text of the check-in feature shown to users: errors (short and polite) and summaries.

The store raises typed errors (:class:`bot.store.errors.StoreError` with a code and parameters); the
date parser raises :class:`handlers.checkin_dates.DateParseError`. :func:`error_text` words them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from bot.store.errors import DuplicateRecordError, ErrorCode, StoreError
from bot.store.views import RecordView
from handlers.checkin_dates import DateParseError, DateProblem
from handlers.texts import MEDIA_NOT_SUPPORTED

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
    """A short summary of a record (after submitting, and in lists), at most ``SUMMARY_MAX_BYTES``."""
    head = f"{_d(record.held_on)} {record.type_name}" + (f"（{record.group_name}）" if record.group_name else "")
    if record.start_time:
        head += f" {record.start_time.strftime('%H:%M')}"
    absent = record.expected - record.present
    # (label, value, may be cut): the fixed lines are never cut; "　记录：" continues the 主持 line.
    entries: list[tuple[str, str, bool]] = [
        ("", head, False),
        ("地点：", record.place, True),
        ("主持：", record.host, True),
        ("　记录：", record.recorder if record.host else "", True),
        ("议题：", record.topic, True),
        ("", f"应到{record.expected}人，实到{record.present}人" + (f"，缺席{absent}人" if absent else ""), False),
        ("缺席：", absentee_list((a.name, a.reason) for a in record.absentees), True),
        ("内容：", clip(record.summary, SHOW_TEXT_CHARS) if record.summary else "", True),
        ("决议：", clip(record.decisions, SHOW_TEXT_CHARS) if record.decisions else "", True),
        ("照片：", f"{len(record.photos)}张" if record.photos else "", False),
        ("状态：", STATUS_ZH.get(record.status, record.status) + ("（逾期上报）" if record.late else ""), False),
    ]
    return _fit([e for e in entries if e[1]], "", "", SUMMARY_MAX_BYTES)


# --- the check-in conversation (handlers/checkin.py) ------------------------------------------------------

CHECKIN_WORDS: tuple[str, ...] = ("签到", "打卡", "记录")
CONFIRM_WORDS: tuple[str, ...] = ("确认", "确定", "提交", "是", "对", "好", "好的", "没问题", "ok", "yes")
EDIT_WORDS: tuple[str, ...] = ("修改", "更改", "改")

# Step → question. ``{types}`` / ``{groups}`` are filled with numbered lists.
QUESTIONS: dict[str, str] = {
    "type": "请问开的是什么会？回复序号或名称：\n{types}",
    "group": "是哪个党小组开的会？回复序号或名称：\n{groups}",
    "date": "会是哪天开的？例如“昨天”“上周五”“11月20日”。",
    "expected": "应到多少人？（回复数字）",
    "present": "实到多少人？（回复数字）",
    "topic": "会议主题（议题）是什么？",
    "place": "在哪里开的会？",
    "host": "主持人是谁？",
    "recorder": "记录人是谁？",
    "time": "几点开始的？例如“下午3点”“14:30”。",
    "absentees": "缺席的是哪几位？请写姓名和原因，如“张三 病假，李四 外出务工”。不清楚可回复“跳过”。",
    "summary": "请简要写一下会议的主要内容。不写可回复“无”。",
    "decisions": "会议形成了哪些决议（表决情况）？没有可回复“无”。",
}

# "修改 <字段>": words → step.
EDIT_FIELDS: dict[str, str] = {
    "类型": "type", "会议类型": "type", "会议": "type", "活动": "type",
    "党小组": "group", "小组": "group",
    "日期": "date", "时间": "time", "开始时间": "time",
    "人数": "expected", "应到": "expected", "应到人数": "expected",
    "实到": "present", "实到人数": "present",
    "主题": "topic", "议题": "topic",
    "地点": "place", "主持人": "host", "主持": "host", "记录人": "recorder",
    "缺席": "absentees", "缺席人员": "absentees", "缺席名单": "absentees", "请假": "absentees",
    "请假人员": "absentees",
    "内容": "summary", "会议内容": "summary", "主要内容": "summary", "内容摘要": "summary", "纪要": "summary",
    "决议": "decisions", "决定": "decisions", "表决": "decisions", "表决情况": "decisions",
}  # fmt: skip
# Answers that leave an optional item empty (the absentee question, "修改 内容", "修改 决议").
SKIP_WORDS: tuple[str, ...] = (
    "跳过", "无", "没有", "不清楚", "不知道", "不记得", "记不清", "略", "暂无", "不填", "不写", "算了", "没",
    "无人缺席", "没人缺席", "没有人缺席", "没有缺席", "无缺席", "都到了", "全到了", "全部到会",
)  # fmt: skip

CONFIRM_HINT = (
    "回复“确认”提交；“修改 字段”更改（如“修改 人数”“修改 地点”，"
    "补充“修改 缺席”“修改 内容”“修改 决议”）；“取消”放弃。"
)
UNDERSTOOD = "已记下：{items}。"
ALREADY_IN_CHECKIN = "您正在记录一次活动。"
EXPIRED = "您上次的活动记录超过{minutes}分钟没有完成，已自动取消，内容没有保存。如需记录，请重新发送“签到”。"
EXPIRED_RESTART = "您上次的活动记录超时未完成，已取消。现在重新开始："
NOT_UNDERSTOOD = "没看懂您的回答。"
UNKNOWN_GROUP = "没有找到这个党小组，请回复序号或名称。"
BAD_TIME = "没看懂开始时间，请换个说法，例如“下午3点”或“14:30”。"
EMPTY_ANSWER = "内容不能为空。"
NEGATIVE_COUNT = "人数不能是负数，请填写大于0的整数。"
PHOTO_ADDED = "已收到照片（共{count}张），提交后随记录保存。"
PHOTO_ATTACHED = "照片已添加到{when}的{type_name}记录（共{count}张）。"
PHOTO_NO_RECORD = MEDIA_NOT_SUPPORTED["image"]  # the gateway's own wording: one text for one situation
STAFF_NO_CHECKIN = "活动由各党支部书记、组织委员或党员记录。查看各支部情况请发送“达标率”。"
EDIT_WHICH = (
    "请说明要修改哪一项，例如“修改 人数”。"
    "可修改：类型、日期、时间、人数、实到、主题、地点、主持人、记录人、缺席、内容、决议。"
)
ABSENTEES_NOT_UNDERSTOOD = "没看懂缺席人员，请写姓名和原因，如“张三 病假”。"
ABSENTEES_CLEARED = "实到人数等于应到人数，已去掉缺席人员名单。"
NO_ABSENTEES = "应到和实到人数相同，没有缺席人员。如人数有误，请回复“修改 人数”。"
UNDERSTOOD_ABSENTEES = "缺席名单{n}人"
UNDERSTOOD_SUMMARY = "会议内容"
UNDERSTOOD_DECISIONS = "决议"
SUBMITTED = "已提交！"
SUBMITTED_PENDING = "记录待支部书记或组织委员确认。"
SUBMITTED_CONFIRMED = "记录已生效。"
SUBMITTED_LATE = "提醒：已超过县里规定的上报期限，这条记录标记为逾期上报。"
PHOTO_LATER = "{minutes}分钟内发送的现场照片会自动补充到这条记录。"
SUMMARY_TITLE = "请核对：\n"
SUMMARY_TAIL = "\n" + CONFIRM_HINT
TOO_MANY_PHOTOS = "照片最多{limit}张，多的没有保存。"


def numbered(items: list[str]) -> str:
    """``1. 主题党日\n2. 党员大会…``."""
    return "\n".join(f"{i}. {name}" for i, name in enumerate(items, 1))


def question(step: str, *, types: list[str], groups: list[str]) -> str:
    """The question of ``step`` with its numbered choices."""
    return QUESTIONS[step].format(types=numbered(types), groups=numbered(groups))


# Display limits (characters) of the long items in a summary: WeChat drops replies over 2048 bytes, and
# the confirmation must fit in one reply with its hint (the full text is stored, only the display is cut).
SHOW_TEXT_CHARS = 30  # 内容 / 决议
SHOW_ABSENTEES_CHARS = 60  # the 缺席 list
SHOW_MIN_CHARS = 12  # no item is cut shorter than this
# The summary's own budget: one 2048-byte reply also carries a line or two before it ("已记下：…", a
# refusal, "已收到照片…"). Only a summary whose every item is near its cap is cut further.
SUMMARY_MAX_BYTES = 1500


def clip(text: str, limit: int, *, total: bool = True) -> str:
    """``text`` on one line, cut to ``limit`` characters with "…" (and the full length) when longer."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return f"{flat[:limit]}…" + (f"（共{len(text)}字）" if total else "")


def absentee_list(items: Iterable[tuple[str, str]], limit: int = SHOW_ABSENTEES_CHARS) -> str:
    """``张三（病假）、李四（事假）、王五``, cut after ``limit`` characters as ``…等12人``."""
    entries = [f"{name}（{reason}）" if reason else name for name, reason in items]
    shown: list[str] = []
    used = 0
    for entry in entries:
        if shown and used + len(entry) > limit:
            return "、".join(shown) + f"等{len(entries)}人"
        shown.append(clip(entry, limit, total=False))
        used += len(shown[-1]) + 1
    return "、".join(shown)


def _fit(entries: list[tuple[str, str, bool]], title: str, tail: str, max_bytes: int) -> str:
    """``title`` + a "label value" line per entry (label, value, may be cut) + ``tail``, at most
    ``max_bytes`` UTF-8 bytes: while over, the longest value that may be cut is cut to half its length in
    the display. A label starting with "　" continues the line before it."""
    shown = [value for _, value, _ in entries]

    def render() -> str:
        lines: list[str] = []
        for (label, _, _), value in zip(entries, shown, strict=True):
            if label.startswith("　") and lines:
                lines[-1] += label + value
            else:
                lines.append(label + value)
        return title + "\n".join(lines) + tail

    text = render()
    while len(text.encode()) > max_bytes:
        cuttable = [i for i, (_, _, may_cut) in enumerate(entries) if may_cut]
        i = max(cuttable, key=lambda k: len(shown[k]), default=None)
        if i is None or len(shown[i]) <= SHOW_MIN_CHARS:
            break  # only with absurd settings; the paginator still sends it all
        shown[i] = clip(entries[i][1], len(shown[i]) // 2, total=False)
        text = render()
    return text


def draft_summary(fields: dict[str, str], max_bytes: int = SUMMARY_MAX_BYTES) -> str:
    """The one summary shown before submitting (``fields``: label → value, in display order), at most
    ``max_bytes`` UTF-8 bytes: when every item is long, the longest are cut further in the display."""
    entries = [(f"{label}：", value, True) for label, value in fields.items() if value]
    return _fit(entries, SUMMARY_TITLE, SUMMARY_TAIL, max_bytes)


def short_date(value: date) -> str:
    """``11月20日`` (with the year when not this year's is unclear: always month-day here)."""
    return _d(value)


# --- binding (handlers/binding.py) ------------------------------------------------------------------------

BIND_HOW = "请发送“绑定 邀请码”（邀请码向支部书记或组织委员索取），或扫描支部的绑定二维码。"
BIND_PICK = "您正在绑定【{branch}】。请回复您在党员名册上的姓名（或序号）：\n{names}"
BIND_PICK_NAME = "您正在绑定【{branch}】。请回复您在党员名册上的姓名。"
BIND_PICK_NUMBER = "名册上有同名党员，请回复序号：\n{names}"
BIND_NONE = "【{branch}】名册里没有待绑定的党员。如有疑问，请联系支部书记或组织委员。"
BIND_DONE = "绑定成功！您是【{branch}】的{name}。\n发送“签到”记录三会一课、主题党日，发送“本月台账”查看本月情况。"
BIND_FAILED_WHO = "名册里没有找到“{name}”。请回复列表中的姓名或序号，或回复“取消”。"


def candidate_list(cands: list[list[Any]]) -> str:
    """``1. 王小明\n2. 赵红（手机尾号0001）``."""
    return "\n".join(f"{i}. {c[1]}" + (f"（{c[2]}）" if c[2] else "") for i, c in enumerate(cands, 1))


# --- organizer / ledger (handlers/ledger.py) --------------------------------------------------------------

INVITE_WORDS: tuple[str, ...] = ("邀请码", "绑定码", "生成邀请码")
LEDGER_MONTH_WORDS: tuple[str, ...] = ("本月台账", "台账", "本月情况", "本月")
LEDGER_QUARTER_WORDS: tuple[str, ...] = ("本季度情况", "本季度台账", "本季度", "季度台账")
OWED_WORDS: tuple[str, ...] = ("未完成", "欠账", "还差什么")
PENDING_WORDS: tuple[str, ...] = ("确认", "待确认")
COMPLIANCE_WORDS: tuple[str, ...] = ("达标率", "达标情况")

INVITE_TEXT = (
    "【{branch}】邀请码：{code}（{hours}小时内有效）\n"
    "请党员关注公众号后发送“绑定 {code}”，从名单中选择自己的姓名即可。\n"
    "二维码场景值：{scene}（可在公众号后台生成带参数二维码，扫码即绑定）。"
)
INVITE_STAFF_WHICH = "请说明为哪个党支部生成邀请码，例如“邀请码 红星村”。"
ORGANIZER_ONLY = "抱歉，这项功能仅供支部书记、组织委员使用。您可以发送“本月台账”查看本支部情况。"
STAFF_ONLY = "抱歉，达标率仅供上级党委组织部门查看。您可以发送“本月台账”查看本支部情况。"
STAFF_WHICH_BRANCH = "请加上支部名称，例如“{command} 红星村”。查看全部支部请发送“达标率”。"
BRANCH_NOT_FOUND = "在您管辖范围内没有找到“{name}”，请核对支部名称。"
BRANCH_AMBIGUOUS = "找到多个支部：{names}。请说得更完整一些。"

LEDGER_TITLE = "【{branch}】{label}台账（截至{today}）"
LEDGER_FOOT = "回复“未完成”查看待办，“签到”记录活动。"
OWED_TITLE = "【{branch}】还需完成（截至{today}）："
OWED_NONE = "【{branch}】目前没有未完成的项目，继续保持！"
OWED_LINE_OPEN = "· {label}：{due}前完成"
OWED_LINE_MISSING = "· {label}：已逾期（期限{due}），请尽快补开补报"
MORE_ITEMS = "……另有{n}项"
PENDING_TITLE = "待确认记录（回复“确认 编号”确认）："
PENDING_LINE = "#{id} {when} {type_name}{group}，应到{expected}实到{present}，{who}提交"
PENDING_NONE = "目前没有待确认的记录。"
CONFIRMED = "已确认 #{id}：{when} {type_name}{group}。"
COMPLIANCE_TITLE = "【{root}】支部达标率"
COMPLIANCE_MONTH = "{label}：{pct}（{ok}/{total}个支部）"
COMPLIANCE_FAILING = "{label}未达标："
COMPLIANCE_FAIL_LINE = "· {branch}：{items}"
COMPLIANCE_ALL_OK = "{label}全部达标。"
COMPLIANCE_FOOT = "回复“达标率 支部名”查看明细。"
DRILL_TITLE = "【{branch}】达标明细"
DRILL_MONTH_OK = "{label}：达标"
DRILL_MONTH_BAD = "{label}：未达标"
DRILL_OWED = "待完成："

ROW_STATUS = {
    "done": "已完成",
    "late": "逾期补报",
    "missing": "未完成",
    "open": "进行中",
    "not_applicable": "不适用",
}
