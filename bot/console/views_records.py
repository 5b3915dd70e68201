"""Records: a filtered, paginated list; one record with photos, versions and audit trail; confirmation."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlmodel import Session, select

from bot.console import queries
from bot.console.accounts import Principal
from bot.console.web import forbidden, not_found, principal, redirect, render, state, store
from bot.store import photos
from bot.store.compliance import STATUS_ZH
from bot.store.errors import ErrorCode, StoreError
from bot.store.models import ActivityRecord, ActivityType
from bot.store.periods import PeriodRef, parse_period

log = logging.getLogger(__name__)

MESSAGES = {
    "confirmed": "已确认该记录。",
    "already": "该记录已被确认（或已更正为新版本），无需重复确认。",
}
RECORD_STATUS_ZH = {"pending": "待确认", "confirmed": "已确认"}
ACTION_ZH = {"create": "提交", "submit": "提交", "confirm": "确认", "correct": "更正", "photo_add": "添加照片"}
FIELD_ZH = {
    "status": "状态", "held_on": "日期", "start_time": "时间", "place": "地点", "host": "主持人", "recorder": "记录人",
    "topic": "议题", "expected": "应到", "present": "实到", "summary": "内容摘要", "decisions": "决议",
    "absentees": "缺席人员", "type_code": "类型", "group_id": "党小组", "also_counts_as": "同时计为",
    "_version": "版本", "_supersedes": "更正自", "_reason": "原因", "_via": "途径",
}  # fmt: skip


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


async def records_page(request: web.Request) -> web.StreamResponse:
    who = principal(request)
    settings = state(request).settings
    q = request.query
    period: PeriodRef | None = None
    if q.get("period", "").strip():
        try:
            period = parse_period(q["period"])
        except ValueError:
            raise web.HTTPBadRequest(text="period must look like 2026-11, 2026Q4 or 2026") from None
    status = q.get("status", "") if q.get("status", "") in queries.STATUS_FILTERS else ""
    branch_id = _int(q.get("branch"))
    if branch_id is not None:
        try:
            await store(request).call(queries.org_in_scope, principal=who, org_id=branch_id)
        except StoreError:
            return not_found(request, "该党支部")
    flt = queries.RecordFilter(
        branch_id=branch_id,
        branch_name=q.get("branch_name", "").strip()[:50],
        type_code=q.get("type", "").strip()[:32],
        period=period,
        status=status,
    )
    page = await store(request).call(
        queries.list_records,
        principal=who,
        flt=flt,
        page=_int(q.get("page")) or 1,
        page_size=settings.console_page_size,
        after=queries.parse_cursor(q.get("after")),
        before=None if "after" in q else queries.parse_cursor(q.get("before")),
    )
    types = await store(request).call(queries.activity_type_names)
    base = {k: v for k, v in q.items() if k not in ("page", "after", "before") and v}

    def page_query(n: int, cursor: str = "") -> str:
        # Next/previous carry a keyset cursor (after=/before=): deep pages cost what the first does.
        extra = {} if n <= 1 or not cursor else {"after" if n > page.page else "before": cursor}
        return urlencode({**base, **extra, "page": n})

    return render(
        request,
        "records.html",
        {
            "title": "活动记录",
            "page": page,
            "flt": flt,
            "period_text": q.get("period", ""),
            "types": types,
            "statuses": queries.STATUS_FILTERS,
            "page_query": page_query,
        },
    )


def _detail_with_photos(
    *, session: Session, principal: Principal, record_id: int
) -> tuple[queries.RecordDetail, list[photos.PhotoInfo], dict[str, str]]:
    """The record page's data in one worker-thread call: the detail (scope-checked), its photos and the
    activity types' names (for the audit trail)."""
    detail = queries.record_detail(session=session, principal=principal, record_id=record_id)
    names = {t.code: t.name for t in session.exec(select(ActivityType)).all()}
    return detail, photos.record_photos(session=session, record_id=record_id), names


