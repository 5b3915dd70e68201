"""The console's plumbing: shared state, the session/CSRF middleware, rendering and small helpers.

``setup_console(app, settings)`` (called once from ``create_app``) mounts a sub-application under
``DJ_CONSOLE_PATH`` and appends the console's cleanup context to the main app, after the gateway's:
it starts once the database and the knowledge service are up, and stops before they close.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import BodyPartReader, web

from bot.console.accounts import Principal, principal_for_session
from bot.console.compliance_view import ComplianceCache
from bot.console.documents import DocumentJobs, DocumentsBackend, IndexDocuments, encoder_of
from bot.console.security import Signer, load_secret
from bot.settings import Settings
from bot.store.service import CheckinStore

log = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SESSION_COOKIE = "dj_console"
PRE_COOKIE = "dj_console_pre"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(slots=True)
class ConsoleState:
    """Everything the console pages share (one per app, created in the console's cleanup context)."""

    settings: Settings
    signer: Signer
    cache: ComplianceCache
    documents: DocumentJobs
    prefix: str
    templates: jinja2.Environment


CONSOLE = web.AppKey("console", ConsoleState)
PRINCIPAL = web.RequestKey("console_principal", Principal)
SESSION_ID = web.RequestKey("console_session_id", str)
MULTIPART = web.RequestKey("console_multipart", BodyPartReader)  # rest of a checked multipart form
FORM = web.RequestKey("console_form", dict)  # the urlencoded POST form, read once by the middleware


def public(handler: Handler) -> Handler:
    """Mark a handler reachable without a session (sign-in pages, static files)."""
    handler.console_public = True  # type: ignore[attr-defined]
    return handler


def state(request: web.Request) -> ConsoleState:
    return request.config_dict[CONSOLE]


def store(request: web.Request) -> CheckinStore:
    from bot.app import STORE

    return request.config_dict[STORE]


def principal(request: web.Request) -> Principal:
    """The signed-in account (the middleware guarantees one on non-public pages)."""
    return request[PRINCIPAL]


def client_ip(request: web.Request, settings: Settings) -> str:
    if settings.console_trust_forwarded:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return (request.remote or "")[:64]


def form(request: web.Request) -> dict[str, str]:
    """The POST form the middleware already read and checked."""
    data: dict[str, str] = request.get(FORM, {})
    return data


def render(request: web.Request, template: str, context: dict[str, Any], *, status: int = 200) -> web.Response:
    """Render a template (autoescaped) with the common context: prefix, signed-in account, CSRF token."""
    st = state(request)
    html = st.templates.get_template(template).render({**_context(request, st), **context})
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def redirect(request: web.Request, path: str) -> web.HTTPSeeOther:
    """303 to a console path (``/records`` → ``/console/records``)."""
    return web.HTTPSeeOther(state(request).prefix + path)


def not_found(request: web.Request, what: str = "页面") -> web.Response:
    return render(
        request, "error.html", {"title": "未找到", "message": f"{what}不存在，或不在您的管辖范围内。"}, status=404
    )


def forbidden(request: web.Request, message: str) -> web.Response:
    return render(request, "error.html", {"title": "无权操作", "message": message}, status=403)


def set_cookie(response: web.StreamResponse, settings: Settings, name: str, value: str, *, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=settings.console_path,
        httponly=True,
        secure=settings.console_cookie_secure,
        samesite="Lax",
    )


def _security_headers(response: web.StreamResponse) -> None:
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cache-Control", "no-store")


async def _check_csrf(request: web.Request, st: ConsoleState, session_id: str | None) -> bool:
    """Read the POST form (or the first multipart field) and check its CSRF token."""
    expected_for = session_id if session_id is not None else "pre:" + request.cookies.get(PRE_COOKIE, "")
    if session_id is None and not request.cookies.get(PRE_COOKIE):
        return False
    header = request.headers.get(CSRF_HEADER)
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        part = await reader.next()
        if not isinstance(part, BodyPartReader) or part.name != CSRF_FIELD:
            return False
        first = (await part.read(decode=True))[:200].decode(errors="replace")
        request[MULTIPART] = reader  # type: ignore[misc]
        return st.signer.check_csrf(expected_for, first)
    if request.content_type == "application/x-www-form-urlencoded" or not header:
        data = await request.post()
        fields = {k: v for k, v in data.items() if isinstance(v, str)}
        request[FORM] = fields
        token: str | None = fields.get(CSRF_FIELD) or header
    else:
        token = header
    return st.signer.check_csrf(expected_for, token)


@web.middleware
async def console_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Load the session, require one on non-public pages, check CSRF on every POST, add headers."""
    st = state(request)
    settings = st.settings
    session_id = st.signer.unsign("session", request.cookies.get(SESSION_COOKIE))
    who: Principal | None = None
    if session_id is not None:
        who = await store(request).call(principal_for_session, session_id=session_id)
    route_handler = request.match_info.route.handler
    is_public = bool(getattr(route_handler, "console_public", False))
    if who is not None and session_id is not None:
        request[PRINCIPAL] = who
        request[SESSION_ID] = session_id
    elif not is_public:
        if request.method in ("GET", "HEAD") and request.headers.get("Accept", "").find("json") < 0:
            raise web.HTTPSeeOther(f"{st.prefix}/login?next={request.rel_url.raw_path_qs}")
        response: web.StreamResponse = web.json_response({"error": "not signed in"}, status=401)
        _security_headers(response)
        return response
    if request.method == "POST":
        ok = await _check_csrf(request, st, session_id if who is not None else None)
        if not ok:
            log.warning("console: CSRF check failed on %s from %s", request.path, client_ip(request, settings))
            response = render(
                request,
                "error.html",
                {"title": "请求已失效", "message": "表单已过期或来源不明（CSRF 校验失败），请返回页面刷新后重试。"},
                status=403,
            )
            _security_headers(response)
            return response
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _security_headers(exc)
        raise
    _security_headers(response)
    return response


def _context(request: web.Request, st: ConsoleState) -> dict[str, Any]:
    who = request.get(PRINCIPAL)
    session_id = request.get(SESSION_ID)
    pre = request.cookies.get(PRE_COOKIE, "")
    csrf = st.signer.csrf_token(session_id) if session_id else st.signer.csrf_token("pre:" + pre) if pre else ""
    return {"P": st.prefix, "me": who, "csrf": csrf, "path": request.path}


def template_env() -> jinja2.Environment:
    """The console's templates (package data), HTML-escaped by default."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bot.console", "templates"),
        autoescape=jinja2.select_autoescape(["html", "svg"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals["tz_info"] = ZoneInfo
    return env


def setup_console(
    app: web.Application,
    settings: Settings,
    *,
    documents: DocumentsBackend | None = None,
) -> None:
    """Mount the console on ``app`` (a sub-application under ``console_path``) and register its
    cleanup context. ``documents`` replaces the knowledge index backend (tests)."""
    if not settings.console_enabled:
        return
    from bot.console import routes

    prefix = settings.console_path.rstrip("/")
    sub = web.Application(middlewares=[console_middleware])
    routes.add_routes(sub)
    app.add_subapp(prefix, sub)

    async def console_ctx(app: web.Application) -> AsyncIterator[None]:
        from bot.app import ANSWERER

        key = await asyncio.to_thread(load_secret, settings)
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="console-docs")
        answerer = app.get(ANSWERER)
        backend = documents or IndexDocuments(settings, lambda: encoder_of(answerer))
        jobs = DocumentJobs(backend, settings.data_dir / settings.console_docs_dirname, executor)
        app[CONSOLE] = ConsoleState(
            settings=settings,
            signer=Signer(key),
            cache=ComplianceCache(ttl_s=settings.console_cache_ttl_s, entries=settings.console_cache_entries),
            documents=jobs,
            prefix=prefix,
            templates=template_env(),
        )
        yield
        await jobs.drain(settings.shutdown_grace_s)
        executor.shutdown(wait=False, cancel_futures=True)

    app.cleanup_ctx.append(console_ctx)


def static_dir() -> Path:
    return Path(__file__).with_name("static")
