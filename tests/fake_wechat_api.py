"""Test doubles for the gateway: a fake WeChat API server (a real aiohttp app that records calls and can
be told to answer errcodes), a fake Answerer, and a client that talks to the callback like WeChat."""

from __future__ import annotations

import asyncio
import hashlib
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.wechat.protocol import AESCipher
from knowledge.results import QAResult

TOKEN = "test-token"
APP_ID = "wx1234567890abcdef"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 chars
ACCOUNT = "gh_account"


@dataclass
class Call:
    path: str
    query: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class FakeWeChatAPI:
    """Records every call; ``fail(path, *codes)`` queues errcodes answered by the next calls to ``path``."""

    calls: list[Call] = field(default_factory=list)
    queued: dict[str, list[int]] = field(default_factory=dict)
    token_serial: int = 0
    token_delay_s: float = 0.0
    invalid_tokens: set[str] = field(default_factory=set)
    # Broadcast tests: errcodes per (path, openid) — queued (used once each) or answered every time —,
    # a per-call delay, and WeChat's dedup of template client_msg_id / mass clientmsgid.
    queued_for: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    always_for: dict[tuple[str, str], int] = field(default_factory=dict)
    delay_s: float = 0.0
    client_ids: set[str] = field(default_factory=set)
    duplicates_dropped: int = 0
    accepted: list[tuple[str, str, str]] = field(default_factory=list)

    def fail(self, path: str, *codes: int) -> None:
        self.queued.setdefault(path, []).extend(codes)

    def fail_for(self, path: str, openid: str, *codes: int) -> None:
        """The next calls to ``path`` for ``openid`` answer ``codes`` (one each)."""
        self.queued_for.setdefault((path, openid), []).extend(codes)

    def block(self, path: str, openid: str, code: int) -> None:
        """Every call to ``path`` for ``openid`` answers ``code``."""
        self.always_for[(path, openid)] = code

    def delivered(self) -> list[tuple[str, str, str]]:
        """(path, openid, text or template summary) of every message accepted (duplicates dropped)."""
        return list(self.accepted)

    def received_by(self, openid: str) -> int:
        return sum(1 for _, who, _ in self.accepted if who == openid)

    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    @property
    def sent_texts(self) -> list[tuple[str, str]]:
        return [
            (c.body["touser"], c.body["text"]["content"])
            for c in self.calls_to("cgi-bin/message/custom/send")
            if c.body
        ]

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        body = await request.json() if request.can_read_body else None
        self.calls.append(Call(path, dict(request.query), body))
        if path == "cgi-bin/stable_token":
            if self.token_delay_s:
                await asyncio.sleep(self.token_delay_s)
            self.token_serial += 1
            return web.json_response({"access_token": f"TOKEN-{self.token_serial}", "expires_in": 7200})
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        queue = self.queued.get(path)
        if queue:
            code = queue.pop(0)
            return web.json_response({"errcode": code, "errmsg": f"fake error {code}"})
        if request.query.get("access_token") in self.invalid_tokens:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        touser = body.get("touser") if isinstance(body, dict) else None
        if isinstance(touser, str):
            per_user = self.queued_for.get((path, touser))
            if per_user:
                code = per_user.pop(0)
                return web.json_response({"errcode": code, "errmsg": f"fake error {code}"})
            if (path, touser) in self.always_for:
                code = self.always_for[(path, touser)]
                return web.json_response({"errcode": code, "errmsg": f"fake error {code}"})
        if isinstance(body, dict) and path.startswith("cgi-bin/message/"):
            answer = self._accept(path, body)
            if answer is not None:
                return answer
        extra: dict[str, Any] = {}
        if path.endswith("template/send"):
            extra = {"msgid": 1001}
        elif path.endswith("mass/send"):
            extra = {"msg_id": 2002, "msg_data_id": 3003}
        elif path.endswith("user/info"):
            extra = {"subscribe": 1, "openid": request.query.get("openid")}
        elif path.endswith("qrcode/create"):
            extra = {"ticket": "TICKET", "url": "http://weixin.qq.com/q/x", "expire_seconds": 60}
        return web.json_response({"errcode": 0, "errmsg": "ok", **extra})

    def _accept(self, path: str, body: dict[str, Any]) -> web.Response | None:
        if path.endswith("mass/send"):
            key = str(body.get("clientmsgid", ""))
            if key and key in self.client_ids:
                return web.json_response({"errcode": 45065, "errmsg": "clientmsgid exist"})
            self.client_ids.add(key)
            for who in body.get("touser", []):
                self.accepted.append((path, str(who), body["text"]["content"]))
            return None
        key = str(body.get("client_msg_id", ""))
        if path.endswith("template/send") and key:
            if key in self.client_ids:
                self.duplicates_dropped += 1  # WeChat sends one message per openid + client_msg_id
                return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": 1001})
            self.client_ids.add(key)
        if path.endswith("template/send"):
            text = "|".join(str(v.get("value", "")) for v in body.get("data", {}).values())
        else:
            text = str(body.get("text", {}).get("content", ""))
        self.accepted.append((path, str(body.get("touser", "")), text))
        return None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        return app


