"""Common behaviour: help, cancel, 更多, greetings, events, and polite replies to unsupported messages.

Several routers, because they sit at different places in the precedence order (``bot/app.py``).
"""

from __future__ import annotations

from bot.dispatch import NO_REPLY, Context, Reply, Router
from bot.dispatch import filters as flt
from handlers import texts

# Menu CLICK key -> the command it stands for (routed exactly as if typed). Declared here only.
MENU_COMMANDS: dict[str, str] = {
    "HELP": "帮助",
    "MORE": "更多",
    "CANCEL": "取消",
    "CHECKIN": "签到",
    "LEDGER": "本月台账",
}

# --- 1. cancel / help / more / events (first in precedence) ----------------------------------------------
commands = Router("commands")


@commands.on(flt.Text(*texts.CANCEL_WORDS))
async def cancel(ctx: Context) -> Reply:
    """Leave the current flow."""
    if ctx.state is None:
        return Reply(texts.NOTHING_TO_CANCEL)
    await ctx.clear_state()
    return Reply(texts.CANCELLED)


@commands.on(flt.Text(*texts.HELP_WORDS))
async def help_(ctx: Context) -> Reply:
    """Usage."""
    return Reply(texts.HELP)


@commands.on(flt.Text(*texts.MORE_WORDS))
async def more(ctx: Context) -> Reply:
    """Next page of the last long answer."""
    page = await ctx.pages.next_page(ctx.user_id)
    return Reply(page or texts.NO_MORE_PAGES)


events = Router("events")


@events.on(flt.Event("subscribe"))
async def subscribe(ctx: Context) -> Reply:
    """Welcome. (A binding QR scene was taken earlier, by the binding router; other scenes are noted.)"""
    if ctx.inbound.scene:
        return Reply(texts.WELCOME + "\n\n" + texts.SCENE_WELCOME)
    return Reply(texts.WELCOME)


@events.on(flt.Event("scan"))
async def scan(ctx: Context) -> Reply:
    """An existing follower scanned a parametric QR code (scene in ``ctx.inbound.scene``)."""
    return Reply(texts.SCAN_RECEIVED)


@events.on(flt.Event() & ~flt.Event("click"))
async def other_event(ctx: Context) -> Reply:
    """unsubscribe, VIEW, LOCATION, template/mass-send reports…: nothing to say."""
    return NO_REPLY


# --- keywords (after flows and the organizer) -------------------------------------------------------------
keywords = Router("keywords")


@keywords.on(flt.Text(*texts.GREETING_WORDS))
async def greeting(ctx: Context) -> Reply:
    """Hello."""
    return Reply(texts.GREETING)


# --- media and anything else (after the keyword routers, before/around Q&A) -------------------------------
media = Router("media")


@media.on(flt.MsgType(*texts.MEDIA_NOT_SUPPORTED))
async def unsupported_media(ctx: Context) -> Reply:
    """Image, voice, video, location, link: say what is supported."""
    return Reply(texts.MEDIA_NOT_SUPPORTED[ctx.inbound.msg_type])


fallback = Router("fallback")


@fallback.on(flt.MsgType("text"))
async def empty_text(ctx: Context) -> Reply:
    """A text the Q&A did not take (blank)."""
    return Reply(texts.EMPTY_TEXT)


@fallback.on(flt.Event("click"))
async def unknown_menu(ctx: Context) -> Reply:
    """A CLICK whose key maps to no command (mapped keys were routed as typed commands)."""
    return Reply(texts.MENU_UNKNOWN)


@fallback.on()
async def unknown(ctx: Context) -> Reply:
    """Unknown message types."""
    return Reply(texts.UNKNOWN_MESSAGE)
