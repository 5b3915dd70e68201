"""``python -m bot simulate``: talk to a running server exactly as WeChat does.

Signed requests (plaintext or AES), text messages and events, an interactive prompt or one-shot ``--say``;
prints the reply text.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import secrets
import sys
import time
import xml.etree.ElementTree as ET

import aiohttp

from bot.settings import Settings
from bot.wechat.protocol import AESCipher, sign
from bot.wechat.replies import cdata


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Target, mode, user and what to send."""
    parser.add_argument("--url", help="callback URL (default: http://DJ_HOST:DJ_PORT/DJ_WECHAT_PATH)")
    parser.add_argument("--mode", choices=["plaintext", "aes"], default="plaintext", help="callback mode")
    parser.add_argument("--user", default="oSimulatedUser", help="FromUserName (openid)")
    parser.add_argument("--say", help="send one text message and exit")
    parser.add_argument(
        "--event", nargs="+", metavar="ARG", help="send an event: subscribe [SCENE] | click KEY | scan SCENE"
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="HTTP timeout (s)")


def build_message(*, user: str, account: str, content: str, msg_id: int) -> str:
    """A text message as WeChat posts it."""
    return (
        f"<xml><ToUserName>{cdata(account)}</ToUserName><FromUserName>{cdata(user)}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content><MsgId>{msg_id}</MsgId></xml>"
    )


def build_event(*, user: str, account: str, event: list[str]) -> str:
    """subscribe [SCENE] | click KEY | scan SCENE as WeChat posts it."""
    name = event[0].lower()
    arg = event[1] if len(event) > 1 else ""
    if name == "subscribe":
        wx_event, key = "subscribe", (f"qrscene_{arg}" if arg else "")
    elif name == "click":
        wx_event, key = "CLICK", arg
    elif name == "scan":
        wx_event, key = "SCAN", arg
    else:
        raise SystemExit(f"unknown event {name!r}: use subscribe, click or scan")
    key_xml = f"<EventKey>{cdata(key)}</EventKey>" if key else ""
    return (
        f"<xml><ToUserName>{cdata(account)}</ToUserName><FromUserName>{cdata(user)}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event>{cdata(wx_event)}</Event>{key_xml}</xml>"
    )


async def post(
    session: aiohttp.ClientSession, url: str, body: str, *, token: str, cipher: AESCipher | None
) -> str | None:
    """Sign (and encrypt), post, decode. Returns the reply text or ``None`` for ``success``."""
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    params = {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    if cipher is not None:
        encrypted = cipher.encrypt(body)
        params.update(encrypt_type="aes", msg_signature=sign(token, timestamp, nonce, encrypted))
        body = f"<xml><Encrypt>{cdata(encrypted)}</Encrypt></xml>"
    async with session.post(url, params=params, data=body.encode("utf-8")) as resp:
        text = await resp.text()
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}: {text}")
    if text in ("success", ""):
        return None
    root = ET.fromstring(text)  # noqa: S314 - our own server's reply
    if cipher is not None:
        encrypted = root.findtext("Encrypt") or ""
        expected = sign(token, root.findtext("TimeStamp") or "", root.findtext("Nonce") or "", encrypted)
        if root.findtext("MsgSignature") != expected:
            raise RuntimeError("reply MsgSignature does not verify")
        root = ET.fromstring(cipher.decrypt(encrypted))  # noqa: S314
    return root.findtext("Content") or ""


def _show(reply: str | None) -> None:
    if reply is None:
        print("（success：无被动回复；迟到的回答会通过客服消息发送）")
    else:
        print(reply)


async def _main(args: argparse.Namespace, settings: Settings) -> int:
    token = settings.wechat_token.get_secret_value()
    if not token:
        print("DJ_WECHAT_TOKEN is not set", file=sys.stderr)
        return 2
    cipher = None
    if args.mode == "aes":
        aes = settings.wechat_aes_key.get_secret_value()
        if not aes or not settings.wechat_app_id:
            print("--mode aes needs DJ_WECHAT_AES_KEY and DJ_WECHAT_APP_ID", file=sys.stderr)
            return 2
        cipher = AESCipher(aes, settings.wechat_app_id)
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host  # noqa: S104
    url = args.url or f"http://{host}:{settings.port}{settings.wechat_path}"
    account = "gh_simulator"
    msg_ids = itertools.count(int(time.time() * 1000))
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        if args.event:
            _show(
                await post(
                    session,
                    url,
                    build_event(user=args.user, account=account, event=args.event),
                    token=token,
                    cipher=cipher,
                )
            )
            return 0
        if args.say is not None:
            body = build_message(user=args.user, account=account, content=args.say, msg_id=next(msg_ids))
            _show(await post(session, url, body, token=token, cipher=cipher))
            return 0
        print(f"模拟微信用户 {args.user} → {url}（{args.mode}）。输入消息，回车发送；Ctrl-D 退出。")
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, _prompt)
            if line is None:
                return 0
            if not line.strip():
                continue
            body = build_message(user=args.user, account=account, content=line, msg_id=next(msg_ids))
            try:
                _show(await post(session, url, body, token=token, cipher=cipher))
            except (aiohttp.ClientError, RuntimeError, TimeoutError) as exc:
                print(f"error: {exc}", file=sys.stderr)


def _prompt() -> str | None:
    try:
        return input("你> ")
    except EOFError:
        return None


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point."""
    try:
        return asyncio.run(_main(args, settings))
    except (aiohttp.ClientError, RuntimeError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