class FakeAnswerer:
    """Answers ``答：<question>``. Questions starting with 慢 sleep ``slow_s``; 炸 raises; 长 answers long."""

    def __init__(self, *, slow_s: float = 0.5, long_answer: str = "") -> None:
        self.slow_s = slow_s
        self.long_answer = long_answer
        self.questions: list[str] = []
        self.active = 0
        self.max_active: dict[str, int] = {}
        self.ready = True

    def describe(self) -> dict[str, object]:
        return {"model": "fake", "passages": 0, "index_version": "none"}

    async def ask(self, question: str) -> QAResult:
        self.questions.append(question)
        if question.startswith("慢"):
            await asyncio.sleep(self.slow_s)
        if question.startswith("炸"):
            raise RuntimeError("boom")
        if question.startswith("长"):
            return QAResult(question=question, found=True, answer=self.long_answer)
        return QAResult(question=question, found=True, answer=f"答：{question}")


def sha1_sorted(*parts: str) -> str:
    """The signature computed by hand (independent of bot.wechat.protocol)."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def message_xml(
    content: str = "帮助",
    *,
    user: str = "oUser1",
    msg_id: str | None = "1000001",
    msg_type: str = "text",
    create_time: int | None = None,
    extra: str = "",
) -> str:
    ts = int(time.time()) if create_time is None else create_time
    parts = [
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>",
        f"<FromUserName><![CDATA[{user}]]></FromUserName>",
        f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>",
    ]
    if msg_type == "text":
        parts.append(f"<Content><![CDATA[{content}]]></Content>")
    if msg_id is not None:
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    parts.append(extra + "</xml>")
    return "".join(parts)


def event_xml(event: str, key: str = "", *, user: str = "oUser1", create_time: int | None = None) -> str:
    extra = f"<Event><![CDATA[{event}]]></Event>"
    if key:
        extra += f"<EventKey><![CDATA[{key}]]></EventKey>"
    return message_xml(user=user, msg_id=None, msg_type="event", create_time=create_time, extra=extra)


def signed_query(
    *, timestamp: str = "1700000000", nonce: str = "nonce123", token: str = TOKEN
) -> dict[str, str]:
    return {"signature": sha1_sorted(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def reply_content(xml: str) -> str:
    root = ET.fromstring(xml)
    content = root.findtext("Content")
    assert content is not None, xml
    return content


class WeChatClient:
    """Posts to the callback like WeChat (plaintext or AES) and decodes the reply."""

    def __init__(
        self, client: TestClient[web.Request, web.Application], *, aes: bool = False, path: str = "/wechat"
    ):
        self.client = client
        self.aes = aes
        self.path = path
        self.cipher = AESCipher(AES_KEY, APP_ID)

    async def post_raw(self, body: str) -> tuple[int, str]:
        query = signed_query(timestamp=str(int(time.time())))
        if self.aes:
            encrypted = self.cipher.encrypt(body)
            query["encrypt_type"] = "aes"
            query["msg_signature"] = sha1_sorted(TOKEN, query["timestamp"], query["nonce"], encrypted)
            body = (
                f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
            )
        resp = await self.client.post(self.path, params=query, data=body.encode())
        return resp.status, await resp.text()

    async def send(self, body: str) -> str | None:
        """The reply text, or None for ``success``."""
        status, text = await self.post_raw(body)
        assert status == 200, (status, text)
        if text == "success":
            return None
        if self.aes:
            root = ET.fromstring(text)
            encrypted = root.findtext("Encrypt") or ""
            assert root.findtext("MsgSignature") == sha1_sorted(
                TOKEN, root.findtext("TimeStamp") or "", root.findtext("Nonce") or "", encrypted
            )
            text = self.cipher.decrypt(encrypted)
        return reply_content(text)

    async def say(self, content: str, **kw: Any) -> str | None:
        return await self.send(message_xml(content, **kw))
