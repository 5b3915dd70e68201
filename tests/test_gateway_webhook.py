"""The callback through the edge: signed XML posted to the real app (plaintext and AES)."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.app import GATEWAY, METRICS, TASKS
from handlers import texts
from tests.fake_wechat_api import (
    TOKEN,
    FakeAnswerer,
    event_xml,
    message_xml,
    sha1_sorted,
    signed_query,
)


async def test_get_echostr(gateway_client: Any) -> None:
    wc = await gateway_client()
    q = signed_query()
    resp = await wc.client.get("/wechat", params={**q, "echostr": "hello-echo"})
    assert resp.status == 200
    assert await resp.text() == "hello-echo"


async def test_get_bad_signature_403_and_missing_params_400(gateway_client: Any) -> None:
    wc = await gateway_client()
    q = signed_query()
    assert (await wc.client.get("/wechat", params={**q, "signature": "0" * 40, "echostr": "x"})).status == 403
    assert (
        await wc.client.get("/wechat", params={"timestamp": "1", "nonce": "2", "echostr": "x"})
    ).status == 403
    assert (
        await wc.client.get("/wechat", params={"signature": q["signature"], "echostr": "x"})
    ).status == 400
    assert (await wc.client.get("/wechat", params=q)).status == 400


async def test_post_forged_signature_403(gateway_client: Any) -> None:
    wc = await gateway_client()
    q = {**signed_query(), "signature": sha1_sorted("wrong-token", "1700000000", "nonce123")}
    resp = await wc.client.post("/wechat", params=q, data=message_xml().encode())
    assert resp.status == 403
    resp = await wc.client.post("/wechat", data=message_xml().encode())
    assert resp.status == 403


async def test_help_plaintext_known_signature(gateway_client: Any) -> None:
    wc = await gateway_client()
    # signature computed by hand for fixed values
    ts, nonce = "1700000000", "abc"
    expected = __import__("hashlib").sha1("".join(sorted([TOKEN, ts, nonce])).encode()).hexdigest()
    resp = await wc.client.post(
        "/wechat", params={"signature": expected, "timestamp": ts, "nonce": nonce}, data=message_xml("帮助")
    )
    assert resp.status == 200
    body = await resp.text()
    assert "<ToUserName><![CDATA[oUser1]]></ToUserName>" in body
    assert "<FromUserName><![CDATA[gh_account]]></FromUserName>" in body
    assert texts.HELP in body


async def test_help_aes_round_trip(gateway_client: Any) -> None:
    wc = await gateway_client(aes=True)
    assert await wc.say("帮助") == texts.HELP
    assert await wc.say("你好", msg_id="2") == texts.GREETING


async def test_safe_mode_refuses_plaintext(gateway_client: Any) -> None:
    wc = await gateway_client(wechat_encryption="safe")
    status, _ = await wc.post_raw(message_xml())
    assert status == 403


async def test_aes_bad_msg_signature_403(gateway_client: Any) -> None:
    wc = await gateway_client(aes=True)
    q = {**signed_query(), "encrypt_type": "aes", "msg_signature": "0" * 40}
    enc = wc.cipher.encrypt(message_xml())
    resp = await wc.client.post("/wechat", params=q, data=f"<xml><Encrypt>{enc}</Encrypt></xml>")
    assert resp.status == 403
    # msg_signature missing altogether
    q.pop("msg_signature")
    resp = await wc.client.post("/wechat", params=q, data=f"<xml><Encrypt>{enc}</Encrypt></xml>")
    assert resp.status == 403


async def test_body_over_cap_413(gateway_client: Any) -> None:
    wc = await gateway_client(max_body_bytes=1024)
    status, _ = await wc.post_raw(message_xml("长" * 2000))
    assert status == 413


async def test_doctype_refused_with_success(gateway_client: Any, fake_answerer: FakeAnswerer) -> None:
    wc = await gateway_client()
    evil = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>' + message_xml("&lol;")
    status, text = await wc.post_raw(evil)
    assert (status, text) == (200, "success")
    assert fake_answerer.questions == []
    assert wc.client.app[METRICS].requests["refused"] == 1


async def test_malformed_and_non_xml_answer_success(gateway_client: Any) -> None:
    wc = await gateway_client()
    for body in ("not xml at all", "<xml><ToUserName>", '{"json": true}', "", "<xml></xml>", "<other/>"):
        status, text = await wc.post_raw(body)
        assert (status, text) == (200, "success"), body
    # encrypted mode: ciphertext that does not open
    wc_aes = await gateway_client(aes=True)
    q = {**signed_query(), "encrypt_type": "aes"}
    bogus = "AAAA" * 8
    q["msg_signature"] = sha1_sorted(TOKEN, q["timestamp"], q["nonce"], bogus)
    resp = await wc_aes.client.post("/wechat", params=q, data=f"<xml><Encrypt>{bogus}</Encrypt></xml>")
    assert (resp.status, await resp.text()) == (200, "success")


async def test_unknown_and_media_types_polite(gateway_client: Any) -> None:
    wc = await gateway_client()
    assert await wc.send(message_xml(msg_type="hologram", msg_id="11")) == texts.UNKNOWN_MESSAGE
    image = message_xml(msg_type="image", msg_id="12", extra="<PicUrl>http://x</PicUrl><MediaId>m</MediaId>")
    assert await wc.send(image) == texts.MEDIA_NOT_SUPPORTED["image"]
    for kind in ("voice", "location", "link"):
        assert (
            await wc.send(message_xml(msg_type=kind, msg_id=f"13{kind}")) == texts.MEDIA_NOT_SUPPORTED[kind]
        )


async def test_events(gateway_client: Any) -> None:
    wc = await gateway_client()
    assert await wc.send(event_xml("subscribe", create_time=1)) == texts.WELCOME
    scene_reply = await wc.send(event_xml("subscribe", "qrscene_branch42", create_time=2))
    assert scene_reply is not None and texts.SCENE_WELCOME in scene_reply
    assert await wc.send(event_xml("SCAN", "branch42", create_time=3)) == texts.SCAN_RECEIVED
    assert await wc.send(event_xml("CLICK", "HELP", create_time=4)) == texts.HELP
    assert await wc.send(event_xml("CLICK", "NO_SUCH_KEY", create_time=5)) == texts.MENU_UNKNOWN
    assert await wc.send(event_xml("unsubscribe", create_time=6)) is None
    assert await wc.send(event_xml("VIEW", "http://x", create_time=7)) is None


async def test_text_falls_back_to_policy_qa(gateway_client: Any, fake_answerer: FakeAnswerer) -> None:
    wc = await gateway_client(aes=True)
    assert await wc.say("党费每月交多少") == "答：党费每月交多少"
    assert fake_answerer.questions == ["党费每月交多少"]


async def test_handler_raising_apologises(gateway_client: Any) -> None:
    wc = await gateway_client()
    assert await wc.say("炸了") == texts.APOLOGY
    metrics = await (await wc.client.get("/metrics")).text()
    assert "dj_wechat_handler_errors_total 1" in metrics


async def test_retry_while_running_joins_same_result(
    gateway_client: Any, fake_answerer: FakeAnswerer
) -> None:
    fake_answerer.slow_s = 0.3
    wc = await gateway_client()
    body = message_xml("慢问题", msg_id="777")
    first, second = await asyncio.gather(wc.send(body), wc.send(body))
    assert first == second == "答：慢问题"
    assert fake_answerer.questions == ["慢问题"]
    # a later retry is served from the result cache
    assert await wc.send(body) == "答：慢问题"
    assert fake_answerer.questions == ["慢问题"]
    assert wc.client.app[METRICS].dedup_hits == 2


async def test_event_dedup_by_user_and_create_time(gateway_client: Any) -> None:
    wc = await gateway_client()
    body = event_xml("subscribe", create_time=12345)
    assert await wc.send(body) == texts.WELCOME
    assert await wc.send(body) == texts.WELCOME
    assert wc.client.app[METRICS].dedup_hits == 1


async def test_slow_handler_late_reply_via_customer_service(
    gateway_client: Any, fake_answerer: FakeAnswerer, fake_api: Any
) -> None:
    api, _ = fake_api
    fake_answerer.slow_s = 0.4
    wc = await gateway_client(reply_deadline_s=0.1)
    # The Q&A handler asks for a pending text: the user sees it, then the answer by customer service.
    assert await wc.say("慢慢查", msg_id="900") == texts.PENDING_QA
    # A retry after the deadline does not produce a second answer.
    await asyncio.sleep(0.5)
    await asyncio.wait_for(_drained(wc), 2)
    assert api.sent_texts == [("oUser1", "答：慢慢查")]
    assert await wc.say("慢慢查", msg_id="900") is None
    assert len(api.sent_texts) == 1
    metrics = wc.client.app[METRICS]
    assert metrics.late_replies == 1 and metrics.late_sent == 1


async def _drained(wc: Any) -> None:
    await wc.client.app[TASKS].drain(2.0)


async def test_late_reply_permanent_error_not_retried(
    gateway_client: Any, fake_answerer: FakeAnswerer, fake_api: Any
) -> None:
    api, _ = fake_api
    api.fail("cgi-bin/message/custom/send", 45015)
    fake_answerer.slow_s = 0.3
    wc = await gateway_client(reply_deadline_s=0.05)
    assert await wc.say("慢", msg_id="901") == texts.PENDING_QA
    await asyncio.wait_for(_drained(wc), 2)
    assert len(api.calls_to("cgi-bin/message/custom/send")) == 1
    assert wc.client.app[METRICS].api_errors["45015"] == 1


async def test_late_answer_without_pending_text_is_success(gateway_client: Any, fake_api: Any) -> None:
    api, _ = fake_api
    wc = await gateway_client(reply_deadline_s=0.05)
    dispatcher = wc.client.app[GATEWAY].dispatcher
    from bot.dispatch import Reply, Router

    slow = Router("slow")

    @slow.on()
    async def handler(ctx: Any) -> Reply:
        await asyncio.sleep(0.2)
        return Reply("迟到的回答")

    dispatcher.routers = (slow,)
    assert await wc.say("x", msg_id="902") is None
    await asyncio.wait_for(_drained(wc), 2)
    assert api.sent_texts == [("oUser1", "迟到的回答")]


async def test_pagination_with_more(gateway_client: Any, fake_answerer: FakeAnswerer) -> None:
    para = "第{n}条：按照规定，党员每月应按时足额交纳党费，标准为税后收入的0.5%至2%，金额为12345.67元。"
    fake_answerer.long_answer = "\n".join(para.format(n=i) for i in range(60))
    wc = await gateway_client(aes=True)
    pages = [await wc.say("长答案", msg_id="950")]
    for i in range(10):
        nxt = await wc.say("更多", msg_id=f"95{i + 1}")
        pages.append(nxt)
        if nxt == texts.NO_MORE_PAGES or (nxt and "完）" in nxt):
            break
    assert all(p is not None and len(p.encode()) <= 2047 for p in pages)
    assert "回复「更多」" in (pages[0] or "")
    joined = "\n".join((p or "").split("\n\n（第")[0] for p in pages)
    for i in range(60):
        assert para.format(n=i) in joined
    assert await wc.say("更多", msg_id="999") == texts.NO_MORE_PAGES


async def test_per_user_serialisation(gateway_client: Any, fake_answerer: FakeAnswerer) -> None:
    wc = await gateway_client()
    from bot.dispatch import Reply, Router

    active: dict[str, int] = {}
    peak: dict[str, int] = {}
    order: list[str] = []
    r = Router("probe")

    @r.on()
    async def probe(ctx: Any) -> Reply:
        u = ctx.user_id
        active[u] = active.get(u, 0) + 1
        peak[u] = max(peak.get(u, 0), active[u])
        order.append(ctx.text)
        await asyncio.sleep(0.05)
        active[u] -= 1
        return Reply(ctx.text)

    wc.client.app[GATEWAY].dispatcher.routers = (r,)
    replies = await asyncio.gather(
        *[wc.say(f"a{i}", user="oA", msg_id=f"a{i}") for i in range(4)],
        *[wc.say(f"b{i}", user="oB", msg_id=f"b{i}") for i in range(4)],
    )
    assert replies == [f"a{i}" for i in range(4)] + [f"b{i}" for i in range(4)]
    assert peak == {"oA": 1, "oB": 1}


async def test_healthz_and_metrics(gateway_client: Any, fake_answerer: FakeAnswerer) -> None:
    wc = await gateway_client()
    resp = await wc.client.get("/healthz")
    assert resp.status == 200
    data = await resp.json()
    assert data["knowledge"]["ready"] is True and data["database"]["reachable"] is True
    fake_answerer.ready = False
    assert (await wc.client.get("/healthz")).status == 503
    await wc.say("帮助")
    text = await (await wc.client.get("/metrics")).text()
    assert 'dj_wechat_requests_total{type="text"} 1' in text
    assert "dj_wechat_reply_seconds_bucket" in text
    assert "# TYPE dj_wechat_late_replies_total counter" in text


async def test_secrets_never_logged(gateway_client: Any, caplog: Any) -> None:
    caplog.set_level("DEBUG")
    wc = await gateway_client()
    await wc.say("帮助")
    await wc.post_raw("garbage")
    assert TOKEN not in caplog.text and "secret" not in caplog.text


async def test_compatible_mode_body_is_read_from_encrypt_and_answered_encrypted(gateway_client: Any) -> None:
    """Compatible mode: WeChat sends the plaintext fields AND <Encrypt> with encrypt_type=aes; the
    encrypted copy is the one trusted (a forged plaintext field must not win) and the reply is encrypted."""
    import time
    import xml.etree.ElementTree as ET

    wc = await gateway_client(aes=True)
    encrypted = wc.cipher.encrypt(message_xml("帮助", msg_id="c1"))
    forged_plain = message_xml("你好", msg_id="c1")  # differs from the encrypted content on purpose
    body = forged_plain.replace("</xml>", f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
    query = signed_query(timestamp=str(int(time.time())))
    query.update(encrypt_type="aes", msg_signature=sha1_sorted(TOKEN, query["timestamp"], query["nonce"], encrypted))
    resp = await wc.client.post("/wechat", params=query, data=body.encode())
    assert resp.status == 200
    root = ET.fromstring(await resp.text())
    reply_encrypted = root.findtext("Encrypt")
    assert reply_encrypted, "the reply must be encrypted in compatible mode"
    assert texts.HELP in wc.cipher.decrypt(reply_encrypted)
