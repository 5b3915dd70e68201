"""``python -m bot reminders list|run-now [RULE]``: the reminder rules, and firing them by hand.

``run-now`` evaluates the rule(s) against compliance now and enqueues the messages (a run key of its
own, so the scheduled run still fires). The running server's sender delivers them; ``--send`` delivers
from this process instead (needs the WeChat credentials). Quiet hours are respected unless ``--force``.
``--dry-run`` prints who would be reminded, writing nothing.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.broadcast.models import ReminderRule
from bot.db import make_engine
from bot.reminders import engine as reminders
from bot.reminders.schedule import QuietHours, next_fire
from bot.settings import Settings
from bot.store.models import utcnow


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="reminders_action", metavar="ACTION", required=True)
    sub.add_parser("list", help="the rules, their schedule, next and last run")
    run = sub.add_parser("run-now", help="evaluate and enqueue a rule (all enabled rules without RULE)")
    run.add_argument("rule", nargs="?", help="rule code (see `reminders list`)")
    run.add_argument("--dry-run", action="store_true", help="print who would be reminded; write nothing")
    run.add_argument("--force", action="store_true", help="also during quiet hours")
    run.add_argument("--send", action="store_true", help="deliver from this process (else: the server does)")


def _schedule(rule: ReminderRule) -> str:
    parts = []
    if rule.months:
        parts.append(f"{rule.months}月")
    if rule.day_of_month is not None:
        parts.append(f"{rule.day_of_month}日")
    if rule.weekday is not None:
        parts.append("每周" + "一二三四五六日"[rule.weekday])
    if not parts:
        parts.append("每天")
    return "".join(parts) + f" {rule.at_time}"


def run(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings)
    try:
        if args.reminders_action == "list":
            return _list(engine, settings)
        return _run_now(engine, settings, args)
    finally:
        engine.dispose()


def _list(engine: Engine, settings: Settings) -> int:
    quiet = QuietHours.parse(settings.quiet_hours_start, settings.quiet_hours_end)
    now = utcnow()
    zone = ZoneInfo(settings.timezone)
    with Session(engine) as session:
        rules = reminders.load_rules(session=session, enabled_only=False)
        last = reminders.last_runs(session=session)
    print(f"quiet hours {settings.quiet_hours_start}–{settings.quiet_hours_end} ({settings.timezone})")
    for rule in rules:
        nxt = next_fire(rule, now=now, tz=settings.timezone, quiet=quiet)
        prev = last.get(rule.code)
        print(
            f"{rule.code:24} {'on ' if rule.enabled else 'off'} {_schedule(rule):18} "
            f"types={rule.type_codes or 'all'} check={rule.check} to={rule.audience}\n"
            f"{'':24}  {rule.name}\n"
            f"{'':24}  next: {nxt.strftime('%Y-%m-%d %H:%M') if nxt else '-'}"
            f"  last: {prev.ran_at.astimezone(zone).strftime('%Y-%m-%d %H:%M') if prev else '-'}"
            f"{f' ({prev.recipients} recipients)' if prev else ''}"
        )
    return 0


def _run_now(engine: Engine, settings: Settings, args: argparse.Namespace) -> int:
    now = utcnow()
    quiet = QuietHours.parse(settings.quiet_hours_start, settings.quiet_hours_end)
    local = now.astimezone(ZoneInfo(settings.timezone))
    if not args.dry_run and not args.force and quiet.contains(local.time()):
        print(f"quiet hours ({settings.quiet_hours_start}–{settings.quiet_hours_end}): not sent; use --force")
        return 3
    with Session(engine) as session:
        rules = reminders.load_rules(session=session, code=args.rule, enabled_only=args.rule is None)
    if not rules:
        print(f"no such rule: {args.rule}" if args.rule else "no enabled rules")
        return 2
    fired_any = False
    for rule in rules:
        with Session(engine) as session:
            if args.dry_run:
                ev = reminders.evaluate_rule(session=session, settings=settings, rule=rule, now=now)
                print(f"{rule.code}: {len(ev.behind)} branch(es) behind, {ev.recipients} recipient(s)")
                for m in ev.messages:
                    names = "、".join(r.name + ("" if r.openid else "（未绑定）") for r in m.recipients)
                    print(f"  → {names}: {m.text}")
                continue
            key = f"{rule.code}:manual:{local.strftime('%Y%m%dT%H%M%S')}"
            result = reminders.fire_run(
                session=session, settings=settings, rule=rule, run_key=key, due_at=now, owner="cli", now=now
            )
        fired_any = fired_any or result.recipients > 0
        state = "enqueued" if result.fired else "already fired"
        print(
            f"{rule.code}: {state}, {result.recipients} recipient(s), broadcast {result.broadcast_id or '-'}; "
            f"behind: {'、'.join(result.behind) or 'none'}"
        )
    if args.send and fired_any:
        return asyncio.run(_deliver(engine, settings))
    return 0


async def _deliver(engine: Engine, settings: Settings) -> int:
    import aiohttp

    from bot.broadcast.sender import BroadcastSender
    from bot.wechat.api import WeChatAPI
    from bot.wechat.token import MemoryTokenStore

    timeout = aiohttp.ClientTimeout(total=settings.outbound_timeout_s, sock_connect=settings.outbound_connect_timeout_s)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        api = WeChatAPI(
            session=http,
            base_url=settings.wechat_api_base,
            app_id=settings.wechat_app_id,
            app_secret=settings.wechat_app_secret,
            tokens=MemoryTokenStore(margin_s=settings.token_refresh_margin_s),
        )
        sender = BroadcastSender(engine=engine, settings=settings, api=api, owner="cli")
        budget = timedelta(seconds=settings.broadcast_backoff_max_s * settings.broadcast_max_attempts + 60)
        n = await sender.run_until_idle(timeout_s=budget.total_seconds())
    print(f"sent: {sender.sent} of {n} handled")
    return 0
