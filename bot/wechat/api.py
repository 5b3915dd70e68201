"""Outbound WeChat API client (async, aiohttp, with timeouts) for the handful of endpoints we use.

wechatpy's client is synchronous with no default timeout, so it is not used here. Every call carries the
shared access_token (:mod:`bot.wechat.token`). Token errors (40001/40014/42001) refresh the token and
retry once; any other errcode is raised as :class:`WeChatAPIError` and never retried here.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import aiohttp
from pydantic import SecretStr

from bot.metrics import Metrics
from bot.wechat.token import TokenStore

log = logging.getLogger(__name__)
_R = TypeVar("_R")

TOKEN_ERRORS = frozenset({40001, 40014, 42001})

# errcode -> (what it means, permanent?). Permanent: retrying the same call cannot succeed.
KNOWN_ERRORS: dict[int, tuple[str, bool]] = {
    -1: ("system busy, try again later", False),
    40001: ("access_token invalid", False),
    40003: ("invalid openid", True),
    40007: ("invalid media_id (or expired: temporary media live 3 days)", True),
    40014: ("access_token invalid", False),
    40037: ("invalid template_id", True),
    40164: ("caller IP not in the account's IP whitelist", True),
    42001: ("access_token expired", False),
    43004: ("user has not subscribed", True),
    45009: ("daily API quota used up", False),
    45011: ("API per-minute frequency limit", False),
    45015: ("outside the 48 h customer-service window (or user unfollowed)", True),
    45047: ("customer-service message count for this user message used up", True),
    48001: ("API not authorised for this account (unverified?)", True),
}
NETWORK_ERROR = -1001  # timeout / connection error
HTTP_ERROR = -1002  # non-200 or non-JSON answer
MEDIA_TOO_LARGE = -1003  # media download larger than the cap (permanent)
NOT_MEDIA = -1004  # media download answered JSON without an errcode (e.g. a video's URL) (permanent)
MEDIA_MAX_BYTES = 10 * 1024 * 1024
MEDIA_GET = "cgi-bin/media/get"
TOKEN_PATH = "cgi-bin/stable_token"  # noqa: S105  (a URL path, not a secret)
_TOKEN_IN_TEXT = re.compile(r"access_token=[^&\s'\"]+")


class WeChatAPIError(Exception):
    """A WeChat API call failed: ``code`` is the errcode (or a negative local code), ``permanent`` is True
    when retrying the same call cannot help."""

    def __init__(self, code: int, message: str, *, permanent: bool, endpoint: str = "") -> None:
        self.code = code
        self.message = message
        self.permanent = permanent
        self.endpoint = endpoint
        meaning, _ = KNOWN_ERRORS.get(code, ("", permanent))
        detail = f" ({meaning})" if meaning else ""
        kind = "permanent" if permanent else "transient"
        super().__init__(f"WeChat API {endpoint or '?'} errcode {code}{detail}: {message} [{kind}]")


class WeChatAPI:
    """The outbound client. ``session`` is owned by the caller (created in the app's cleanup context)."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        base_url: str,
        app_id: str,
        app_secret: SecretStr,
        tokens: TokenStore,
        metrics: Metrics | None = None,
    ) -> None:
        self._session = session
        self._base = base_url.rstrip("/") + "/"
        self._app_id = app_id
        self._secret = app_secret
        self._tokens = tokens
        self._metrics = metrics or Metrics()

    # --- plumbing --------------------------------------------------------------------------------------
    def _fail(self, code: int, message: str, endpoint: str, permanent: bool | None = None) -> WeChatAPIError:
        self._metrics.api_errors[str(code)] += 1
        if permanent is None:
            permanent = KNOWN_ERRORS.get(code, ("", True))[1]
        return WeChatAPIError(code, message, permanent=permanent, endpoint=endpoint)

    async def _request(
        self, method: str, path: str, *, params: Mapping[str, str], body: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        url = self._base + path
        try:
            async with self._session.request(
                method,
                url,
                params=params,
                data=None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8"),
                headers=None if body is None else {"Content-Type": "application/json; charset=utf-8"},
            ) as resp:
                text = await resp.text(encoding="utf-8")
                if resp.status != 200:
                    raise self._fail(HTTP_ERROR, f"HTTP {resp.status}", path, permanent=False)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise self._fail(NETWORK_ERROR, f"{type(exc).__name__}: {exc}", path, permanent=False) from exc
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise self._fail(HTTP_ERROR, "answer is not JSON", path, permanent=False) from exc
        if not isinstance(data, dict):
            raise self._fail(HTTP_ERROR, "answer is not a JSON object", path, permanent=False)
        return data

    async def _fetch_token(self, force: bool) -> tuple[str, float]:
        # stable_token: the same token while valid; force_refresh is limited (20/day) so only on 4000x.
        data = await self._request(
            "POST",
            TOKEN_PATH,
            params={},
            body={
                "grant_type": "client_credential",
                "appid": self._app_id,
                "secret": self._secret.get_secret_value(),
                "force_refresh": force,
            },
        )
        code = int(data.get("errcode", 0) or 0)
        if code or "access_token" not in data:
            raise self._fail(code or HTTP_ERROR, str(data.get("errmsg", "no access_token")), "stable_token")
        return str(data["access_token"]), float(data.get("expires_in", 7200))

    async def access_token(self) -> str:
        """The current shared access_token (fetched if needed)."""
        return await self._tokens.get(self._fetch_token)

    async def call(
        self,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        method: str = "POST",
        query: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Call ``path`` (relative to the API base) with the access_token; returns the JSON answer.

        Token errors refresh the token and retry once; other errcodes raise :class:`WeChatAPIError`.
        """

        async def send(token: str) -> dict[str, Any]:
            return await self._request(method, path, params={**(query or {}), "access_token": token}, body=body)

        answer = await self._with_token(path, send)
        assert isinstance(answer, dict)
        return answer

    async def _with_token(
        self, path: str, send: Callable[[str], Awaitable[dict[str, Any] | _R]]
    ) -> dict[str, Any] | _R:
        """``send(access_token)``; an errcode in its JSON answer raises :class:`WeChatAPIError`, except a
        token error the first time, which refreshes the token and sends again. A JSON answer with errcode
        0 and anything that is not JSON (media bytes) are returned."""
        token = await self.access_token()
        for attempt in (1, 2):
            answer = await send(token)
            if not isinstance(answer, dict):
                return answer
            code = int(answer.get("errcode", 0) or 0)
            if code == 0:
                return answer
            if code in TOKEN_ERRORS and attempt == 1:
                self._metrics.api_errors[str(code)] += 1
                log.warning("access_token rejected (errcode %d): refreshing once", code)
                token = await self._tokens.get(self._fetch_token, stale=token)
                continue
            raise self._fail(code, str(answer.get("errmsg", "")), path)
        raise AssertionError("unreachable")

    async def _get_media(
        self, media_id: str, token: str, *, max_bytes: int, timeout_s: float | None
    ) -> tuple[bytes, str] | dict[str, Any]:
        """One GET of cgi-bin/media/get: the bytes and Content-Type, or the JSON answer (an error)."""
        path = MEDIA_GET
        timeout = None
        if timeout_s is not None:
            timeout = aiohttp.ClientTimeout(total=timeout_s, sock_connect=self._session.timeout.sock_connect)
        try:
            async with self._session.get(
                self._base + path, params={"access_token": token, "media_id": media_id}, timeout=timeout
            ) as resp:
                if resp.status != 200:
                    raise self._fail(HTTP_ERROR, f"HTTP {resp.status}", path, permanent=False)
                if resp.content_length is not None and resp.content_length > max_bytes:
                    too_big = f"{resp.content_length} bytes > {max_bytes}"
                    raise self._fail(MEDIA_TOO_LARGE, too_big, path, permanent=True)
                body = bytearray()
                # Read in chunks and stop past the cap: a missing or lying Content-Length cannot make us
                # hold more than max_bytes + one chunk.
                async for chunk in resp.content.iter_chunked(64 * 1024):
                    body += chunk
                    if len(body) > max_bytes:
                        raise self._fail(MEDIA_TOO_LARGE, f"more than {max_bytes} bytes", path, permanent=True)
                content_type = resp.headers.get("Content-Type", "")
        except (TimeoutError, aiohttp.ClientError) as exc:
            # The message may quote the URL: the token must not reach logs or the database.
            text = _TOKEN_IN_TEXT.sub("access_token=***", f"{type(exc).__name__}: {exc}")
            raise self._fail(NETWORK_ERROR, text, path, permanent=False) from exc
        mime = content_type.split(";")[0].strip().lower()
        # Errors come back as JSON, labelled text/plain or application/json; media never start with "{".
        if mime == "application/json" or mime.startswith("text/") or body[:1] == b"{":
            try:
                data = json.loads(bytes(body).decode("utf-8"))
            except ValueError as exc:
                raise self._fail(HTTP_ERROR, f"{mime or 'untyped'} answer is not JSON", path, permanent=False) from exc
            if not isinstance(data, dict):
                raise self._fail(HTTP_ERROR, "answer is not a JSON object", path, permanent=False)
            return data
        return bytes(body), mime

    async def download_media(
        self, media_id: str, *, max_bytes: int = MEDIA_MAX_BYTES, timeout_s: float | None = None
    ) -> tuple[bytes, str]:
        """Download a temporary media (kept by WeChat for 3 days): ``(bytes, content type)``.

        An errcode answer raises :class:`WeChatAPIError` (40007 invalid media_id is permanent); token
        errors refresh the token and retry once, as in :meth:`call`. More than ``max_bytes`` is refused
        (``MEDIA_TOO_LARGE``, permanent); a JSON answer without errcode (a video's URL) is ``NOT_MEDIA``.
        ``timeout_s`` replaces the session's total timeout for this download. A failure to get the
        access_token itself is raised with an ``endpoint`` other than ``MEDIA_GET`` (the token's).
        """
        path = MEDIA_GET

        async def send(token: str) -> tuple[bytes, str] | dict[str, Any]:
            return await self._get_media(media_id, token, max_bytes=max_bytes, timeout_s=timeout_s)

        answer = await self._with_token(path, send)
        if isinstance(answer, tuple):
            return answer
        raise self._fail(NOT_MEDIA, "JSON answer without media (not an image?)", path, permanent=True)

    # --- endpoints ---------------------------------------------------------------------------------------
    async def send_text(self, openid: str, content: str) -> None:
        """Customer-service text message (allowed for 48 h after the user's last message)."""
        await self.call(
            "cgi-bin/message/custom/send",
            {"touser": openid, "msgtype": "text", "text": {"content": content}},
        )

    async def send_template(
        self,
        openid: str,
        template_id: str,
        data: Mapping[str, str],
        *,
        url: str | None = None,
        client_msg_id: str | None = None,
    ) -> int:
        """Template message; returns its msgid. Fields: ≤ 20 characters each, no line breaks (2023 rules)."""
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {k: {"value": v} for k, v in data.items()},
        }
        if url:
            body["url"] = url
        if client_msg_id:
            body["client_msg_id"] = client_msg_id
        answer = await self.call("cgi-bin/message/template/send", body)
        return int(answer.get("msgid", 0))

    async def mass_send_text(self, openids: Sequence[str], content: str, *, client_msg_id: str) -> int:
        """Mass send to an openid list (service accounts); ``client_msg_id`` makes it idempotent."""
        answer = await self.call(
            "cgi-bin/message/mass/send",
            {
                "touser": list(openids),
                "msgtype": "text",
                "text": {"content": content},
                "clientmsgid": client_msg_id,
                "send_ignore_reprint": 0,
            },
        )
        return int(answer.get("msg_id", 0))

    async def user_info(self, openid: str, *, lang: str = "zh_CN") -> dict[str, Any]:
        """User info (subscribe flag, subscribe_time, tags…)."""
        return await self.call("cgi-bin/user/info", method="GET", query={"openid": openid, "lang": lang})

    async def create_qrcode(self, scene: str, *, expire_seconds: int | None = None) -> dict[str, Any]:
        """Parametric QR code for ``scene`` (string scene); temporary when ``expire_seconds`` is given
        (≤ 2592000), permanent otherwise. Returns ticket, url (and expire_seconds)."""
        body: dict[str, Any] = {"action_info": {"scene": {"scene_str": scene}}}
        if expire_seconds is None:
            body["action_name"] = "QR_LIMIT_STR_SCENE"
        else:
            body["action_name"] = "QR_STR_SCENE"
            body["expire_seconds"] = expire_seconds
        return await self.call("cgi-bin/qrcode/create", body)
