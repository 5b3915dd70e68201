"""The callback endpoint: GET verification and POST messages, in plaintext, compatible or safe mode.

Every POST is signature-checked (constant time). In safe mode (``encrypt_type=aes``) the body is opened
with ``msg_signature`` over (token, timestamp, nonce, Encrypt) — not ``signature`` — and the reply is
encrypted. WeChat treats anything but XML or ``success`` as a failure and shows "该公众号暂时无法提供服务",
so past the signature check every outcome is XML or ``success``, never a 5xx.
"""

from __future__ import annotations

import logging
import time

from aiohttp import web

from bot.deadline import Gateway
from bot.metrics import Metrics
from bot.wechat.parsing import ParseError, XMLRefusedError, parse_document, parse_inbound
from bot.wechat.protocol import AESCipher, CryptoError, check_signature
from bot.wechat.replies import SUCCESS, render_encrypted, render_text

log = logging.getLogger(__name__)


class Webhook:
    """Request handlers for the callback path (registered by ``create_app``)."""

    def __init__(
        self,
        *,
        token: str,
        cipher: AESCipher | None,
        require_encryption: bool,
        max_body_bytes: int,
        gateway: Gateway,
        metrics: Metrics,
    ) -> None:
        self._token = token
        self._cipher = cipher
        self._require_encryption = require_encryption
        self._max_body = max_body_bytes
        self.gateway = gateway
        self.metrics = metrics

    def _signed(self, request: web.Request) -> tuple[str, str] | web.Response:
        """(timestamp, nonce) of a correctly signed request, or the error response."""
        q = request.query
        signature = q.get("signature", "")
        if not signature:
            return self._error(403, "missing signature")
        timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
        if not timestamp or not nonce:
            return self._error(400, "missing timestamp or nonce")
        if not check_signature(signature, self._token, timestamp, nonce):
            return self._error(403, "bad signature")
        return timestamp, nonce

    def _error(self, status: int, reason: str) -> web.Response:
        self.metrics.requests["invalid"] += 1
        self.metrics.responses[str(status)] += 1
        log.warning("callback refused (%d): %s", status, reason)
        return web.Response(status=status, text=reason)

    def _success(self) -> web.Response:
        self.metrics.responses["200"] += 1
        return web.Response(text=SUCCESS, content_type="text/plain")

    async def get(self, request: web.Request) -> web.Response:
        """Server verification: echo ``echostr`` when the signature is right."""
        signed = self._signed(request)
        if isinstance(signed, web.Response):
            return signed
        echostr = request.query.get("echostr")
        if echostr is None:
            return self._error(400, "missing echostr")
        self.metrics.requests["verify"] += 1
        self.metrics.responses["200"] += 1
        return web.Response(text=echostr, content_type="text/plain")

    async def post(self, request: web.Request) -> web.Response:
        """One message or event."""
        started = time.monotonic()
        signed = self._signed(request)
        if isinstance(signed, web.Response):
            return signed
        timestamp, nonce = signed
        encrypted = request.query.get("encrypt_type", "raw").lower() == "aes"
        if self._require_encryption and not encrypted:
            return self._error(403, "unencrypted message in safe mode")
        if encrypted and not request.query.get("msg_signature"):
            return self._error(403, "missing msg_signature")
        if request.content_length is not None and request.content_length > self._max_body:
            return self._error(413, "body too large")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._error(413, "body too large")
        if len(body) > self._max_body:
            return self._error(413, "body too large")
        try:
            return await self._answer(request, body, encrypted, timestamp, nonce, started)
        except Exception:  # never a 500 to WeChat
            log.exception("callback handling failed")
            return self._success()
        finally:
            self.metrics.latency.observe(time.monotonic() - started)

    async def _answer(
        self, request: web.Request, body: bytes, encrypted: bool, timestamp: str, nonce: str, started: float
    ) -> web.Response:
        try:
            if encrypted:
                outer = parse_document(body)
                envelope = outer.get("Encrypt", "")
                if not envelope:
                    raise ParseError("safe mode body without <Encrypt>")
                msg_signature = request.query["msg_signature"]
                if not check_signature(msg_signature, self._token, timestamp, nonce, envelope):
                    return self._error(403, "bad msg_signature")
                if self._cipher is None:
                    log.error("encrypted callback but DJ_WECHAT_AES_KEY/DJ_WECHAT_APP_ID are not set")
                    return self._success()
                try:
                    plain = self._cipher.decrypt(envelope)
                except CryptoError as exc:
                    log.error("encrypted callback could not be opened (AES key or app id mismatch?): %s", exc)
                    return self._success()
                inbound = parse_inbound(plain)
            else:
                inbound = parse_inbound(body)
        except XMLRefusedError:
            self.metrics.requests["refused"] += 1
            log.warning("callback with DOCTYPE/ENTITY refused (%d bytes)", len(body))
            return self._success()
        except ParseError as exc:
            self.metrics.requests["malformed"] += 1
            log.warning("unparseable callback body (%d bytes): %s", len(body), exc)
            return self._success()
        self.metrics.requests[inbound.msg_type] += 1
        text = await self.gateway.handle(inbound, started=started)
        if not text:
            return self._success()
        xml = render_text(to_user=inbound.from_user, from_user=inbound.to_user, content=text)
        if encrypted and self._cipher is not None:
            xml = render_encrypted(
                xml, cipher=self._cipher, token=self._token, nonce=nonce, timestamp=str(int(time.time()))
            )
        self.metrics.responses["200"] += 1
        return web.Response(text=xml, content_type="application/xml")


WEBHOOK = web.AppKey("webhook", Webhook)


async def handle_get(request: web.Request) -> web.Response:
    """aiohttp entry for GET on the callback path."""
    return await request.app[WEBHOOK].get(request)


async def handle_post(request: web.Request) -> web.Response:
    """aiohttp entry for POST on the callback path."""
    return await request.app[WEBHOOK].post(request)
