"""Organizer broadcasts from WeChat: 「通知 …」 → preview → 「确认」 (or 「取消」) → background sending.

The draft lives in the conversation state (flow ``broadcast``, step ``confirm``) with a ``draft_key``
made at preview time; 「确认」 re-plans the same command and creates the broadcast under that key, so a
second 「确认」 can never create a second broadcast (the key is UNIQUE in the database). 「取消」 is the
common cancel command (it clears the state). The router sits with the organizer commands
(``bot/app.py``: ``_organizer_routers``).
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from bot.broadcast import store
from bot.broadcast.compose import NoticeCommand, parse_notice
from bot.broadcast.runtime import BroadcastRuntime
from bot.broadcast.store import BroadcastError
from bot.dispatch import Context, Reply, Router
from bot.dispatch import filters as flt
from handlers import broadcast_texts as texts

log = logging.getLogger(__name__)

FLOW = "broadcast"
STEP_CONFIRM = "confirm"
_RECORDS_RE = re.compile(r"^通知记录\s*(?:#|＃|编号)?\s*(\d+)?$")


def _notice_filter(ctx: Context) -> dict[str, Any] | bool:
    command = parse_notice(ctx.text) if ctx.inbound.msg_type == "text" else None
    return {"notice": command} if command is not None else False


def _menu_filter(ctx: Context) -> bool:
    return ctx.inbound.msg_type == "event" and ctx.inbound.event == "click" and ctx.inbound.event_key == texts.MENU_KEY


def make_router(runtime: BroadcastRuntime) -> Router:
    """The 「通知」 router bound to this app's broadcast runtime."""
    router = Router("broadcast")
    settings = runtime.settings

    async def recently_confirmed(ctx: Context) -> dict[str, Any] | bool:
        found = await runtime.store.call(
            store.recent_confirmation, openid=ctx.user_id, within_s=settings.broadcast_reconfirm_window_s
        )
        return {"broadcast_id": found} if found is not None else False

    @router.on(flt.InFlow(FLOW, STEP_CONFIRM), flt.Text(*texts.CONFIRM_WORDS))
    async def confirm(ctx: Context) -> Reply:
        """Create the broadcast (idempotent by the draft key), wake the sender."""
        assert ctx.state is not None
        data = ctx.state.data
        command = NoticeCommand.from_json(data["command"])
        draft_key = str(data["draft_key"])
        try:
            plan = await runtime.store.call(store.plan_broadcast, openid=ctx.user_id, command=command)
        except BroadcastError as err:
            await ctx.clear_state()
            return Reply(texts.error_text(err))
        created = await runtime.store.call(store.create_broadcast, draft_key=draft_key, plan=plan)
        await ctx.clear_state()
        if not created.created:
            return Reply(texts.ALREADY_SENDING.replace("{id}", str(created.broadcast_id)))
        log.info(
            "broadcast %d confirmed by %s: %s, %d recipient(s)",
            created.broadcast_id,
            ctx.user_id,
            plan.target_label,
            created.recipients,
        )
        runtime.wake()
        return Reply(texts.STARTED.replace("{n}", str(created.recipients)).replace("{id}", str(created.broadcast_id)))

    @router.on(flt.Regex(_RECORDS_RE))
    async def records(ctx: Context) -> Reply:
        """「通知记录」: recent broadcasts; 「通知记录 12」: one report with names."""
        match: re.Match[str] = ctx.data["match"]
        try:
            if match.group(1):
                report = await runtime.store.call(
                    store.report_for,
                    openid=ctx.user_id,
                    broadcast_id=int(match.group(1)),
                    names_max=settings.broadcast_report_names_max,
                )
                return Reply(texts.report_text(report, names_max=settings.broadcast_report_names_max))
            reports = await runtime.store.call(
                store.recent_broadcasts, openid=ctx.user_id, limit=settings.broadcast_recent_limit
            )
        except BroadcastError as err:
            return Reply(texts.error_text(err))
        return Reply(texts.recent_list(reports, tz=settings.timezone))

    @router.on(_menu_filter)
    async def menu(ctx: Context) -> Reply:
        """The menu's 「发通知」 key: how to write a notice."""
        return Reply(texts.USAGE)

    @router.on(_notice_filter)
    async def notice(ctx: Context) -> Reply:
        """「通知 …」: check rights, target and length; preview; wait for 「确认」."""
        command: NoticeCommand = ctx.data["notice"]
        if not command.body and command.kind == "all":
            return Reply(texts.USAGE)
        try:
            plan = await runtime.store.call(store.plan_broadcast, openid=ctx.user_id, command=command)
        except BroadcastError as err:
            if ctx.state is not None and ctx.state.flow == FLOW:
                await ctx.clear_state()
            return Reply(texts.error_text(err))
        await ctx.set_state(
            FLOW,
            STEP_CONFIRM,
            {"command": command.to_json(), "draft_key": uuid.uuid4().hex, "count": len(plan.recipients)},
        )
        return Reply(texts.preview(plan, names_max=settings.broadcast_preview_names_max))

    @router.on(flt.InFlow(FLOW), flt.HasText())
    async def waiting(ctx: Context) -> Reply:
        """Anything else while a draft waits."""
        return Reply(texts.PENDING_HINT)

    @router.on(flt.Text(*texts.CONFIRM_WORDS), recently_confirmed)
    async def confirm_again(ctx: Context) -> Reply:
        """A second 「确认」 after the broadcast was created: never a second broadcast."""
        return Reply(texts.ALREADY_SENDING.replace("{id}", str(ctx.data["broadcast_id"])))

    return router
