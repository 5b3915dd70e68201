"""Passive-reply XML (what goes back in the HTTP response), plaintext and safe-mode envelope."""

from __future__ import annotations

import time

from bot.wechat.protocol import AESCipher, sign

SUCCESS = "success"  # WeChat: stops retries and shows nothing


def cdata(value: str) -> str:
    """``value`` as CDATA; a literal ``]]>`` is split across two sections."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_text(*, to_user: str, from_user: str, content: str, create_time: int | None = None) -> str:
    """A passive text reply. ``to_user`` is the user's openid, ``from_user`` the account id."""
    ts = int(time.time()) if create_time is None else create_time
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


def render_encrypted(
    xml: str, *, cipher: AESCipher, token: str, nonce: str, timestamp: str, random_prefix: bytes | None = None
) -> str:
    """Wrap a reply in the safe-mode envelope (Encrypt + MsgSignature + TimeStamp + Nonce)."""
    encrypted = cipher.encrypt(xml, random_prefix=random_prefix)
    signature = sign(token, timestamp, nonce, encrypted)
    return (
        f"<xml><Encrypt>{cdata(encrypted)}</Encrypt><MsgSignature>{cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>"
    )
