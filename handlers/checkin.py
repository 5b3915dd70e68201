"""The check-in conversation (签到 / 打卡 / 记录), declared once as a :class:`handlers.flow.Flow`.

    签到 昨天开了主题党日，应到12人实到10人，主题是学习…   → extract what is there
    (ask only what is missing, one question at a time)       → Step.TYPE … Step.TOPIC
    缺席的是哪几位？ (only when 实到 < 应到, asked once)         → Step.ABSENTEES
    请核对：…  确认 / 修改 <字段> / 取消                        → Step.CONFIRM
    确认                                                     → submit_record(..., clear_state=True)

Every answer is checked at once with the store's ``precheck`` (binding, type applicable to the branch,
date, duplicate, counts against the roster), so a problem is told at the step that caused it; the
offending field is cleared and asked again. The absentee list is checked locally against 应到 − 实到
(the store's rule, no round trip). 会议内容 and 决议 are optional: read from the first message or set
with "修改 内容 …" / "修改 决议 …" at the summary. Nothing here decides a rule: the store does, and
``handlers.checkin_texts.error_text`` words its refusals. All database work goes through
:class:`bot.store.service.CheckinStore` (off the event loop).

Photos: an image sent during the conversation is kept in the draft (WeChat MediaId plus the sha256 of
the MediaId, the delivery key that attaches the same image once); an image sent within
``checkin_photo_window_s`` after a submission attaches to that record. The bytes and their content hash
are fetched afterwards by the photo fetcher (bot/maintenance, docs/checkins.md "Photos").
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from datetime import date, time, timedelta
from enum import StrEnum
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session

from bot.conversation import ConversationState
from bot.dispatch import Context, Reply, Router
from bot.dispatch import filters as flt
from bot.dispatch.filters import FilterResult
from bot.settings import Settings
from bot.store import checkins
from bot.store.errors import DuplicateRecordError, ErrorCode, StoreError
from bot.store.models import AppliesTo, Member, utcnow
from bot.store.periods import local_today
from bot.store.service import CheckinStore
from bot.store.state import SqlStateStorage
from bot.store.views import RecordView
from handlers import checkin_texts as ct
from handlers.checkin_dates import DateParseError, parse_past_date
from handlers.checkin_extract import (
    Absence,
    Extracted,
    detect_types,
    extract_checkin,
    parse_absentees,
    parse_count,
    parse_time,
)
from handlers.flow import Flow, on

log = logging.getLogger(__name__)

FLOW = "checkin"


class Step(StrEnum):
    """Where a check-in conversation is. Required steps are asked in ``REQUIRED`` order."""

    TYPE = "type"
    GROUP = "group"  # only for 党小组会
    DATE = "date"
    EXPECTED = "expected"
    PRESENT = "present"
    TOPIC = "topic"
    PLACE = "place"  # optional: extracted, or set by "修改 地点"
    HOST = "host"
    RECORDER = "recorder"
    TIME = "time"
    ABSENTEES = "absentees"  # asked once after the required steps when 实到 < 应到; "修改 缺席"
    SUMMARY = "summary"  # optional: extracted (会议内容：…), or set by "修改 内容"
    DECISIONS = "decisions"  # optional: extracted (决议：…), or set by "修改 决议"
    CONFIRM = "confirm"


REQUIRED: tuple[Step, ...] = (Step.TYPE, Step.GROUP, Step.DATE, Step.EXPECTED, Step.PRESENT, Step.TOPIC)
QUESTIONS: tuple[tuple[Step, str], ...] = tuple((Step(k), v) for k, v in ct.QUESTIONS.items())

# Step → key of the draft in the conversation state.
FIELD: dict[Step, str] = {
    Step.TYPE: "type_code",
    Step.GROUP: "group_id",
    Step.DATE: "held_on",
    Step.EXPECTED: "expected",
    Step.PRESENT: "present",
    Step.TOPIC: "topic",
    Step.PLACE: "place",
    Step.HOST: "host",
    Step.RECORDER: "recorder",
    Step.TIME: "time",
    Step.ABSENTEES: "absentees",  # a list of {"name", "reason"}; None: not asked yet, []: skipped
    Step.SUMMARY: "summary",
    Step.DECISIONS: "decisions",
}

# A refused value: which step asks for it again (None: keep the state as it is).
_ERROR_STEP: dict[ErrorCode, Step] = {
    ErrorCode.UNKNOWN_TYPE: Step.TYPE,
    ErrorCode.NO_COMMITTEE: Step.TYPE,
    ErrorCode.NO_GROUPS: Step.TYPE,
    ErrorCode.TYPE_DISABLED: Step.TYPE,
    ErrorCode.GROUP_NOT_ALLOWED: Step.TYPE,
    ErrorCode.GROUP_REQUIRED: Step.GROUP,
    ErrorCode.GROUP_NOT_IN_BRANCH: Step.GROUP,
    ErrorCode.FUTURE_DATE: Step.DATE,
    ErrorCode.TOO_OLD: Step.DATE,
    ErrorCode.BAD_DATE: Step.DATE,
    ErrorCode.EXPECTED_OVER_ROSTER: Step.EXPECTED,
    ErrorCode.TOO_FEW_PRESENT: Step.PRESENT,
    ErrorCode.PRESENT_OVER_EXPECTED: Step.PRESENT,
}
# Steps whose answers the store has nothing more to say about until the submission, and steps checked
# against the roster sizes read at the start (the submission checks everything again in the database).
_NO_DB_STEPS = frozenset(
    {Step.TOPIC, Step.PLACE, Step.HOST, Step.RECORDER, Step.TIME, Step.ABSENTEES, Step.SUMMARY, Step.DECISIONS}
)
_COUNT_STEPS = frozenset({Step.EXPECTED, Step.PRESENT})
# Refusals that end the conversation.
_FATAL = {ErrorCode.NOT_BOUND, ErrorCode.OTHER_BRANCH, ErrorCode.DUPLICATE, ErrorCode.FORBIDDEN}
# Store field names of one absentee's values (TOO_LONG / BAD_COUNT params): asked at Step.ABSENTEES.
_ABSENTEE_FIELDS = frozenset({"absentees", "absentee_name", "absentee_reason"})
# Absentees named in a submitted draft, matched to the branch's roster (active members) by name.
_MEMBER = Member.__table__  # type: ignore[attr-defined]
_ROSTER_BY_NAME = (
    sa.select(_MEMBER.c.id, _MEMBER.c.name)
    .where(
        _MEMBER.c.org_id == sa.bindparam("branch"),
        _MEMBER.c.name.in_(sa.bindparam("names", expanding=True)),
        _MEMBER.c.active.is_(True),
    )
)

_ENTRY_RE = re.compile(r"^(签到|打卡|记录)\s*([:：，,。；;\s]?)\s*(.*)$", re.S)
_NEGATIVE_RE = re.compile(r"(?:^|[^\d])[-－−﹣]\s*\d|负\s*[\d一二两三四五六七八九十]")


_TYPED = flt.MsgType("text") & flt.HasText()

# What a step does to the conversation state: store this state, clear it, or leave it (None).
_CLEAR: Literal["clear"] = "clear"
StateOp = ConversationState | Literal["clear"] | None


class _SayError(Exception):
    """A handler-level refusal with its text (not a store rule)."""


def command_filter(ctx: Context) -> FilterResult:
    """Only the command words (with or without the meeting after them)."""
    m = _ENTRY_RE.match(ctx.text) if ctx.text else None
    return m is not None and (not m.group(3).strip() or bool(m.group(2)) or bool(detect_types(m.group(3))))


def entry_filter(ctx: Context) -> FilterResult:
    """ "签到" / "打卡" / "记录" (a menu click maps to "签到"), optionally followed by the meeting, or a
    message that plainly reports one (a type, a date and a head count). Extracts ``rest``."""
    text = ctx.text
    if not text or ctx.inbound.msg_type not in ("text", "event"):
        return False
    if m := _ENTRY_RE.match(text):
        rest = m.group(3).strip()
        if not rest or m.group(2) or detect_types(rest):
            return {"rest": rest}
        return False
    if ctx.inbound.msg_type == "text" and detect_types(text):
        ext = extract_checkin(text, today=date.today())
        if (ext.held_on is not None or ext.date_error is not None) and (
            ext.expected is not None or ext.present is not None
        ):
            return {"rest": text}
    return False


def _gap(d: dict[str, Any]) -> int | None:
    """应到 − 实到 of the draft (None while either is unknown)."""
    expected, present = d.get("expected"), d.get("present")
    if isinstance(expected, int) and isinstance(present, int):
        return expected - present
    return None


def _is_skip(text: str) -> bool:
    """ "跳过" / "无" / "不清楚" (or a bare "确认": the user wants to go on) for an optional item."""
    word = text.strip().strip("。.!！~～ ").lower()
    return word in ct.SKIP_WORDS or word in ct.CONFIRM_WORDS


def _edit_request(text: str) -> str | None:
    """What follows "修改" when ``text`` is an edit of a known field ("修改 人数" → "人数"), else None."""
    text = text.strip()
    for word in ct.EDIT_WORDS:
        rest = text.removeprefix(word).strip()
        if text.startswith(word) and any(rest.startswith(f) for f in ct.EDIT_FIELDS):
            return rest
    return None


def _edit_value(text: str) -> str:
    """The value after the field word of "修改 <字段> …": without "为/是/改为" ("地点为村委会", "地点 为村委会")
    or an attached "成" ("地点改成…"), but a value ending in 成/为/是 ("全票赞成") or a name after a space
    ("修改 缺席 成龙") is kept whole."""
    text = re.sub(r"^(?:改为|改成|为|是|成)(?=\S)", "", text).strip(" ：:")
    text = re.sub(r"^(?:改为|改成|为|是)[ ：:]*(?=\S)", "", text)
    return "" if text in ("改为", "改成", "为", "是", "成") else text


def _submit_work(
    *,
    session: Session,
    settings: Settings,
    openid: str,
    draft: checkins.RecordDraft,
    clear_state: bool,
    branch_id: int | None,
) -> RecordView:
    """``submit_record``, after matching the absentees' names to the branch's active roster members
    (one indexed query, only when absentees are listed; a name found twice stays unmatched)."""
    names = sorted({a.name for a in draft.absentees})
    if names and branch_id is not None:
        found: dict[str, list[int]] = {}
        for member_id, name in session.connection().execute(_ROSTER_BY_NAME, {"branch": branch_id, "names": names}):
            found.setdefault(name, []).append(int(member_id))
        for a in draft.absentees:
            ids = found.get(a.name, [])
            a.member_id = ids[0] if len(ids) == 1 else None
    return checkins.submit_record(
        session=session, settings=settings, openid=openid, draft=draft, clear_state=clear_state
    )


def _media_hash(media_id: str, pic_url: str) -> str:
    # The delivery key: the hash of the MediaId (PicUrl when there is none), so the same delivery attaches
    # once. The content hash comes later from the photo fetcher, which downloads the bytes.
    return hashlib.sha256((media_id or pic_url).encode()).hexdigest()


class CheckinConversation:
    """Builds the check-in :class:`Flow` for one app (its store and settings)."""

    def __init__(self, store: CheckinStore, settings: Settings, *, state_in_store: bool) -> None:
        self.store = store
        self.settings = settings
        self.state_in_store = state_in_store  # submit_record(clear_state=True) clears it in the same txn
        self.flow: Flow[Step] = Flow(
            name=FLOW,
            steps=Step,
            ttl_s=settings.conversation_ttl_s,
            notice_s=settings.checkin_expired_notice_s,
            entry=(
                on(entry_filter)(self.start),
                on(flt.MsgType("image"))(self.photo_after_submit),
            ),
            states={
                # Typed text only: a menu click during a check-in is its command, not an answer.
                **{step: (on(_TYPED)(self.answer),) for step in FIELD},
                Step.CONFIRM: (on(_TYPED)(self.confirm),),
            },
            fallbacks=(
                on(flt.MsgType("image"))(self.photo),
                on(command_filter)(self.already),
            ),
            on_expired=self.expired,
        )

    def router(self) -> Router:
        """The flow's router (for ``_flow_routers()`` in bot/app.py)."""
        return self.flow.router()

    # --- helpers ----------------------------------------------------------------------------------------

    def today(self) -> date:
        return local_today(self.settings.timezone)

    def _question(self, step: Step, c: dict[str, Any]) -> str:
        return ct.question(step.value, types=[t[1] for t in c["types"]], groups=[g[1] for g in c["groups"]])

    def _needs_group(self, d: dict[str, Any], c: dict[str, Any]) -> bool:
        return any(t[0] == d.get("type_code") and t[2] == AppliesTo.GROUP for t in c["types"])

    def _next_step(self, d: dict[str, Any], c: dict[str, Any]) -> Step:
        for step in REQUIRED:
            if step is Step.GROUP and not self._needs_group(d, c):
                continue
            if d.get(FIELD[step]) in (None, ""):
                return step
        if (_gap(d) or 0) > 0 and d.get("absentees") is None:
            return Step.ABSENTEES  # once: a skipped answer is [] and not asked again
        return Step.CONFIRM

    def _summary(self, d: dict[str, Any], c: dict[str, Any]) -> str:
        type_name = next((t[1] for t in c["types"] if t[0] == d.get("type_code")), d.get("type_code", ""))
        also = next((t[1] for t in c["types"] if t[0] == d.get("also_counts_as")), "")
        held = date.fromisoformat(d["held_on"]) if d.get("held_on") else None
        fields = {
            "会议": type_name + (f"（同时计为{also}）" if also else ""),
            "党小组": d.get("group_name") or "",
            "日期": (ct.short_date(held) if held else "") + (f" {d['time']}" if d.get("time") else ""),
            "人数": f"应到{d.get('expected')}人，实到{d.get('present')}人",
            "缺席": ct.absentee_list((a["name"], a["reason"]) for a in d.get("absentees") or []),
            "议题": d.get("topic") or "",
            "地点": d.get("place") or "",
            "主持人": d.get("host") or "",
            "记录人": d.get("recorder") or "",
            "内容": ct.clip(d["summary"], ct.SHOW_TEXT_CHARS) if d.get("summary") else "",
            "决议": ct.clip(d["decisions"], ct.SHOW_TEXT_CHARS) if d.get("decisions") else "",
            "照片": f"{len(d.get('photos', []))}张" if d.get("photos") else "",
        }
        return ct.draft_summary(fields)

    def _prompt(self, step: Step, d: dict[str, Any], c: dict[str, Any]) -> str:
        return self._summary(d, c) if step is Step.CONFIRM else self._question(step, c)

    def _precheck(self, session: Session, settings: Settings, ctx: Context, d: dict[str, Any]) -> StoreError | None:
        """The store's checks on everything known so far (None: all fine), in the caller's session."""
        try:
            checkins.precheck(
                session=session,
                settings=settings,
                openid=ctx.user_id,
                type_code=d.get("type_code"),
                held_on=date.fromisoformat(d["held_on"]) if d.get("held_on") else None,
                group_id=d.get("group_id"),
                expected=d.get("expected"),
                present=d.get("present") if d.get("expected") is not None else None,
            )
        except StoreError as exc:
            return exc
        return None

    def _counts_problem(self, d: dict[str, Any], c: dict[str, Any]) -> StoreError | None:
        """The store's count rule (``check_counts``) against the roster size read at the start."""
        if d.get("expected") is None:
            return None
        roster = int(c.get("roster", 0))
        if d.get("group_id") is not None:
            roster = next((int(g[2]) for g in c["groups"] if g[0] == d["group_id"]), roster)
        try:
            checkins.check_counts(
                settings=self.settings, roster=roster, expected=d["expected"], present=d.get("present")
            )
        except StoreError as exc:
            return exc
        return None

    @staticmethod
    def _absentees_problem(d: dict[str, Any]) -> StoreError | None:
        """The store's rule "absentees listed ≤ 应到 − 实到", checked on the draft (no round trip)."""
        listed, gap = len(d.get("absentees") or []), _gap(d)
        if listed and gap is not None and listed > gap:
            return StoreError(ErrorCode.ABSENTEES_OVER_GAP, listed=listed, gap=gap)
        return None

    @staticmethod
    def _refusal(err: StoreError) -> str:
        """The text for a refusal in the conversation (``error_text``, except a list dropped because
        nobody was absent, see :meth:`_clear_for`)."""
        if err.code is ErrorCode.ABSENTEES_OVER_GAP and int(err.params.get("gap", 0)) <= 0:
            return ct.ABSENTEES_CLEARED
        return ct.error_text(err)

    def _clear_for(self, err: StoreError, d: dict[str, Any], fallback: Step | None) -> Step | None:
        """Drop the value ``err`` refuses from ``d``; returns the step that asks for it again (None: the
        next step as usual)."""
        if err.code is ErrorCode.ABSENTEES_OVER_GAP:
            # Counts changed under a listed absentee list: ask for the list again; with nobody absent
            # there is nothing to ask, so the list is dropped (told by _refusal).
            if int(err.params.get("gap", 0)) > 0:
                d["absentees"] = None
                return Step.ABSENTEES
            d["absentees"] = []
            return None
        step = _ERROR_STEP.get(err.code)
        field = str(err.params.get("field", ""))
        if field in _ABSENTEE_FIELDS and err.code in (ErrorCode.BAD_COUNT, ErrorCode.TOO_LONG, ErrorCode.TOO_MANY):
            step = Step.ABSENTEES
        elif err.code is ErrorCode.BAD_COUNT:
            step = Step.PRESENT if field == "present" else Step.EXPECTED
        elif err.code is ErrorCode.TOO_LONG:
            step = next((s for s, f in FIELD.items() if f == field), fallback)
        if step is None:
            return fallback
        d[FIELD[step]] = None
        if step is Step.TYPE:
            d["also_counts_as"] = None
            d["group_id"] = d["group_name"] = None
        return step

    async def _advance(
        self, ctx: Context, d: dict[str, Any], c: dict[str, Any], lines: list[str], prefer: Step | None = None
    ) -> Reply:
        """Save the state at the next step and ask its question (or show the summary)."""
        step = prefer or self._next_step(d, c)
        await self.flow.go(ctx, step, {"d": d, "c": c})
        return Reply("\n".join([*lines, self._prompt(step, d, c)]))

    def _advance_op(
        self, ctx: Context, d: dict[str, Any], c: dict[str, Any], lines: list[str], prefer: Step | None = None
    ) -> tuple[Reply, StateOp]:
        """:meth:`_advance` without the write: the reply and the state to store."""
        step = prefer or self._next_step(d, c)
        state = self.flow.state_for(ctx, step, {"d": d, "c": c})
        return Reply("\n".join([*lines, self._prompt(step, d, c)])), state

    def _end_op(self, ctx: Context, err: StoreError) -> tuple[Reply, StateOp]:
        log.info("check-in of %s ended: %s", ctx.user_id, err.code.value)
        return Reply(ct.error_text(err)), _CLEAR

    def _after_check(
        self,
        ctx: Context,
        d: dict[str, Any],
        c: dict[str, Any],
        lines: list[str],
        answered: Step | None,
        err: StoreError | None,
    ) -> tuple[Reply, StateOp]:
        """Next question when ``err`` is None; else the conversation ends (fatal) or the refused value is
        cleared and asked again with the refusal."""
        if err is None:
            err = self._absentees_problem(d)
        if err is None:
            return self._advance_op(ctx, d, c, lines)
        if err.code in _FATAL:
            return self._end_op(ctx, err)
        step = self._clear_for(err, d, answered)
        return self._advance_op(ctx, d, c, [*lines, self._refusal(err)], prefer=step)

    async def _apply(self, ctx: Context, reply: Reply, op: StateOp) -> Reply:
        """Write ``op`` through the context's storage (a step without database work)."""
        if op == _CLEAR:
            await ctx.clear_state()
        elif isinstance(op, ConversationState):
            ctx.state = op
            await ctx.storage.set(op)
        return reply

    async def _run(self, ctx: Context, work: Any, /, **kwargs: Any) -> Reply:
        """Run ``work(session=, settings=, ctx=, **kwargs) -> (Reply, StateOp)`` in one worker-thread
        call; with the state in the store its write joins the same transaction (one thread hop, one
        connection checkout and one commit per message instead of up to three)."""
        storage = ctx.storage
        in_txn = self.state_in_store and isinstance(storage, SqlStateStorage)

        def call(*, session: Session, settings: Settings) -> tuple[Reply, StateOp]:
            reply, op = work(session=session, settings=settings, ctx=ctx, **kwargs)
            if in_txn and op is not None:
                assert isinstance(storage, SqlStateStorage)
                state = op if isinstance(op, ConversationState) else None
                storage.write_in(session.connection(), state, user_id=ctx.user_id)
                session.commit()
            return reply, op

        reply, op = await self.store.call(call)
        if not in_txn:
            return await self._apply(ctx, reply, op)
        if op is not None:
            ctx.state = op if isinstance(op, ConversationState) else None
        return reply

    def _settle_work(
        self,
        *,
        session: Session,
        settings: Settings,
        ctx: Context,
        d: dict[str, Any],
        c: dict[str, Any],
        lines: list[str],
        answered: Step | None,
    ) -> tuple[Reply, StateOp]:
        d = dict(d)  # a retried call (busy SQLite) starts from the same draft
        return self._after_check(ctx, d, c, lines, answered, self._precheck(session, settings, ctx, d))

    async def _settle(
        self, ctx: Context, d: dict[str, Any], c: dict[str, Any], lines: list[str], answered: Step | None
    ) -> Reply:
        """Pre-check ``d``; a refused value is cleared and asked again with the refusal.

        Answers to the free-text steps (topic, place, names, time) need no database: their caps are
        checked when parsed, so they skip the round trip; counts are checked against the roster sizes
        read at the start. Otherwise the pre-check and the state write are one store call."""
        if answered in _NO_DB_STEPS:
            return await self._apply(ctx, *self._after_check(ctx, d, c, lines, answered, None))
        if answered in _COUNT_STEPS:
            err = self._counts_problem(d, c)
            return await self._apply(ctx, *self._after_check(ctx, d, c, lines, answered, err))
        return await self._run(ctx, self._settle_work, d=d, c=c, lines=lines, answered=answered)

    async def _end(self, ctx: Context, err: StoreError) -> Reply:
        log.info("check-in of %s ended: %s", ctx.user_id, err.code.value)
        await ctx.clear_state()
        return Reply(ct.error_text(err))

    # --- parsing answers ---------------------------------------------------------------------------------

    def _capped(self, field: str, text: str, limit: int) -> str:
        value = checkins.clean_text(text)
        if not value:
            raise _SayError(ct.EMPTY_ANSWER)
        if len(value) > limit:
            raise StoreError(ErrorCode.TOO_LONG, field=field, limit=limit, length=len(value))
        return value

    def _optional_text(self, field: str, text: str, limit: int) -> str:
        """An optional text (会议内容, 决议): "无" / "跳过" (or a bare "确认") leaves it empty."""
        if _is_skip(text):
            return ""
        return self._capped(field, text, limit)

    def _absentee_entries(self, items: list[Absence]) -> list[dict[str, str]]:
        """``items`` as draft entries, with the store's caps (count, name and reason lengths)."""
        s = self.settings
        if len(items) > s.checkin_max_absentees:
            raise StoreError(ErrorCode.TOO_MANY, field="absentees", limit=s.checkin_max_absentees)
        out: list[dict[str, str]] = []
        for item in items:
            name, reason = checkins.clean_text(item.name), checkins.clean_text(item.reason)
            if len(name) > s.checkin_name_max_chars:
                raise StoreError(
                    ErrorCode.TOO_LONG, field="absentee_name", limit=s.checkin_name_max_chars, length=len(name)
                )
            if len(reason) > s.checkin_reason_max_chars:
                raise StoreError(
                    ErrorCode.TOO_LONG, field="absentee_reason", limit=s.checkin_reason_max_chars, length=len(reason)
                )
            if name:
                out.append({"name": name, "reason": reason})
        return out

    def _absentees(self, text: str, d: dict[str, Any]) -> list[dict[str, str]]:
        """The answer to the absentee question: "跳过" / "不清楚" → [] (listing fewer is allowed); a list
        longer than 应到 − 实到 is refused here, as the store would at the submission."""
        if _is_skip(text):
            return []
        entries = self._absentee_entries(parse_absentees(text))
        if not entries:
            raise _SayError(ct.ABSENTEES_NOT_UNDERSTOOD)
        gap = _gap(d)
        if gap is not None and len(entries) > gap:
            raise StoreError(ErrorCode.ABSENTEES_OVER_GAP, listed=len(entries), gap=gap)
        return entries

    def _count(self, text: str, field: str) -> int:
        if _NEGATIVE_RE.search(text):
            raise _SayError(ct.NEGATIVE_COUNT)
        value = parse_count(text)
        if value is None:
            raise StoreError(ErrorCode.BAD_COUNT, field=field)
        return value

    def _type(self, text: str, c: dict[str, Any]) -> dict[str, Any]:
        codes = [t[0] for t in c["types"]]
        stripped = text.strip().rstrip("。.")
        if stripped.isdigit() and 1 <= int(stripped) <= len(codes):
            return {"type_code": codes[int(stripped) - 1], "also_counts_as": None}
        found = detect_types(text) or [t[0] for t in c["types"] if t[1] and t[1] in text]
        if not found:
            raise StoreError(ErrorCode.UNKNOWN_TYPE, type_code=text[:20])
        also = next((x for x in found[1:] if x in codes and x != found[0]), None)
        return {"type_code": found[0], "also_counts_as": also}

    def _group(self, text: str, c: dict[str, Any]) -> dict[str, Any]:
        groups: list[list[Any]] = c["groups"]
        stripped = text.strip().rstrip("。.")
        if stripped.isdigit() and 1 <= int(stripped) <= len(groups):
            gid, name = groups[int(stripped) - 1][:2]
            return {"group_id": gid, "group_name": name}

        def core(s: str) -> str:
            return re.sub(r"(党小组|小组|组)$", "", s.strip())

        key = core(stripped)
        hits = [g for g in groups if g[1] == stripped or (key and (core(g[1]) == key or key in g[1]))]
        if len(hits) != 1:
            raise _SayError(ct.UNKNOWN_GROUP)
        return {"group_id": hits[0][0], "group_name": hits[0][1]}

    def parse_answer(self, step: Step, text: str, d: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
        """The draft values an answer to ``step`` gives (raises StoreError / DateParseError / _SayError)."""
        s = self.settings
        if step is Step.TYPE:
            out = self._type(text, c)
            if not any(t[0] == out["type_code"] and t[2] == AppliesTo.GROUP for t in c["types"]):
                out.update(group_id=None, group_name=None)
            return out
        if step is Step.GROUP:
            return self._group(text, c)
        if step is Step.DATE:
            return {"held_on": parse_past_date(text, today=self.today()).isoformat()}
        if step is Step.EXPECTED:
            out = {"expected": self._count(text, "expected")}
            ext = extract_checkin(text, today=self.today())
            if ext.present is not None and ext.expected == out["expected"]:
                out["present"] = ext.present  # "应到25实到23" answers both
            return out
        if step is Step.PRESENT:
            return {"present": self._count(text, "present")}
        if step is Step.TOPIC:
            return {"topic": self._capped("topic", text, s.checkin_topic_max_chars)}
        if step is Step.PLACE:
            return {"place": self._capped("place", text, s.checkin_place_max_chars)}
        if step is Step.HOST:
            return {"host": self._capped("host", text, s.checkin_name_max_chars)}
        if step is Step.RECORDER:
            return {"recorder": self._capped("recorder", text, s.checkin_name_max_chars)}
        if step is Step.TIME:
            t = parse_time(text)
            if t is None:
                raise _SayError(ct.BAD_TIME)
            return {"time": t.strftime("%H:%M")}
        if step is Step.ABSENTEES:
            return {"absentees": self._absentees(text, d)}
        if step is Step.SUMMARY:
            return {"summary": self._optional_text("summary", text, s.checkin_summary_max_chars)}
        if step is Step.DECISIONS:
            return {"decisions": self._optional_text("decisions", text, s.checkin_decisions_max_chars)}
        raise AssertionError(step)  # pragma: no cover

    def _from_extracted(self, ext: Extracted, d: dict[str, Any], c: dict[str, Any]) -> tuple[list[str], Step | None]:
        """Fill ``d`` from a first message; returns the refusal texts and the step of the first one."""
        s = self.settings
        problems: list[str] = []
        first: Step | None = None

        def refuse(step: Step, text: str) -> None:
            nonlocal first
            problems.append(text)
            first = first or step

        if ext.type_code:
            d["type_code"] = ext.type_code
            d["also_counts_as"] = next((x for x in ext.also_types if x != ext.type_code), None)
        if ext.date_error is not None:
            refuse(Step.DATE, ct.error_text(ext.date_error))
        elif ext.held_on is not None:
            d["held_on"] = ext.held_on.isoformat()
        if ext.group_name and self._needs_group(d, c):
            with contextlib.suppress(_SayError):
                d.update(self._group(ext.group_name, c))
        for key, value in (("expected", ext.expected), ("present", ext.present)):
            if value is not None:
                if value < 0:
                    refuse(Step.EXPECTED, ct.NEGATIVE_COUNT)
                else:
                    d[key] = value
        if ext.start_time is not None:
            d["time"] = ext.start_time.strftime("%H:%M")
        texts = (
            (Step.TOPIC, "topic", ext.topic, s.checkin_topic_max_chars),
            (Step.PLACE, "place", ext.place, s.checkin_place_max_chars),
            (Step.HOST, "host", ext.host, s.checkin_name_max_chars),
            (Step.RECORDER, "recorder", ext.recorder, s.checkin_name_max_chars),
            (Step.SUMMARY, "summary", ext.summary, s.checkin_summary_max_chars),
            (Step.DECISIONS, "decisions", ext.decisions, s.checkin_decisions_max_chars),
        )
        for step, key, raw, limit in texts:
            if raw:
                try:
                    d[key] = self._capped(key, raw, limit)
                except StoreError as exc:
                    refuse(step, ct.error_text(exc))
                except _SayError:
                    pass
        if ext.absentees:
            # Checked against 应到 − 实到 with the other answers (_after_check), once the counts are known.
            try:
                d["absentees"] = self._absentee_entries(list(ext.absentees)) or None
            except StoreError as exc:
                refuse(Step.ABSENTEES, ct.error_text(exc))
        return problems, first

    def _understood(self, d: dict[str, Any], c: dict[str, Any]) -> str | None:
        items: list[str] = []
        name = next((t[1] for t in c["types"] if t[0] == d.get("type_code")), None)
        if name:
            items.append(name + (f"（{d['group_name']}）" if d.get("group_name") else ""))
        if d.get("held_on"):
            items.append(ct.short_date(date.fromisoformat(d["held_on"])))
        if d.get("expected") is not None:
            items.append(f"应到{d['expected']}人")
        if d.get("present") is not None:
            items.append(f"实到{d['present']}人")
        if d.get("absentees"):
            items.append(ct.UNDERSTOOD_ABSENTEES.format(n=len(d["absentees"])))
        if d.get("summary"):
            items.append(ct.UNDERSTOOD_SUMMARY)
        if d.get("decisions"):
            items.append(ct.UNDERSTOOD_DECISIONS)
        return ct.UNDERSTOOD.format(items="、".join(items)) if items else None

    # --- handlers ----------------------------------------------------------------------------------------

    async def start(self, ctx: Context, *, prefix: str | None = None) -> Reply:
        """Entry: check the binding, read the first message, ask the first missing field (the context,
        the pre-check and the state write in one store call)."""
        return await self._run(ctx, self._start_work, prefix=prefix, rest=str(ctx.data.get("rest", "")))

    def _start_work(
        self, *, session: Session, settings: Settings, ctx: Context, prefix: str | None, rest: str
    ) -> tuple[Reply, StateOp]:
        try:
            info = checkins.checkin_context(session=session, settings=settings, openid=ctx.user_id)
        except StoreError as exc:
            log.info("check-in refused for %s: %s", ctx.user_id, exc.code.value)
            if exc.code is ErrorCode.OTHER_BRANCH:  # without a branch id, only county/township staff
                return Reply(ct.STAFF_NO_CHECKIN), None
            return Reply(ct.error_text(exc)), None
        c: dict[str, Any] = {
            "branch": info.branch_name,
            "branch_id": info.branch_id,  # for matching absentees to the roster at the submission
            "types": [[r.type_code, r.type_name, r.applies_to] for r in info.types],
            "groups": [[g.id, g.name, g.roster_size] for g in info.groups],
            "roster": info.roster_size,
        }
        d: dict[str, Any] = {"photos": []}
        lines = [prefix] if prefix else []
        if rest:
            problems, first = self._from_extracted(extract_checkin(rest, today=self.today()), d, c)
            if understood := self._understood(d, c):
                lines.append(understood)
            if problems:
                # Tell the first problem and ask that field; the pre-check runs with the next answer.
                err = self._precheck(session, settings, ctx, d)
                if err is not None and err.code in _FATAL:
                    return self._end_op(ctx, err)
                return self._advance_op(ctx, d, c, [*lines, problems[0]], prefer=first)
        return self._after_check(ctx, d, c, lines, None, self._precheck(session, settings, ctx, d))

    async def answer(self, ctx: Context) -> Reply:
        """An answer to the current step's question."""
        step = self.flow.step_of(ctx)
        assert step is not None
        data = self.flow.data(ctx)
        d, c = dict(data["d"]), data["c"]
        if step is Step.ABSENTEES and (rest := _edit_request(ctx.text)) is not None:
            # The question comes where the summary would: "修改 人数" here is an edit, not a name.
            return await self.edit(ctx, d, c, rest)
        try:
            updates = self.parse_answer(step, ctx.text, d, c)
        except (StoreError, DateParseError) as exc:
            return await self._advance(ctx, d, c, [ct.error_text(exc)], prefer=step)
        except _SayError as exc:
            return await self._advance(ctx, d, c, [str(exc)], prefer=step)
        d.update(updates)
        return await self._settle(ctx, d, c, [], step)

    async def confirm(self, ctx: Context) -> Reply:
        """At the summary: 确认 submits, 修改 <字段> edits (取消 is the common cancel)."""
        data = self.flow.data(ctx)
        d, c = dict(data["d"]), data["c"]
        text = ctx.text.strip().rstrip("。.!！")
        if text.lower() in ct.CONFIRM_WORDS:
            return await self.submit(ctx, d, c)
        for word in ct.EDIT_WORDS:
            if text.startswith(word):
                return await self.edit(ctx, d, c, text[len(word) :].strip())
        return await self._advance(ctx, d, c, [ct.NOT_UNDERSTOOD], prefer=Step.CONFIRM)

    async def edit(self, ctx: Context, d: dict[str, Any], c: dict[str, Any], rest: str) -> Reply:
        """ "修改 地点" asks for the place again; "修改 地点 村委会" sets it at once."""
        for word in sorted(ct.EDIT_FIELDS, key=len, reverse=True):
            if rest.startswith(word):
                step = Step(ct.EDIT_FIELDS[word])
                value = _edit_value(rest[len(word) :])
                if step is Step.GROUP and not self._needs_group(d, c):
                    break
                if step is Step.ABSENTEES and _gap(d) == 0:
                    return await self._advance(ctx, d, c, [ct.NO_ABSENTEES], prefer=Step.CONFIRM)
                if word == "人数":
                    d["present"] = None
                if not value:
                    return await self._advance(ctx, d, c, [], prefer=step)
                try:
                    d.update(self.parse_answer(step, value, d, c))
                except (StoreError, DateParseError) as exc:
                    return await self._advance(ctx, d, c, [ct.error_text(exc)], prefer=step)
                except _SayError as exc:
                    return await self._advance(ctx, d, c, [str(exc)], prefer=step)
                return await self._settle(ctx, d, c, [], step)
        return await self._advance(ctx, d, c, [ct.EDIT_WHICH], prefer=Step.CONFIRM)

    async def submit(self, ctx: Context, d: dict[str, Any], c: dict[str, Any]) -> Reply:
        """Write the record and clear the state in one transaction."""
        draft = checkins.RecordDraft(
            type_code=d["type_code"],
            held_on=date.fromisoformat(d["held_on"]),
            start_time=time.fromisoformat(d["time"]) if d.get("time") else None,
            place=d.get("place") or "",
            host=d.get("host") or "",
            recorder=d.get("recorder") or "",
            topic=d.get("topic") or "",
            expected=d["expected"],
            present=d["present"],
            absentees=[checkins.AbsenteeIn(name=a["name"], reason=a["reason"]) for a in d.get("absentees") or []],
            summary=d.get("summary") or "",
            decisions=d.get("decisions") or "",
            photos=[checkins.PhotoIn(**p) for p in d.get("photos", [])],
            group_id=d.get("group_id"),
            also_counts_as=d.get("also_counts_as"),
        )
        try:
            view = await self.store.call(
                _submit_work,
                openid=ctx.user_id,
                draft=draft,
                clear_state=self.state_in_store,
                branch_id=c.get("branch_id"),
            )
        except DuplicateRecordError as exc:
            return await self._end(ctx, exc)
        except StoreError as exc:
            if exc.code in _FATAL:
                return await self._end(ctx, exc)
            step = self._clear_for(exc, d, Step.CONFIRM)
            return await self._advance(ctx, d, c, [self._refusal(exc)], prefer=step)
        if self.state_in_store:
            ctx.state = None  # deleted in the record's transaction
        else:
            await ctx.clear_state()
        lines = [ct.SUBMITTED, ct.record_summary(view)]
        lines.append(ct.SUBMITTED_CONFIRMED if view.status == "confirmed" else ct.SUBMITTED_PENDING)
        if view.late:
            lines.append(ct.SUBMITTED_LATE)
        if warning := ct.quorum_warning(view):
            lines.append(warning)
        lines.append(ct.PHOTO_LATER.format(minutes=round(self.settings.checkin_photo_window_s / 60)))
        log.info("check-in %s submitted by %s (%s)", view.id, ctx.user_id, view.status)
        return Reply("\n".join(lines))

    async def photo(self, ctx: Context) -> Reply:
        """An image during the conversation: kept with the draft."""
        step = self.flow.step_of(ctx) or Step.CONFIRM
        data = self.flow.data(ctx)
        d, c = dict(data["d"]), data["c"]
        photos: list[dict[str, str]] = list(d.get("photos", []))
        entry = {
            "media_id": ctx.inbound.media_id or ctx.inbound.pic_url,
            "sha256": _media_hash(ctx.inbound.media_id, ctx.inbound.pic_url),
        }
        if entry["sha256"] not in {p["sha256"] for p in photos}:
            if len(photos) >= self.settings.checkin_max_photos:
                text = ct.TOO_MANY_PHOTOS.format(limit=self.settings.checkin_max_photos)
                return await self._advance(ctx, d, c, [text], prefer=step)
            photos.append(entry)
        d["photos"] = photos
        return await self._advance(ctx, d, c, [ct.PHOTO_ADDED.format(count=len(photos))], prefer=step)

    async def photo_after_submit(self, ctx: Context) -> Reply:
        """An image outside a conversation: attached to the record this user submitted just before."""
        since = utcnow() - timedelta(seconds=self.settings.checkin_photo_window_s)
        try:
            view = await self.store.call(checkins.latest_submission, openid=ctx.user_id, since=since)
        except StoreError:
            view = None
        if view is None:
            return Reply(ct.PHOTO_NO_RECORD)
        photo = checkins.PhotoIn(
            media_id=ctx.inbound.media_id or ctx.inbound.pic_url,
            sha256=_media_hash(ctx.inbound.media_id, ctx.inbound.pic_url),
        )
        try:
            view = await self.store.call(checkins.add_photo, openid=ctx.user_id, record_id=view.id, photo=photo)
        except StoreError as exc:
            return Reply(ct.error_text(exc))
        return Reply(
            ct.PHOTO_ATTACHED.format(when=ct.short_date(view.held_on), type_name=view.type_name, count=len(view.photos))
        )

    async def already(self, ctx: Context) -> Reply:
        """ "签到" again in the middle of a check-in: say so and repeat the question."""
        step = self.flow.step_of(ctx) or Step.CONFIRM
        data = self.flow.data(ctx)
        d, c = dict(data["d"]), data["c"]
        return await self._advance(ctx, d, c, [ct.ALREADY_IN_CHECKIN], prefer=step)

    async def expired(self, ctx: Context) -> Reply:
        """A message for a check-in past ``conversation_ttl_s``: say it lapsed (or start afresh)."""
        await ctx.clear_state()
        match = entry_filter(ctx)
        if isinstance(match, dict):
            ctx.data.update(match)
            return await self.start(ctx, prefix=ct.EXPIRED_RESTART)
        return Reply(ct.EXPIRED.format(minutes=round(self.settings.conversation_ttl_s / 60)))
