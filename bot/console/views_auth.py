"""Sign-in with a password or a one-time link sent in WeChat; sign-out."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote

from aiohttp import web

from bot.console import accounts
from bot.console.security import dummy_verify, new_token, verify_password
from bot.console.web import (
    PRE_COOKIE,
    SESSION_COOKIE,
    SESSION_ID,
    client_ip,
    form,
    principal,
    public,
    render,
    set_cookie,
    state,
    store,
)

log = logging.getLogger(__name__)


def _pre(request: web.Request) -> tuple[str, bool]:
    """The anonymous CSRF cookie value (and whether it must be set on the response)."""
    existing = request.cookies.get(PRE_COOKIE)
    return (existing, False) if existing else (new_token(), True)


def _safe_next(request: web.Request, target: str) -> str:
    prefix = state(request).prefix
    if target.startswith(prefix + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return prefix + "/compliance"


def _login_page(
    request: web.Request,
    *,
    error: str = "",
    status: int = 200,
    login: str = "",
    template: str = "login.html",
    extra: dict[str, object] | None = None,
) -> web.Response:
    st = state(request)
    pre, fresh = _pre(request)
    context: dict[str, object] = {
        "csrf": st.signer.csrf_token("pre:" + pre),
        "error": error,
        "login": login,
        "next": request.query.get("next", "") or form(request).get("next", ""),
        "link_enabled": bool(st.settings.console_public_url),
        **(extra or {}),
    }
    response = render(request, template, context, status=status)
    if fresh:
        set_cookie(response, st.settings, PRE_COOKIE, pre, max_age=None)
    return response


async def _limited(request: web.Request, login: str) -> str:
    """A refusal text when the sign-in rate limits are reached ('' otherwise)."""
    settings = state(request).settings
    by_login, by_ip = await store(request).call(
        accounts.failures, login=login, ip=client_ip(request, settings), window_s=settings.console_login_window_s
    )
    if by_login >= settings.console_login_max_per_login or by_ip >= settings.console_login_max_per_ip:
        minutes = max(1, round(settings.console_login_window_s / 60))
        return f"尝试次数过多，请 {minutes} 分钟后再试。"
    return ""


async def _start_session(request: web.Request, account_id: int, target: str) -> web.StreamResponse:
    st = state(request)
    settings = st.settings
    session_id = new_token()
    await store(request).call(
        accounts.open_session,
        account_id=account_id,
        session_id=session_id,
        ttl_s=settings.console_session_ttl_s,
        ip=client_ip(request, settings),
    )
    response = web.HTTPSeeOther(_safe_next(request, target))
    set_cookie(
        response, settings, SESSION_COOKIE, st.signer.sign("session", session_id),
        max_age=int(settings.console_session_ttl_s),
    )  # fmt: skip
    response.del_cookie(PRE_COOKIE, path=settings.console_path)
    raise response


@public
async def login_form(request: web.Request) -> web.StreamResponse:
    if request.get(SESSION_ID):
        raise web.HTTPSeeOther(_safe_next(request, request.query.get("next", "")))
    return _login_page(request)


@public
async def login_submit(request: web.Request) -> web.StreamResponse:
    st = state(request)
    settings = st.settings
    data = form(request)
    login = data.get("login", "").strip()[:64]
    password = data.get("password", "")
    if not login or not password:
        return _login_page(request, error="请输入账号和密码。", status=400, login=login)
    refused = await _limited(request, login)
    if refused:
        return _login_page(request, error=refused, status=429, login=login)
    creds = await store(request).call(accounts.credentials_for, login=login)
    if creds is None:
        await asyncio.to_thread(dummy_verify, password)
        ok = False
    else:
        ok = await asyncio.to_thread(verify_password, creds.password_hash, password)
    if not ok or creds is None:
        await store(request).call(
            accounts.note_failure,
            login=login,
            ip=client_ip(request, settings),
            window_s=settings.console_login_window_s,
        )
        log.info("console: failed sign-in for %r from %s", login, client_ip(request, settings))
        return _login_page(request, error="账号或密码不正确。", status=401, login=login)
    await store(request).call(accounts.clear_failures, login=login)
    log.info("console: %s signed in from %s", login, client_ip(request, settings))
    return await _start_session(request, creds.account_id, data.get("next", ""))


async def logout(request: web.Request) -> web.StreamResponse:
    settings = state(request).settings
    await store(request).call(accounts.close_session, session_id=request[SESSION_ID])
    log.info("console: %s signed out", principal(request).login)
    response = web.HTTPSeeOther(state(request).prefix + "/login")
    response.del_cookie(SESSION_COOKIE, path=settings.console_path)
    raise response


@public
async def link_form(request: web.Request) -> web.StreamResponse:
    return _login_page(request, template="login_link.html")


@public
async def link_request(request: web.Request) -> web.StreamResponse:
    """Send a one-time sign-in link to the WeChat of the account's linked member. The answer is the same
    whether or not the account exists (no account discovery); each request counts toward the limits."""
    from bot.app import WECHAT_API

    st = state(request)
    settings = st.settings
    login = form(request).get("login", "").strip()[:64]
    if not settings.console_public_url:
        return _login_page(
            request, template="login_link.html", error="未配置控制台公网地址，无法发送登录链接。", status=400
        )
    if not login:
        return _login_page(request, template="login_link.html", error="请输入账号。", status=400)
    refused = await _limited(request, login)
    if refused:
        return _login_page(request, template="login_link.html", error=refused, status=429, login=login)
    await store(request).call(
        accounts.note_failure, login=login, ip=client_ip(request, settings), window_s=settings.console_login_window_s
    )
    target = await store(request).call(accounts.link_target, login=login)
    if target is not None:
        token = new_token()
        await store(request).call(
            accounts.create_link, account_id=target.account_id, token=token, ttl_s=settings.console_link_ttl_s
        )
        url = f"{settings.console_public_url.rstrip('/')}{st.prefix}/login/link?t={quote(token)}"
        minutes = max(1, round(settings.console_link_ttl_s / 60))
        text = f"党建助手控制台登录链接（{minutes}分钟内有效，仅可使用一次）：\n{url}\n如非本人操作，请忽略。"
        try:
            await request.config_dict[WECHAT_API].send_text(target.openid, text)
        except Exception:
            log.exception("console: sign-in link for %s could not be sent", login)
    return _login_page(
        request, template="login_link.html", login=login,
        extra={"sent": "如果该账号存在并已绑定微信，登录链接已通过公众号发送，请在微信中打开。"},
    )  # fmt: skip


@public
async def link_open(request: web.Request) -> web.StreamResponse:
    """The link opened: a button to sign in (a GET never consumes the token: link previews would)."""
    return _login_page(request, template="login_link_open.html", extra={"token": request.query.get("t", "")[:100]})


@public
async def link_consume(request: web.Request) -> web.StreamResponse:
    token = form(request).get("token", "")[:100]
    account_id = await store(request).call(accounts.consume_link, token=token) if token else None
    if account_id is None:
        return _login_page(
            request, template="login_link.html", error="登录链接无效、已使用或已过期，请重新获取。", status=400
        )
    return await _start_session(request, account_id, "")
