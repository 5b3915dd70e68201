"""Binding a WeChat user to a roster member: "绑定 <code>" or a QR scene, then the member's name.

    绑定 ABC234            → the branch's unbound roster names (numbered)
    王小明  (or 1)          → bound
    subscribe / SCAN with scene ``bind_ABC234`` (``qrscene_bind_…`` on subscribe) → the same list

The flow (one step, NAME) is a :class:`handlers.flow.Flow` like the check-in. Codes are created by
organizers with "邀请码" (handlers/ledger.py) or by the operator CLI.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from bot.dispatch import Context, Reply, Router
from bot.dispatch import filters as flt
from bot.dispatch.filters import FilterResult
from bot.settings import Settings
from bot.store import binding
from bot.store.errors import StoreError
from bot.store.service import CheckinStore
from handlers import checkin_texts as ct
from handlers import texts
from handlers.flow import Flow, on

log = logging.getLogger(__name__)

FLOW = "bind"


class Step(StrEnum):
    NAME = "name"


def bind_command(ctx: Context) -> FilterResult:
    """ "绑定 ABC234" → ``{"code": "ABC234"}``; a bare "绑定" → ``{"code": ""}``."""
    if ctx.inbound.msg_type != "text" or not ctx.text:
        return False
    code = binding.parse_bind_command(ctx.text)
    if code is not None:
        return {"code": code}
    if ctx.text.strip() in ("绑定", "綁定", "bind"):
        return {"code": ""}
    return False


def bind_scene(ctx: Context) -> FilterResult:
    """A subscribe / SCAN event whose QR scene is a binding invite."""
    if ctx.inbound.msg_type != "event" or ctx.inbound.event not in ("subscribe", "scan"):
        return False
    code = binding.parse_bind_scene(ctx.inbound.scene) if ctx.inbound.scene else None
    return {"code": code} if code else False


class BindingConversation:
    """The binding :class:`Flow` of one app."""

    def __init__(self, store: CheckinStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.flow: Flow[Step] = Flow(
            name=FLOW,
            steps=Step,
            ttl_s=settings.conversation_ttl_s,
            notice_s=0.0,
            entry=(on(bind_command)(self.start), on(bind_scene)(self.start)),
            states={Step.NAME: (on(flt.MsgType("text") & flt.HasText())(self.pick),)},
        )

    def router(self) -> Router:
        """The flow's router (for ``_flow_routers()`` in bot/app.py)."""
        return self.flow.router()

    async def start(self, ctx: Context) -> Reply:
        """Check the code and list the names to choose from."""
        code = str(ctx.data.get("code", ""))
        welcome = [texts.WELCOME] if ctx.inbound.event == "subscribe" else []
        if not code:
            return Reply(ct.BIND_HOW)
        try:
            found = await self.store.call(binding.redeem_invite, openid=ctx.user_id, code=code)
        except StoreError as exc:
            log.info("binding refused for %s: %s", ctx.user_id, exc.code.value)
            return Reply("\n\n".join([*welcome, ct.error_text(exc)]))
        cands = [[c.member_id, c.name, c.hint] for c in found.candidates]
        if not cands:
            return Reply("\n\n".join([*welcome, ct.BIND_NONE.format(branch=found.branch_name)]))
        await self.flow.go(ctx, Step.NAME, {"code": found.invite_code, "branch": found.branch_name, "c": cands})
        if len(cands) <= self.settings.bind_list_max:
            ask = ct.BIND_PICK.format(branch=found.branch_name, names=ct.candidate_list(cands))
        else:
            ask = ct.BIND_PICK_NAME.format(branch=found.branch_name)
        return Reply("\n\n".join([*welcome, ask]))

    async def pick(self, ctx: Context) -> Reply:
        """The member's name (or number in the list)."""
        data = self.flow.data(ctx)
        cands: list[list[Any]] = data["c"]
        answer = ctx.text.strip().rstrip("。.")
        listed = len(cands) <= self.settings.bind_list_max or bool(data.get("narrowed"))
        shown: list[list[Any]] = data.get("narrowed") or cands
        if answer.isdigit() and listed and 1 <= int(answer) <= len(shown):
            chosen = [shown[int(answer) - 1]]
        else:
            chosen = [c for c in cands if c[1] == answer]
        if not chosen:
            await self.flow.go(ctx, Step.NAME, data)
            return Reply(ct.BIND_FAILED_WHO.format(name=answer[:20]))
        if len(chosen) > 1:  # the same name twice in the roster: pick by number (phone tail shown)
            await self.flow.go(ctx, Step.NAME, {**data, "narrowed": chosen})
            return Reply(ct.BIND_PICK_NUMBER.format(names=ct.candidate_list(chosen)))
        try:
            actor = await self.store.call(
                binding.confirm_binding, openid=ctx.user_id, code=data["code"], member_id=chosen[0][0]
            )
        except StoreError as exc:
            log.info("binding refused for %s: %s", ctx.user_id, exc.code.value)
            await ctx.clear_state()
            return Reply(ct.error_text(exc))
        await ctx.clear_state()
        log.info("%s bound to member %s of org %s", ctx.user_id, actor.member_id, actor.org_id)
        return Reply(ct.BIND_DONE.format(branch=actor.org_name, name=actor.name))
