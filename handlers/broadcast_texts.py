"""Every user-facing text of broadcasts (通知) and their reports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from bot.broadcast.store import BroadcastError, BroadcastErrorCode, Plan, Report

CONFIRM_WORDS = ("确认", "确定", "确认发送", "发送")
RECORDS_WORD = "通知记录"
MENU_KEY = "NOTICE"  # menu CLICK key: usage of 「通知」

USAGE = (
    "发通知（仅支部书记、副书记、组织委员及上级组织部门）：\n"
    "· 通知 正文 —— 发给全支部\n"
    "· 通知 第一党小组 正文 —— 发给一个党小组\n"
    "· 通知 未签到 主题党日 正文 —— 发给本期该活动记录为缺席的党员\n"
    "· 县乡组织部门：通知 正文（所辖全体）或 通知 某某村党支部 正文\n"
    "发送前会先预览，回复「确认」才发送，回复「取消」放弃。\n"
    "回复「通知记录」查看最近的通知和送达情况。"
)

PENDING_HINT = "有一条通知等待确认：回复「确认」发送，回复「取消」放弃；也可以重新发「通知 …」替换它。"
NOTHING_TO_CONFIRM = "没有等待确认的通知。发通知请回复「通知 正文」。"
ALREADY_SENDING = (
    "这条通知已经确认过了（编号 {id}），正在发送，不会重复发送。回复「通知记录」查看进度。"
    "（如要确认打卡记录，请回复「确认 编号」。）"
)
STARTED = "已确认，开始发送给 {n} 人（编号 {id}）。发送完成后会把送达情况发给您，也可回复「通知记录」查看。"

ERRORS: dict[BroadcastErrorCode, str] = {
    BroadcastErrorCode.NOT_BOUND: "您还没有绑定党员身份，不能发通知。请先回复「绑定 邀请码」。",
    BroadcastErrorCode.FORBIDDEN: "只有支部书记、副书记、组织委员和上级组织部门可以发通知。",
    BroadcastErrorCode.EMPTY: "通知内容是空的。请回复「通知 正文」，例如：通知 本周五下午3点在村委会开展主题党日。",
    BroadcastErrorCode.TOO_LONG: "通知太长了（{chars}字），最多 {limit} 字。请精简后重新发送。",
    BroadcastErrorCode.UNKNOWN_GROUP: "没有找到「{word}」。本支部的党小组有：{groups}。",
    BroadcastErrorCode.NO_GROUPS: "{branch}没有设立党小组，请直接用「通知 正文」发给全支部。",
    BroadcastErrorCode.UNKNOWN_ORG: "在{org}的范围内没有找到「{word}」。",
    BroadcastErrorCode.UNKNOWN_ACTIVITY: "没有「{word}」这种活动。可以写：{types}。例如：通知 未签到 主题党日 正文",
    BroadcastErrorCode.NO_RECORD: "{period}还没有这项活动的记录，无法确定谁未签到。可以用「通知 正文」发给全支部。",
    BroadcastErrorCode.NO_ABSENTEES: "{period}的{activity}记录里没有缺席人员，不需要发送。",
    BroadcastErrorCode.NO_RECIPIENTS: "「{target}」没有可以通知的党员。",
    BroadcastErrorCode.NOT_FOUND: "没有找到编号 {id} 的通知（或您无权查看）。",
}

REASONS: dict[str, str] = {
    "not_bound": "未绑定微信",
    "not_in_roster": "不在花名册",
    "outside_window": "48小时内未互动且无模板消息",
    "unsubscribed": "已取消关注",
    "invalid_openid": "微信账号无效",
    "in_doubt": "发送中断，未确认是否送达",
    "retries_exhausted": "多次重试仍失败",
    "error_40037": "模板消息配置错误",
    "error_48001": "公众号无此接口权限",
    "error_40164": "服务器IP未加白名单",
}

CHANNELS = {"custom": "客服消息", "template": "模板消息", "mass": "群发"}


def error_text(err: BroadcastError) -> str:
    template = ERRORS.get(err.code, "操作失败，请稍后再试。")
    text = template
    for key, value in err.params.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def reason_text(reason: str) -> str:
    if reason in REASONS:
        return REASONS[reason]
    if reason.startswith("error_"):
        return f"微信接口错误 {reason[6:]}"
    return reason or "未知原因"


def _names(items: Sequence[tuple[str, str]], total: int, names_max: int) -> str:
    shown = "、".join(f"{n}（{reason_text(r)}）" for n, r in items[:names_max])
    if total > min(len(items), names_max):
        shown += f" 等{total}人"
    return shown


def preview(plan: Plan, *, names_max: int) -> str:
    est = plan.estimate
    names = "、".join(r.name for r in plan.recipients[:names_max])
    if len(plan.recipients) > names_max:
        names += f" 等{len(plan.recipients)}人"
    ways = [f"{CHANNELS[k]} {est[k]} 人" for k in ("custom", "template", "mass") if est.get(k)]
    if est.get("unreachable"):
        ways.append(f"暂时无法送达 {est['unreachable']} 人")
    return (
        "【通知预览】\n"
        f"发给：{plan.target_label}，共 {len(plan.recipients)} 人（{names}）\n"
        f"预计：{'，'.join(ways) or '-'}\n"
        f"正文：{plan.content}\n"
        "回复「确认」发送，回复「取消」放弃。"
    )


def _line(r: Report, tz: str) -> str:
    when = r.created_at.astimezone(ZoneInfo(tz)).strftime("%m月%d日 %H:%M")
    state = "已完成" if r.status == "done" else f"发送中，剩 {r.in_progress} 人"
    c = r.counts
    return (
        f"#{r.broadcast_id} {when} {r.target_label}「{r.summary}」"
        f"送达{c.get('delivered', 0)} 无法送达{c.get('unreachable', 0)} 失败{c.get('failed', 0)}（{state}）"
    )


def recent_list(reports: Sequence[Report], *, tz: str) -> str:
    if not reports:
        return "还没有发过通知。发通知请回复「通知 正文」。"
    lines = ["最近的通知："] + [_line(r, tz) for r in reports]
    lines.append("回复「通知记录 编号」查看某条通知的详细结果（含未送达名单）。")
    return "\n".join(lines)


def report_text(report: Report, *, names_max: int) -> str:
    c: Mapping[str, int] = report.counts
    delivered, unreachable, failed = c.get("delivered", 0), c.get("unreachable", 0), c.get("failed", 0)
    head = "【通知结果】" if report.status == "done" else "【通知进度】"
    lines = [
        f"{head}#{report.broadcast_id}「{report.summary}」发给{report.target_label}",
        f"共 {report.total} 人：已送达 {delivered} 人，无法送达 {unreachable} 人，发送失败 {failed} 人。",
    ]
    if report.in_progress:
        lines.append(f"还有 {report.in_progress} 人正在发送。")
    if report.channels:
        lines.append("送达方式：" + "，".join(f"{CHANNELS.get(k, k)} {n}" for k, n in report.channels.items()))
    if unreachable:
        lines.append("无法送达：" + _names(report.unreachable, unreachable, names_max))
    if failed:
        lines.append("发送失败：" + _names(report.failed, failed, names_max))
    if unreachable or failed:
        lines.append("请电话或当面转告以上同志。")
    return "\n".join(lines)
