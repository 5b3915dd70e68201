"""The composition root: ``create_app(settings)`` builds the whole aiohttp application.

Nothing is created at import time. Resources (Redis, the HTTP client session, the knowledge service and
its thread pool, the database engine, background tasks) are opened and closed in cleanup contexts and
shared under typed ``web.AppKey``s.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import aiohttp
from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy.engine import Engine

from bot.broadcast.activity import ActivityTracker
from bot.broadcast.runtime import BroadcastRuntime, broadcast_runtime
from bot.conversation import StateStorage
from bot.db import make_engine, ping
from bot.deadline import BackgroundTasks, Gateway
from bot.dedup import DedupStore, MemoryDedup, RedisDedup
from bot.dispatch import Dispatcher, Router
from bot.locks import MemoryUserLocks, RedisUserLocks, UserLocks
from bot.maintenance import MaintenanceRuntime, maintenance_runtime
from bot.metrics import Metrics
from bot.pagination import MemoryPageStore, PageStore, Paginator, RedisPageStore
from bot.settings import Settings
from bot.store.migrate import upgrade
from bot.store.service import CheckinStore
from bot.store.state import SqlStateStorage
from bot.wechat.api import WeChatAPI
from bot.wechat.protocol import AESCipher
from bot.wechat.token import MemoryTokenStore, RedisTokenStore, TokenStore
from bot.wechat.webhook import WEBHOOK, Webhook, handle_get, handle_post
from handlers import broadcast, broadcast_texts, common, texts
from handlers.binding import BindingConversation
from handlers.checkin import CheckinConversation
from handlers.ledger import LedgerCommands
from handlers.policy_qa import Answerer, KnowledgeAnswerer, make_router

log = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", Metrics)
TASKS = web.AppKey("tasks", BackgroundTasks)
REDIS = web.AppKey("redis", Redis)
HTTP = web.AppKey("http", aiohttp.ClientSession)
WECHAT_API = web.AppKey("wechat_api", WeChatAPI)
ANSWERER = web.AppKey("answerer", Answerer)
ENGINE = web.AppKey("engine", Engine)
STORE = web.AppKey("store", CheckinStore)
DISPATCHER = web.AppKey("dispatcher", Dispatcher)
GATEWAY = web.AppKey("gateway", Gateway)
BROADCASTS = web.AppKey("broadcasts", BroadcastRuntime)
MAINTENANCE = web.AppKey("maintenance", MaintenanceRuntime)


def build_routers(
    answerer: Answerer,
    *,
    events: Sequence[Router] = (),
    flows: Sequence[Router] = (),
    organizer: Sequence[Router] = (),
) -> list[Router]:
    """ROUTER_PRECEDENCE — the one place the order is declared (first match wins):

    1. cancel / help / 更多, then ``events`` (binding: "绑定 <code>", a QR scene on subscribe/SCAN, the
       name answer), then the generic events (subscribe welcome, SCAN…)
    2. the active conversation flow (check-in…: routers whose handlers filter on ``F.InFlow``)
    3. organizer commands
    4. keywords
    5. unsupported media (after flows: a check-in flow may take an image)
    6. policy Q&A (any remaining text)
    7. fallback (blank text, unknown menu keys, unknown types)

    A feature adds its router by passing it in ``flows``/``organizer`` here (``create_app`` does).
    """
    return [
        common.commands,
        *events,
        common.events,
        *flows,
        *organizer,
        common.keywords,
        common.media,
        make_router(answerer),
        common.fallback,
    ]


def _event_routers(store: CheckinStore, settings: Settings) -> list[Router]:
    """Routers ahead of the generic events: binding (its QR scene must win over the plain welcome)."""
    return [BindingConversation(store, settings).router()]


def _flow_routers(store: CheckinStore, settings: Settings, *, state_in_store: bool) -> list[Router]:
    """Routers of the conversation flows (check-in…). Features register here."""
    return [CheckinConversation(store, settings, state_in_store=state_in_store).router()]


def _organizer_routers(store: CheckinStore, settings: Settings) -> list[Router]:
    """Routers of organizer commands (台账, 未完成, 确认, 邀请码, 达标率). Features register here."""
    return [LedgerCommands(store, settings).router()]


def _broadcast_routers(app: web.Application) -> list[Router]:
    """「通知」 (issue 5): ahead of the other organizer commands, so that 「确认」 of a notice draft wins."""
    runtime = app[BROADCASTS]
    return [broadcast.make_router(runtime)] if runtime.enabled else []


def create_app(
    settings: Settings,
    *,
    answerer: Answerer | None = None,
    engine: Engine | None = None,
    state_storage: StateStorage | None = None,
    routers: Sequence[Router] | None = None,
) -> web.Application:
    """Build the app. ``answerer``/``engine``/``state_storage``/``routers`` replace the real ones (tests)."""
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[TASKS] = BackgroundTasks()
    tracker = ActivityTracker()  # last interaction per openid (48 h window); flushed by broadcast_ctx

    async def redis_ctx(app: web.Application) -> AsyncIterator[None]:
        if not settings.redis_url:
            yield
            return
        client = Redis.from_url(settings.redis_url)
        await client.ping()
        app[REDIS] = client
        yield
        await client.aclose()

    async def http_ctx(app: web.Application) -> AsyncIterator[None]:
        timeout = aiohttp.ClientTimeout(
            total=settings.outbound_timeout_s, sock_connect=settings.outbound_connect_timeout_s
        )
        async with aiohttp.ClientSession(timeout=timeout) as session:
            app[HTTP] = session
            redis = app.get(REDIS)
            tokens: TokenStore
            if redis is not None:
                tokens = RedisTokenStore(
                    redis,
                    prefix=settings.redis_key_prefix,
                    margin_s=settings.token_refresh_margin_s,
                    lock_ttl_s=settings.token_lock_ttl_s,
                    wait_s=settings.token_wait_s,
                    poll_s=settings.dedup_poll_s,
                )
            else:
                tokens = MemoryTokenStore(margin_s=settings.token_refresh_margin_s)
            app[WECHAT_API] = WeChatAPI(
                session=session,
                base_url=settings.wechat_api_base,
                app_id=settings.wechat_app_id,
                app_secret=settings.wechat_app_secret,
                tokens=tokens,
                metrics=app[METRICS],
            )
            yield

    async def answerer_ctx(app: web.Application) -> AsyncIterator[None]:
        if answerer is not None:
            app[ANSWERER] = answerer
            yield
            return
        from knowledge.service import KnowledgeService  # lazy: loads torch/faiss

        executor = ThreadPoolExecutor(max_workers=settings.qa_workers, thread_name_prefix="qa")
        service = await asyncio.to_thread(KnowledgeService.open, settings)
        app[ANSWERER] = KnowledgeAnswerer(service, executor)
        try:
            yield
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
            await asyncio.to_thread(service.close)

    async def db_ctx(app: web.Application) -> AsyncIterator[None]:
        # Migrations and engine creation do blocking I/O: off the event loop. One engine serves the
        # store, the conversation state and /healthz.
        eng = engine if engine is not None else await asyncio.to_thread(make_engine, settings)
        if settings.migrate_on_startup:
            await asyncio.to_thread(upgrade, settings, engine=eng)
        app[ENGINE] = eng
        app[STORE] = CheckinStore(eng, settings)
        yield
        if engine is None:
            await asyncio.to_thread(eng.dispose)

    async def broadcast_ctx(app: web.Application) -> AsyncIterator[None]:
        # Broadcast sender, activity flusher, reminder scheduler (docs/broadcasts.md); drained on exit.
        async with broadcast_runtime(
            settings, engine=app[ENGINE], api=app[WECHAT_API], tracker=tracker, report_text=broadcast_texts.report_text
        ) as runtime:
            app[BROADCASTS] = runtime
            yield

    async def maintenance_ctx(app: web.Application) -> AsyncIterator[None]:
        # Photo fetcher and conversation purge (docs/checkins.md); stopped and drained on exit.
        async with maintenance_runtime(settings, engine=app[ENGINE], api=app[WECHAT_API]) as runtime:
            app[MAINTENANCE] = runtime
            yield

    async def gateway_ctx(app: web.Application) -> AsyncIterator[None]:
        metrics = app[METRICS]
        redis = app.get(REDIS)
        dedup: DedupStore
        locks: UserLocks
        pages: PageStore
        if redis is not None:
            prefix = settings.redis_key_prefix
            dedup = RedisDedup(redis, prefix=prefix, ttl_s=settings.dedup_ttl_s, poll_s=settings.dedup_poll_s)
            locks = RedisUserLocks(
                redis,
                prefix=prefix,
                ttl_s=settings.user_lock_ttl_s,
                wait_s=settings.user_lock_wait_s,
                poll_s=settings.dedup_poll_s,
            )
            pages = RedisPageStore(redis, prefix)
        else:
            dedup = MemoryDedup(ttl_s=settings.dedup_ttl_s)
            locks = MemoryUserLocks(wait_s=settings.user_lock_wait_s)
            pages = MemoryPageStore()
        store = app[STORE]
        # Conversation state lives in the database (a check-in survives a restart) unless a test
        # passes its own storage.
        storage: StateStorage = state_storage if state_storage is not None else SqlStateStorage(app[ENGINE])
        chosen = (
            list(routers)
            if routers is not None
            else build_routers(
                app[ANSWERER],
                events=_event_routers(store, settings),
                flows=_flow_routers(store, settings, state_in_store=state_storage is None),
                organizer=[*_broadcast_routers(app), *_organizer_routers(store, settings)],
            )
        )
        dispatcher = Dispatcher(
            chosen,
            storage=storage,
            locks=locks,
            paginator=Paginator(
                pages, max_bytes=settings.reply_max_bytes, ttl_s=settings.page_ttl_s, footer=texts.page_footer
            ),
            apology=texts.APOLOGY,
            conversation_ttl_s=settings.conversation_ttl_s,
            menu_commands=common.MENU_COMMANDS,
            user_middlewares=[tracker.middleware],
        )
        gateway = Gateway(
            dispatcher=dispatcher,
            dedup=dedup,
            tasks=app[TASKS],
            sender=app[WECHAT_API],
            metrics=metrics,
            deadline_s=settings.reply_deadline_s,
            handler_timeout_s=settings.handler_timeout_s,
            apology=texts.APOLOGY,
        )
        aes_key = settings.wechat_aes_key.get_secret_value()
        cipher = AESCipher(aes_key, settings.wechat_app_id) if aes_key else None
        if settings.wechat_encryption == "safe" and cipher is None:
            raise ValueError("DJ_WECHAT_ENCRYPTION=safe needs DJ_WECHAT_AES_KEY and DJ_WECHAT_APP_ID")
        app[DISPATCHER] = dispatcher
        app[GATEWAY] = gateway
        app[WEBHOOK] = Webhook(
            token=settings.wechat_token.get_secret_value(),
            cipher=cipher,
            require_encryption=settings.wechat_encryption == "safe",
            max_body_bytes=settings.max_body_bytes,
            gateway=gateway,
            metrics=metrics,
        )
        yield
        await app[TASKS].drain(settings.shutdown_grace_s)

    app.cleanup_ctx.extend([redis_ctx, http_ctx, answerer_ctx, db_ctx, broadcast_ctx, maintenance_ctx, gateway_ctx])
    if settings.gc_freeze_on_startup:
        app.on_startup.append(_freeze_gc)  # runs after the contexts above have started
    app.router.add_get(settings.wechat_path, handle_get)
    app.router.add_post(settings.wechat_path, handle_post)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_view)
    from bot.console import setup_console  # web console (docs/console.md), started after the contexts above

    setup_console(app, settings)
    return app


_GC_FROZEN = False


async def _freeze_gc(_app: web.Application) -> None:
    """Collect once, then freeze what is alive (modules, engine, models, routers): a full collection
    walked all of it and stopped the event loop for 130-180 ms under load; frozen, it walks only the
    objects made since (a few ms). Once per process (tests build many apps)."""
    global _GC_FROZEN
    if _GC_FROZEN:
        return
    _GC_FROZEN = True
    gc.collect()
    gc.freeze()


async def healthz(request: web.Request) -> web.Response:
    """Readiness: the knowledge model/index is loaded and the database answers (503 otherwise)."""
    app = request.app
    answerer = app[ANSWERER]
    database = await asyncio.to_thread(ping, app[ENGINE])
    try:
        knowledge = answerer.describe()
    except Exception as exc:  # a broken service must not break the health check itself
        knowledge = {"error": type(exc).__name__}
    ready = bool(answerer.ready) and database
    body = {
        "status": "ok" if ready else "unavailable",
        "knowledge": {"ready": bool(answerer.ready), **knowledge},
        "database": {"reachable": database},
        "redis": REDIS in app,
        "background_tasks": len(app[TASKS]),
    }
    return web.json_response(body, status=200 if ready else 503, dumps=_dumps)


def _dumps(obj: object) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False, default=str)


async def metrics_view(request: web.Request) -> web.Response:
    """Prometheus text exposition."""
    metrics = request.app[METRICS]
    metrics_errors = request.app[DISPATCHER].errors
    text = metrics.render(extra_handler_errors=metrics_errors)
    return web.Response(text=text, content_type="text/plain", charset="utf-8", headers={"X-Format": "0.0.4"})
