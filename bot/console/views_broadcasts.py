"""Broadcasts (通知): history with delivery figures, one report, and composing a notice with the same
rules and the same preview → confirm step as in WeChat (``bot.broadcast.store``: plan, then create under
a draft key made at preview time, so a double submit never sends twice).

A console account sends in the name of its linked roster member, who must be bound to WeChat: the rights
(organizer of the branch, or county/township staff), the targets and the length limits are exactly the
member's in WeChat.
"""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.broadcast import store as bstore
from bot.broadcast.compose import ABSENT_WORDS, NoticeCommand
from bot.broadcast.store import BroadcastError, BroadcastErrorCode
from bot.console import accounts
from bot.console.web import forbidden, form, not_found, principal, redirect, render, state, store

KINDS = {
    "all": "本支部（或本级所辖）全体党员",
    "group": "某个党小组",
    "absent": "某项活动未签到人员",
    "org": "下级某个组织（仅县乡账号）",
}
NO_MEMBER = (
    "发送和查看通知需要账号关联一名已绑定微信的党员（书记、组织委员或组织部门工作人员），"
    "请联系管理员用 add-user --member 关联。"
)


def _texts() -> object:
    from handlers import broadcast_texts  # the same wording as in WeChat

    return broadcast_texts


def _error(err: BroadcastError) -> str:
    from handlers.broadcast_texts import error_text

    return error_text(err)


def _runtime(request: web.Request) -> object | None:
    from bot.app import BROADCASTS

    runtime = request.config_dict.get(BROADCASTS)
    return runtime if runtime is not None and runtime.enabled else None


async def _openid(request: web.Request) -> str | None:
    return await store(request).call(accounts.openid_of, member_id=principal(request).member_id)


def _command(data: dict[str, str]) -> NoticeCommand:
    kind = data.get("kind", "all")
    if kind not in KINDS:
        kind = "all"
    word = data.get("word", "").strip()[:50]
    body = data.get("body", "")
    return NoticeCommand(kind=kind, body=body.strip(), word=word if kind != "all" else "")


async def broadcasts_page(request: web.Request) -> web.StreamResponse:
    settings = state(request).settings
    openid = await _openid(request)
    reports: list[bstore.Report] = []
    error = ""
    if openid is None:
        error = NO_MEMBER
    else:
        try:
            reports = await store(request).call(
                bstore.recent_broadcasts, openid=openid, limit=settings.console_page_size
            )
        except BroadcastError as err:
            error = _error(err)
    return render(
        request,
        "broadcasts.html",
        {
            "title": "通知",
            "reports": reports,
            "error": error,
            "tz": ZoneInfo(settings.timezone),
            "enabled": _runtime(request) is not None,
        },
    )


async def broadcast_page(request: web.Request) -> web.StreamResponse:
    settings = state(request).settings
    openid = await _openid(request)
    if openid is None:
        return forbidden(request, NO_MEMBER)
    try:
        broadcast_id = int(request.match_info["broadcast_id"])
        report = await store(request).call(
            bstore.report_for,
            openid=openid,
            broadcast_id=broadcast_id,
            names_max=settings.broadcast_report_names_max * 10,
        )
    except (ValueError, BroadcastError) as err:
        if isinstance(err, BroadcastError) and err.code in (BroadcastErrorCode.FORBIDDEN, BroadcastErrorCode.NOT_BOUND):
            return forbidden(request, _error(err))
        return not_found(request, "该通知")
    texts = _texts()
    return render(
        request,
        "broadcast.html",
        {
            "title": f"通知 #{report.broadcast_id}",
            "r": report,
            "tz": ZoneInfo(settings.timezone),
            "reason": texts.reason_text,  # type: ignore[attr-defined]
            "channels": texts.CHANNELS,  # type: ignore[attr-defined]
            "message": "已确认，正在后台发送。"
            if request.query.get("msg") == "started"
            else "这条通知已经确认过，正在发送，不会重复发送。"
            if request.query.get("msg") == "again"
            else "",
        },
    )


async def compose_page(
    request: web.Request, *, error: str = "", data: dict[str, str] | None = None, status: int = 200
) -> web.StreamResponse:
    settings = state(request).settings
    openid = await _openid(request)
    return render(
        request,
        "broadcast_new.html",
        {
            "title": "发通知",
            "kinds": KINDS,
            "absent_word": ABSENT_WORDS[0],
            "data": data or {"kind": "all"},
            "error": error or ("" if openid else NO_MEMBER),
            "max_chars": settings.broadcast_max_chars,
            "enabled": _runtime(request) is not None,
        },
        status=status,
    )


async def compose_get(request: web.Request) -> web.StreamResponse:
    return await compose_page(request)


async def preview(request: web.Request) -> web.StreamResponse:
    """Plan the notice (rights, target, recipients, length) and show the preview with a confirm button."""
    settings = state(request).settings
    data = form(request)
    if _runtime(request) is None:
        return await compose_page(request, error="通知功能暂未开通，请联系管理员。", data=data, status=503)
    openid = await _openid(request)
    if openid is None:
        return forbidden(request, NO_MEMBER)
    command = _command(data)
    if not command.body:
        return await compose_page(request, error="请填写通知正文。", data=data, status=400)
    try:
        plan = await store(request).call(bstore.plan_broadcast, openid=openid, command=command)
    except BroadcastError as err:
        status = 403 if err.code in (BroadcastErrorCode.FORBIDDEN, BroadcastErrorCode.NOT_BOUND) else 400
        return await compose_page(request, error=_error(err), data=data, status=status)
    names_max = settings.broadcast_preview_names_max
    return render(
        request,
        "broadcast_preview.html",
        {
            "title": "通知预览",
            "plan": plan,
            "command": command,
            "draft_key": uuid.uuid4().hex,
            "names": [r.name for r in plan.recipients[:names_max]],
            "more": max(0, len(plan.recipients) - names_max),
            "channels": _texts().CHANNELS,  # type: ignore[attr-defined]
        },
    )


async def send(request: web.Request) -> web.StreamResponse:
    """「确认」: plan again (rights may have changed), refuse if the audience changed, create once."""
    data = form(request)
    runtime = _runtime(request)
    if runtime is None:
        return await compose_page(request, error="通知功能暂未开通，请联系管理员。", data=data, status=503)
    openid = await _openid(request)
    if openid is None:
        return forbidden(request, NO_MEMBER)
    draft_key = data.get("draft_key", "")
    if len(draft_key) != 32 or not all(c in "0123456789abcdef" for c in draft_key):
        raise web.HTTPBadRequest(text="bad draft key")
    command = _command(data)
    try:
        plan = await store(request).call(bstore.plan_broadcast, openid=openid, command=command)
    except BroadcastError as err:
        status = 403 if err.code in (BroadcastErrorCode.FORBIDDEN, BroadcastErrorCode.NOT_BOUND) else 400
        return await compose_page(request, error=_error(err), data=data, status=status)
    if str(len(plan.recipients)) != data.get("count", ""):
        stale = "收件人已变化，请核对新的预览后再确认。"
        return await compose_page(request, error=stale, data=data, status=409)
    created = await store(request).call(
        bstore.create_broadcast, draft_key="console:" + draft_key, plan=plan, origin="console"
    )
    if created.created:
        runtime.wake()  # type: ignore[attr-defined]
    raise redirect(request, f"/broadcasts/{created.broadcast_id}?msg={'started' if created.created else 'again'}")
