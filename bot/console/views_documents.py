"""Documents of the knowledge base (county accounts only): list, upload, remove, reindex, try a question.

Decision: only county/township accounts manage documents. The knowledge base is shared by every branch
of the deployment, so a branch organizer changing it would change the answers of all other branches.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import BodyPartReader, web

from bot.console.documents import safe_file_name
from bot.console.web import MULTIPART, forbidden, form, principal, redirect, render, state
from knowledge.index_store import DocumentRecord

MESSAGES = {
    "uploaded": "文件已上传，正在后台重建索引。",
    "reindex": "已开始在后台重建索引。",
    "removing": "正在后台删除该文件并更新索引。",
}
ERRORS = {
    "ext": "只接受 {exts} 文件。",
    "size": "文件超过 {mb} MB 上限。",
    "empty": "请选择一个非空文件。",
    "name": "文件名无效。",
    "builtin": "内置文件不能删除。",
    "unknown": "没有这个文件（可能已被删除）。",
}


def _county_only(request: web.Request) -> web.Response | None:
    if not principal(request).is_county:
        return forbidden(request, "文件管理仅限县（乡镇）组织部门账号：知识库由全县各支部共用。")
    return None


def _managed(request: web.Request) -> Path:
    st = state(request)
    return st.settings.data_dir / st.settings.console_docs_dirname


def _origin(doc: DocumentRecord, managed: Path) -> str:
    if doc.builtin:
        return "内置"
    if doc.source == str(managed.resolve()):
        return "控制台上传"
    return "命令行导入"


async def _documents(request: web.Request) -> list[DocumentRecord]:
    jobs = state(request).documents
    docs = await asyncio.to_thread(jobs.backend.documents)
    return sorted(docs, key=lambda d: (d.builtin, d.title))


async def documents_page(
    request: web.Request, *, answer: object = None, question: str = "", status: int = 200
) -> web.StreamResponse:
    refused = _county_only(request)
    if refused is not None:
        return refused
    st = state(request)
    settings = st.settings
    docs = await _documents(request)
    managed = _managed(request)
    error_key = request.query.get("error", "")
    error = ERRORS.get(error_key, "").format(
        exts="、".join(settings.console_upload_extensions), mb=settings.console_upload_max_bytes // (1024 * 1024)
    )
    return render(
        request,
        "documents.html",
        {
            "title": "知识库文件",
            "docs": [(d, _origin(d, managed)) for d in docs],
            "progress": st.documents.progress,
            "message": MESSAGES.get(request.query.get("msg", ""), ""),
            "error": error,
            "answer": answer,
            "question": question,
            "accept": ",".join(settings.console_upload_extensions),
            "max_mb": settings.console_upload_max_bytes // (1024 * 1024),
            "question_max": settings.console_question_max_chars,
        },
        status=status,
    )


async def documents_get(request: web.Request) -> web.StreamResponse:
    return await documents_page(request)


async def upload(request: web.Request) -> web.StreamResponse:
    """Stream the file field of the (CSRF-checked) multipart form into the managed folder, then reindex."""
    refused = _county_only(request)
    if refused is not None:
        return refused
    settings = state(request).settings
    reader = request[MULTIPART]
    part = await reader.next()
    while part is not None and (not isinstance(part, BodyPartReader) or part.name != "file"):
        part = await reader.next()
    if part is None or not part.filename:
        raise redirect(request, "/documents?error=empty")
    name = safe_file_name(part.filename)
    if not name:
        raise redirect(request, "/documents?error=name")
    if Path(name).suffix.lower() not in settings.console_upload_extensions:
        raise redirect(request, "/documents?error=ext")
    cap = settings.console_upload_max_bytes
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk(64 * 1024):
        size += len(chunk)
        if size > cap:
            raise redirect(request, "/documents?error=size")
        chunks.append(chunk)
    if size == 0:
        raise redirect(request, "/documents?error=empty")
    await asyncio.to_thread(_save, _managed(request), name, b"".join(chunks))
    state(request).documents.submit("reindex")
    raise redirect(request, "/documents?msg=uploaded")


def _save(folder: Path, name: str, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.part"
    tmp.write_bytes(data)
    tmp.replace(folder / name)  # atomic: a reindex never reads half a file


async def remove(request: web.Request) -> web.StreamResponse:
    refused = _county_only(request)
    if refused is not None:
        return refused
    key = form(request).get("key", "")
    docs = {d.key: d for d in await _documents(request)}
    doc = docs.get(key)
    if doc is None:
        raise redirect(request, "/documents?error=unknown")
    if doc.builtin:
        raise redirect(request, "/documents?error=builtin")
    managed = _managed(request)
    if doc.source == str(managed.resolve()):
        # Also from the folder: otherwise the next reindex (which mirrors the folder) would bring it back.
        target = (managed / doc.file_name).resolve()
        if target.parent == managed.resolve():
            await asyncio.to_thread(target.unlink, missing_ok=True)
    state(request).documents.submit("remove", key=key, label=doc.title or doc.file_name)
    raise redirect(request, "/documents?msg=removing")


async def reindex(request: web.Request) -> web.StreamResponse:
    refused = _county_only(request)
    if refused is not None:
        return refused
    state(request).documents.submit("reindex")
    raise redirect(request, "/documents?msg=reindex")


async def progress(request: web.Request) -> web.StreamResponse:
    if not principal(request).is_county:
        return web.json_response({"error": "forbidden"}, status=403)
    return web.json_response(state(request).documents.progress.to_json())


async def ask(request: web.Request) -> web.StreamResponse:
    """Try a question against the knowledge service (run in the app's Q&A executor by the Answerer)."""
    from bot.app import ANSWERER

    refused = _county_only(request)
    if refused is not None:
        return refused
    settings = state(request).settings
    question = form(request).get("question", "").strip()
    if not question:
        return await documents_page(request, status=400)
    question = question[: settings.console_question_max_chars]
    result = await request.config_dict[ANSWERER].ask(question)
    return await documents_page(request, answer=result, question=question)