def audit_value(key: str, value: Any, type_names: dict[str, str]) -> str:
    """An audit-trail value as an organizer reads it: names for type codes, "张三（病假）" for absentees,
    "—" for nothing; never a Python repr."""
    if value is None or value == "" or value == []:
        return "—"
    if key in ("type_code", "also_counts_as"):
        return type_names.get(str(value), str(value))
    if key == "absentees" and isinstance(value, list):
        people = [f"{p[0]}（{p[1]}）" if len(p) > 1 and p[1] else str(p[0]) for p in value if isinstance(p, list) and p]
        return "、".join(people) or "—"
    if key == "start_time" and isinstance(value, str) and value.count(":") == 2:
        return value[:5]  # "09:00:00" → "09:00"
    if key == "status":
        return RECORD_STATUS_ZH.get(str(value), str(value))
    return str(value)


def _photo_in_scope(*, session: Session, principal: Principal, record_id: int, photo_id: int) -> photos.PhotoInfo:
    """Photo ``photo_id`` of record ``record_id`` under the record page's scope rule (NOT_FOUND outside
    the principal's organisations, or when the photo is not that record's)."""
    rec = session.get(ActivityRecord, record_id)
    if rec is None:
        raise StoreError(ErrorCode.NOT_FOUND, what="record", id=record_id)
    queries.org_in_scope(session=session, principal=principal, org_id=rec.branch_id)
    info = photos.record_photo(session=session, record_id=record_id, photo_id=photo_id)
    if info is None:
        raise StoreError(ErrorCode.NOT_FOUND, what="photo", id=photo_id)
    return info


async def record_page(request: web.Request) -> web.StreamResponse:
    who = principal(request)
    record_id = _int(request.match_info["record_id"])
    if record_id is None:
        return not_found(request, "该记录")
    try:
        detail, photo_list, type_names = await store(request).call(
            _detail_with_photos, principal=who, record_id=record_id
        )
    except StoreError:
        return not_found(request, "该记录")
    return render(
        request,
        "record.html",
        {
            "title": f"{detail.record.branch_name} {detail.record.type_name}",
            "d": detail,
            "r": detail.record,
            "photos": photo_list,
            "message": MESSAGES.get(request.query.get("msg", ""), ""),
            "action_zh": ACTION_ZH,
            "field_zh": FIELD_ZH,
            "status_zh": STATUS_ZH,
            "audit_value": lambda key, value: audit_value(key, value, type_names),
            "tz": state(request).settings.timezone,
        },
    )


async def record_confirm(request: web.Request) -> web.StreamResponse:
    who = principal(request)
    record_id = _int(request.match_info["record_id"])
    if record_id is None:
        return not_found(request, "该记录")
    try:
        await store(request).call(queries.confirm_record, principal=who, record_id=record_id)
    except StoreError as err:
        if err.code == ErrorCode.NOT_FOUND:
            return not_found(request, "该记录")
        if err.code == ErrorCode.FORBIDDEN:
            return forbidden(request, "只有本支部书记、副书记、组织委员或上级组织部门可以确认记录。")
        if err.code in (ErrorCode.ALREADY_CONFIRMED, ErrorCode.NOT_CURRENT):
            raise redirect(request, f"/records/{record_id}?msg=already") from None
        raise
    # No cache.clear(): the confirmation's audit event changes the fingerprint, and the next compliance
    # view recomputes only this branch.
    raise redirect(request, f"/records/{record_id}?msg=confirmed")


async def record_photo(request: web.Request) -> web.StreamResponse:
    """The stored image of a photo (the record page's thumbnails): same scope as the record page, 404
    when outside it or not downloaded yet."""
    who = principal(request)
    record_id = _int(request.match_info["record_id"])
    photo_id = _int(request.match_info["photo_id"])
    if record_id is None or photo_id is None:
        return not_found(request, "该照片")
    try:
        info = await store(request).call(_photo_in_scope, principal=who, record_id=record_id, photo_id=photo_id)
    except StoreError:
        return not_found(request, "该照片")
    settings = state(request).settings
    if not info.fetched or info.stored_path is None or info.content_type is None:
        return not_found(request, "该照片（尚未下载）")
    path = photos.photo_path(settings.data_dir, settings.photos_dirname, info.stored_path)
    if path is None or not await asyncio.to_thread(path.is_file):
        log.warning("console: photo %d of record %d is missing on disk (%s)", photo_id, record_id, info.stored_path)
        return not_found(request, "该照片")
    # The type comes from the bytes (sniffed when fetched), so the browser gets an image, never markup.
    return web.FileResponse(
        path, headers={"Content-Type": info.content_type, "Cache-Control": "private, max-age=3600"}
    )
