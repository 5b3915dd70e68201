"""Handler tests of the web console (docs/console.md), through the real app with aiohttp_client, on
SQLite (and PostgreSQL when DJ_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.app import create_app
from bot.console.web import CONSOLE
from bot.db import make_engine
from bot.settings import Settings
from bot.store.migrate import upgrade
from bot.store.models import ActivityRecord, AuditEvent
from knowledge.index_store import DocumentRecord
from knowledge.ingest import IngestReport
from tests.console_support import PASSWORD, ConsoleWorld, build_console_world, console_settings, csrf_of, sign_in
from tests.fake_wechat_api import FakeAnswerer, FakeWeChatAPI


class FakeDocuments:
    """A documents backend keeping a list in memory; reindex mirrors the managed folder."""

    def __init__(self) -> None:
        self.docs: dict[str, DocumentRecord] = {}
        self.calls: list[str] = []
        self.folder: Path | None = None

    def documents(self) -> list[DocumentRecord]:
        return list(self.docs.values())

    def reindex(self, folder: Path, progress: Callable[[str], None]) -> IngestReport:
        self.calls.append("reindex")
        self.folder = folder
        progress("encoded 1/2 passages")
        progress("encoded 2/2 passages")
        src = str(folder.resolve())
        self.docs = {k: d for k, d in self.docs.items() if d.source != src}
        for f in sorted(folder.iterdir()):
            if f.name.startswith("."):
                continue
            key = f"t/{f.name}"
            self.docs[key] = DocumentRecord(key, src, f.name, "h", f.stem, None, None, "", 2, False)
        return IngestReport(version="v000002", documents=len(self.docs), passages=2 * len(self.docs))

    def remove(self, key: str) -> IngestReport:
        self.calls.append(f"remove {key}")
        self.docs.pop(key)
        return IngestReport(version="v000003", removed=[key])


@pytest.fixture
def console_env(
    db_url: str, tmp_path: Path, fake_api: tuple[FakeWeChatAPI, str]
) -> Iterator[Callable[..., tuple[Settings, Engine, ConsoleWorld]]]:
    engines: list[Engine] = []

    def make(**overrides: Any) -> tuple[Settings, Engine, ConsoleWorld]:
        settings = console_settings(tmp_path, db_url, fake_api[1], **overrides)
        upgrade(settings)
        engine = make_engine(settings)
        engines.append(engine)
        return settings, engine, build_console_world(engine, settings)

    yield make
    for e in engines:
        e.dispose()


@pytest.fixture
async def console(
    aiohttp_client: Any, console_env: Callable[..., tuple[Settings, Engine, ConsoleWorld]]
) -> Callable[..., Any]:
    async def make(**overrides: Any) -> tuple[TestClient, ConsoleWorld, Engine, FakeDocuments]:
        settings, engine, cw = console_env(**overrides)
        app = create_app(settings, answerer=FakeAnswerer(), engine=engine)
        client: TestClient = await aiohttp_client(app)
        docs = FakeDocuments()
        app[CONSOLE].documents.backend = docs
        return client, cw, engine, docs

    return make


# --- sign-in, sessions, CSRF, rate limits -------------------------------------------------------------


async def test_pages_need_a_session(console: Callable[..., Any]) -> None:
    client, *_ = await console()
    resp = await client.get("/console/compliance", allow_redirects=False)
    assert resp.status == 303
    assert resp.headers["Location"].startswith("/console/login?next=/console/compliance")
    resp = await client.get("/console/documents/progress", headers={"Accept": "application/json"})
    assert resp.status == 401


async def test_sign_in_sets_a_secure_cookie_and_sign_out_ends_the_session(console: Callable[..., Any]) -> None:
    client, *_ = await console(console_cookie_secure=True)
    page = await client.get("/console/login")
    token = csrf_of(await page.text())
    pre = page.cookies["dj_console_pre"]
    assert pre["secure"] and pre["httponly"]
    resp = await client.post(
        "/console/login",
        data={"csrf": token, "login": "hongxing", "password": PASSWORD},
        headers={"Cookie": f"dj_console_pre={pre.value}"},  # the test client keeps Secure cookies for https
        allow_redirects=False,
    )
    assert resp.status == 303
    cookie = resp.cookies["dj_console"]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == "/console"
    headers = {"Cookie": f"dj_console={cookie.value}"}
    ok = await client.get("/console/compliance?period=2026-11", headers=headers, allow_redirects=False)
    assert ok.status == 200
    assert ok.headers["X-Frame-Options"] == "DENY" and "default-src 'self'" in ok.headers["Content-Security-Policy"]
    session_csrf = csrf_of(await ok.text())
    out = await client.post("/console/logout", data={"csrf": session_csrf}, headers=headers, allow_redirects=False)
    assert out.status == 303
    again = await client.get("/console/compliance", headers=headers, allow_redirects=False)
    assert again.status == 303  # the old cookie opens nothing any more


async def test_forged_cookie_is_refused(console: Callable[..., Any]) -> None:
    client, *_ = await console()
    resp = await client.get("/console/compliance", headers={"Cookie": "dj_console=abc.def"}, allow_redirects=False)
    assert resp.status == 303


async def test_wrong_password_then_rate_limited_per_login(console: Callable[..., Any]) -> None:
    client, *_ = await console(console_login_max_per_login=3, console_login_max_per_ip=100)
    token = csrf_of(await (await client.get("/console/login")).text())
    for _ in range(3):
        resp = await client.post("/console/login", data={"csrf": token, "login": "hongxing", "password": "wrong"})
        assert resp.status == 401
        assert "账号或密码不正确" in await resp.text()
    resp = await client.post("/console/login", data={"csrf": token, "login": "hongxing", "password": PASSWORD})
    assert resp.status == 429  # even the right password waits for the window
    assert "尝试次数过多" in await resp.text()
    ok = await client.post("/console/login", data={"csrf": token, "login": "county", "password": PASSWORD})
    assert ok.status == 200  # another login is not blocked


async def test_rate_limited_per_address(console: Callable[..., Any]) -> None:
    client, *_ = await console(console_login_max_per_login=100, console_login_max_per_ip=2)
    token = csrf_of(await (await client.get("/console/login")).text())
    for login in ("nobody1", "nobody2"):
        resp = await client.post("/console/login", data={"csrf": token, "login": login, "password": "x"})
        assert resp.status == 401
    resp = await client.post("/console/login", data={"csrf": token, "login": "county", "password": PASSWORD})
    assert resp.status == 429


async def test_login_without_csrf_is_403(console: Callable[..., Any]) -> None:
    client, *_ = await console()
    await client.get("/console/login")
    resp = await client.post("/console/login", data={"login": "hongxing", "password": PASSWORD})
    assert resp.status == 403
    resp = await client.post("/console/login", data={"csrf": "forged", "login": "hongxing", "password": PASSWORD})
    assert resp.status == 403


async def test_post_without_csrf_is_403_when_signed_in(console: Callable[..., Any]) -> None:
    client, cw, engine, _ = await console()
    await sign_in(client, "hongxing")
    rid = cw.pending_a.id
    resp = await client.post(f"/console/records/{rid}/confirm", data={})
    assert resp.status == 403
    resp = await client.post(f"/console/records/{rid}/confirm", data={"csrf": "x" * 43})
    assert resp.status == 403
    resp = await client.post("/console/logout", data={})
    assert resp.status == 403
    with Session(engine) as s:
        rec = s.get(ActivityRecord, rid)
        assert rec is not None and rec.status == "pending"


async def test_one_time_link_sent_in_wechat(console: Callable[..., Any], fake_api: tuple[FakeWeChatAPI, str]) -> None:
    client, cw, *_ = await console()
    token = csrf_of(await (await client.get("/console/login/wechat")).text())
    resp = await client.post("/console/login/wechat", data={"csrf": token, "login": "hongxing"})
    assert resp.status == 200
    sent = fake_api[0].sent_texts
    assert len(sent) == 1 and sent[0][0] == cw.world.SEC_A
    link = sent[0][1].split("\n")[1]
    assert link.startswith("http://console.test/console/login/link?t=")
    path = link.removeprefix("http://console.test")
    page = await client.get(path)
    assert page.status == 200
    html = await page.text()
    t = path.split("t=", 1)[1]
    resp = await client.post("/console/login/link", data={"csrf": csrf_of(html), "token": t})
    assert resp.status == 200 and str(resp.url.path) == "/console/compliance"
    client.session.cookie_jar.clear()
    token = csrf_of(await (await client.get("/console/login")).text())
    again = await client.post("/console/login/link", data={"csrf": token, "token": t})
    assert again.status == 400  # used once
    # Unknown logins get the same answer and no message.
    resp = await client.post("/console/login/wechat", data={"csrf": token, "login": "nobody"})
    assert resp.status == 200 and len(fake_api[0].sent_texts) == 1


# --- compliance -------------------------------------------------------------------------------------------


async def test_compliance_page_organizer_sees_only_their_branch(console: Callable[..., Any]) -> None:
    client, cw, *_ = await console()
    await sign_in(client, "hongxing")
    resp = await client.get("/console/compliance?period=2026-11")
    html = await resp.text()
    assert resp.status == 200
    assert "红星村党支部" in html and "向阳村党支部" not in html
    assert "<svg" in html and "主题党日" in html
    other = await client.get(f"/console/compliance/branch/{cw.world.b.id}?period=2026-11")
    assert other.status == 404
    own = await client.get(f"/console/compliance/branch/{cw.world.a.id}?period=2026Q4")
    assert own.status == 200 and "应开展的活动" in await own.text()
    bad = await client.get("/console/compliance?period=nonsense")
    assert bad.status == 400


async def test_compliance_page_county_sees_the_subtree(console: Callable[..., Any]) -> None:
    client, cw, *_ = await console()
    await sign_in(client, "county")
    html = await (await client.get("/console/compliance?period=2026Q4")).text()
    assert "红星村党支部" in html and "向阳村党支部" in html
    html = await (await client.get("/console/compliance?period=2026-11&only=failing")).text()
    assert "仅未达标" in html
    resp = await client.get(f"/console/compliance/branch/{cw.world.b.id}?period=2026-11")
    assert resp.status == 200 and "2026-11-18" in await resp.text()


async def test_export_ledger_excel(console: Callable[..., Any]) -> None:
    from openpyxl import load_workbook

    client, cw, *_ = await console()
    await sign_in(client, "hongxing")
    resp = await client.get("/console/compliance/export?period=2026-11")
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in resp.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(await resp.read()))
    assert wb.sheetnames[0] == "汇总" and len(wb.sheetnames) == 2  # summary + branch A only
    denied = await client.get(f"/console/compliance/export?period=2026-11&branch={cw.world.b.id}")
    assert denied.status == 404


# --- records -----------------------------------------------------------------------------------------------


async def test_records_list_is_scoped_and_filtered(console: Callable[..., Any]) -> None:
    client, cw, *_ = await console(console_page_size=1)
    await sign_in(client, "county")
    html = await (await client.get("/console/records")).text()
    assert "共 2 条" in html and "第 1 / 2 页" in html
    html = await (await client.get("/console/records?status=pending")).text()
    assert "共 1 条" in html and "红星村党支部" in html
    html = await (await client.get("/console/records?branch_name=向阳&period=2026-11&type=theme_day")).text()
    assert "共 1 条" in html and "向阳村党支部" in html
    html = await (await client.get("/console/records?period=2026-10")).text()
    assert "共 0 条" in html
    client.session.cookie_jar.clear()
    await sign_in(client, "xiangyang")
    html = await (await client.get("/console/records")).text()
    assert "共 1 条" in html and "红星村党支部" not in html
    assert (await client.get(f"/console/records?branch={cw.world.a.id}")).status == 404


async def test_record_detail_and_scope(console: Callable[..., Any]) -> None:
    client, cw, *_ = await console()
    await sign_in(client, "xiangyang")
    assert (await client.get(f"/console/records/{cw.pending_a.id}")).status == 404
    assert (await client.get("/console/records/999999")).status == 404
    html = await (await client.get(f"/console/records/{cw.confirmed_b.id}")).text()
    assert "操作记录" in html and "照片（0）" in html and 'id="confirm"' not in html


async def test_organizer_confirms_a_pending_record(console: Callable[..., Any], engine_check: None = None) -> None:
    client, cw, engine, _ = await console()
    csrf = await sign_in(client, "xiangyang")
    rid = cw.pending_a.id
    resp = await client.post(f"/console/records/{rid}/confirm", data={"csrf": csrf})
    assert resp.status == 404  # another branch's record: not even its existence
    client.session.cookie_jar.clear()
    csrf = await sign_in(client, "hongxing")
    html = await (await client.get(f"/console/records/{rid}")).text()
    assert 'id="confirm"' in html
    resp = await client.post(f"/console/records/{rid}/confirm", data={"csrf": csrf})
    assert resp.status == 200 and "已确认该记录" in await resp.text()
    again = await client.post(f"/console/records/{rid}/confirm", data={"csrf": csrf})
    assert "无需重复确认" in await again.text()
    with Session(engine) as s:
        rec = s.get(ActivityRecord, rid)
        assert rec is not None and rec.status == "confirmed" and rec.confirmed_by == cw.world.members["sec_a"].id
        events = list(s.exec(select(AuditEvent).where(AuditEvent.entity_id == rid, AuditEvent.action == "confirm")))
        assert len(events) == 1 and events[0].after == {"status": "confirmed", "_via": "console:hongxing"}


# --- documents ---------------------------------------------------------------------------------------------


async def test_documents_are_for_county_accounts_only(console: Callable[..., Any]) -> None:
    client, *_ = await console()
    csrf = await sign_in(client, "hongxing")
    assert (await client.get("/console/documents")).status == 403
    assert (await client.post("/console/documents/reindex", data={"csrf": csrf})).status == 403
    assert (await client.post("/console/documents/ask", data={"csrf": csrf, "question": "问"})).status == 403
    assert (await client.get("/console/documents/progress")).status == 403


async def _wait_idle(client: TestClient) -> dict[str, Any]:
    import asyncio

    for _ in range(200):
        p: dict[str, Any] = await (await client.get("/console/documents/progress")).json()
        if p["state"] in ("done", "failed", "idle"):
            return p
        await asyncio.sleep(0.02)
    raise AssertionError("job did not finish")


async def test_upload_reindex_remove_and_ask(console: Callable[..., Any], tmp_path: Path) -> None:
    from aiohttp import FormData

    client, _cw, _engine, docs = await console()
    csrf = await sign_in(client, "county")
    form = FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", "村集体经济收益分配办法……".encode(), filename="../收益分配.md", content_type="text/markdown")
    resp = await client.post("/console/documents/upload", data=form)
    assert resp.status == 200 and "正在后台重建索引" in await resp.text()
    p = await _wait_idle(client)
    assert p["state"] == "done" and p["percent"] == 100 and "v000002" in p["message"]
    saved = tmp_path / "data" / "console_docs" / "收益分配.md"
    assert saved.is_file()  # the path part of the name was dropped
    html = await (await client.get("/console/documents")).text()
    assert "收益分配.md" in html and "控制台上传" in html
    resp = await client.post("/console/documents/remove", data={"csrf": csrf, "key": "t/收益分配.md"})
    assert resp.status == 200
    await _wait_idle(client)
    assert not saved.exists() and docs.calls == ["reindex", "remove t/收益分配.md"]
    resp = await client.post("/console/documents/ask", data={"csrf": csrf, "question": "支部党员大会多久开一次？"})
    html = await resp.text()
    assert resp.status == 200 and "答：支部党员大会多久开一次？" in html


async def test_upload_refuses_bad_type_size_and_missing_csrf(console: Callable[..., Any]) -> None:
    from aiohttp import FormData

    client, _cw, _engine, docs = await console(console_upload_max_bytes=10)
    csrf = await sign_in(client, "county")
    form = FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", b"MZ...", filename="x.exe", content_type="application/octet-stream")
    resp = await client.post("/console/documents/upload", data=form)
    assert "只接受" in await resp.text()
    form = FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", b"x" * 11, filename="big.txt", content_type="text/plain")
    resp = await client.post("/console/documents/upload", data=form)
    assert "上限" in await resp.text()
    form = FormData()
    form.add_field("file", b"x", filename="a.txt", content_type="text/plain")
    resp = await client.post("/console/documents/upload", data=form)
    assert resp.status == 403
    assert docs.calls == []


# --- broadcasts --------------------------------------------------------------------------------------------


async def test_broadcast_compose_preview_confirm_and_history(console: Callable[..., Any]) -> None:
    client, *_ = await console()
    csrf = await sign_in(client, "xiangyang")
    resp = await client.post("/console/broadcasts/preview", data={"csrf": csrf, "kind": "all", "body": "明晚七点学习"})
    html = await resp.text()
    assert resp.status == 200, html
    assert "通知预览" in html and "确认发送" in html
    draft_key = html.split('name="draft_key" value="')[1].split('"')[0]
    count = html.split('name="count" value="')[1].split('"')[0]
    data = {"csrf": csrf, "kind": "all", "word": "", "body": "明晚七点学习", "draft_key": draft_key, "count": count}
    sent = await client.post("/console/broadcasts/send", data=data)
    assert sent.status == 200 and "正在后台发送" in await sent.text()
    twice = await client.post("/console/broadcasts/send", data=data)
    assert "不会重复发送" in await twice.text()
    html = await (await client.get("/console/broadcasts")).text()
    assert html.count("明晚七点学习") == 1


async def test_broadcast_rules_are_the_wechat_ones(console: Callable[..., Any]) -> None:
    client, *_ = await console(broadcast_max_chars=5)
    csrf = await sign_in(client, "xiangyang")
    resp = await client.post(
        "/console/broadcasts/preview", data={"csrf": csrf, "kind": "all", "body": "这条通知太长了"}
    )
    assert resp.status == 400
    resp = await client.post("/console/broadcasts/preview", data={"kind": "all", "body": "短"})
    assert resp.status == 403  # CSRF


async def test_audit_trail_reads_as_chinese_not_python(console: Callable[..., Any]) -> None:
    client, cw, *_ = await console()
    csrf = await sign_in(client, "hongxing")
    rid = cw.pending_a.id
    await client.post(f"/console/records/{rid}/confirm", data={"csrf": csrf})
    html = await (await client.get(f"/console/records/{rid}")).text()
    audit = html[html.index('id="audit"') :]
    assert "类型：主题党日" in audit and "状态：待确认 → 已确认" in audit
    for raw in ("None", "theme_day", "[[", "pending", ":00:00"):
        assert raw not in audit, raw
