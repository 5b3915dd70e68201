"""The console's URL map (relative to ``DJ_CONSOLE_PATH``, default ``/console``)."""

from __future__ import annotations

from aiohttp import web

from bot.console import views_auth, views_broadcasts, views_compliance, views_documents, views_records
from bot.console.web import public, redirect, static_dir


async def home(request: web.Request) -> web.StreamResponse:
    raise redirect(request, "/compliance")


@public
async def static(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in {"console.css", "console.js"}:
        raise web.HTTPNotFound()
    response = web.FileResponse(static_dir() / name)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/", home)
    r.add_get("/static/{name}", static)
    r.add_get("/login", views_auth.login_form)
    r.add_post("/login", views_auth.login_submit)
    r.add_post("/logout", views_auth.logout)
    r.add_get("/login/wechat", views_auth.link_form)
    r.add_post("/login/wechat", views_auth.link_request)
    r.add_get("/login/link", views_auth.link_open)
    r.add_post("/login/link", views_auth.link_consume)
    r.add_get("/compliance", views_compliance.compliance_page)
    r.add_get("/compliance/export", views_compliance.export_ledger_xlsx)
    r.add_get("/compliance/branch/{branch_id}", views_compliance.branch_page)
    r.add_get("/records", views_records.records_page)
    r.add_get("/records/{record_id}", views_records.record_page)
    r.add_post("/records/{record_id}/confirm", views_records.record_confirm)
    r.add_get("/records/{record_id}/photos/{photo_id}", views_records.record_photo)
    r.add_get("/broadcasts", views_broadcasts.broadcasts_page)
    r.add_get("/broadcasts/new", views_broadcasts.compose_get)
    r.add_post("/broadcasts/preview", views_broadcasts.preview)
    r.add_post("/broadcasts/send", views_broadcasts.send)
    r.add_get("/broadcasts/{broadcast_id}", views_broadcasts.broadcast_page)
    r.add_get("/documents", views_documents.documents_get)
    r.add_post("/documents/upload", views_documents.upload)
    r.add_post("/documents/remove", views_documents.remove)
    r.add_post("/documents/reindex", views_documents.reindex)
    r.add_get("/documents/progress", views_documents.progress)
    r.add_post("/documents/ask", views_documents.ask)
