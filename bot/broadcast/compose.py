"""Pure helpers: the 「通知」 command syntax, length limits and template fields (no I/O).

Syntax (docs/broadcasts.md)::

    通知 <正文>                      whole branch (county/township staff: their whole subtree)
    通知 <党小组名> <正文>            one 党小组 of the branch, e.g. 通知 第一党小组 明晚7点学习
    通知 未签到 <活动> <正文>         members recorded absent from the activity this period,
                                     e.g. 通知 未签到 主题党日 请于周五前补学
    通知 <支部/党委名> <正文>         staff only: one organisation of their subtree

The target word is separated from the text by a space, a colon or a comma.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

NOTICE_RE = re.compile(r"^\s*通知(?:[\s\u3000:：]+(?P<rest>.*))?$", re.DOTALL)
_TARGET_RE = re.compile(r"^(?P<word>[^\s\u3000:：,，]+)(?:[\s\u3000:：,，]+(?P<body>.*))?$", re.DOTALL)
ABSENT_WORDS = ("未签到", "未参加", "缺席", "没签到", "没参加")
ORG_SUFFIXES = ("党支部", "支部", "党委", "党总支", "总支")
GROUP_SUFFIXES = ("党小组", "小组")

# Chinese names (and usual short forms) of the seeded activity types.
ACTIVITY_ALIASES: dict[str, str] = {
    "主题党日": "theme_day",
    "党日": "theme_day",
    "党员大会": "general_meeting",
    "支部党员大会": "general_meeting",
    "支委会": "committee",
    "支部委员会": "committee",
    "党小组会": "group_meeting",
    "小组会": "group_meeting",
    "党课": "lecture",
    "组织生活会": "life_meeting",
}


@dataclass(frozen=True, slots=True)
class NoticeCommand:
    """A parsed 「通知」: ``kind`` is ``all``, ``group``, ``absent`` or ``org``; ``word`` the target word
    (group or organisation name, or the activity name for ``absent``)."""

    kind: str
    body: str
    word: str = ""

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "body": self.body, "word": self.word}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> NoticeCommand:
        return cls(kind=str(data["kind"]), body=str(data["body"]), word=str(data.get("word", "")))


def parse_notice(text: str) -> NoticeCommand | None:
    """``通知 …`` → :class:`NoticeCommand`; None when ``text`` is not a notice command at all.

    ``通知`` alone gives an empty body (the caller explains the syntax)."""
    m = NOTICE_RE.match(text)
    if m is None:
        return None
    rest = (m.group("rest") or "").strip()
    t = _TARGET_RE.match(rest)
    if t is None:
        return NoticeCommand(kind="all", body=rest)
    word, body = t.group("word"), (t.group("body") or "").strip()
    if word in ABSENT_WORDS:
        a = _TARGET_RE.match(body)
        if a is None:
            return NoticeCommand(kind="absent", body="", word="")
        return NoticeCommand(kind="absent", body=(a.group("body") or "").strip(), word=a.group("word"))
    if word.endswith(GROUP_SUFFIXES):
        return NoticeCommand(kind="group", body=body, word=word)
    if word.endswith(ORG_SUFFIXES):
        return NoticeCommand(kind="org", body=body, word=word)
    return NoticeCommand(kind="all", body=rest)


def clean_body(text: str) -> str:
    """Control characters dropped (line breaks kept), trailing spaces trimmed."""
    kept = "".join(ch for ch in text if ch in "\n\t" or ch >= " ")
    lines = [line.rstrip() for line in kept.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()


def one_line(text: str) -> str:
    """All whitespace (line breaks included) collapsed to single spaces."""
    return " ".join(text.split())


def fit(text: str, max_chars: int) -> str:
    """One line of at most ``max_chars`` characters; cut text ends with "…" (template fields, lists)."""
    flat = one_line(text)
    if max_chars <= 0:
        return ""
    if len(flat) <= max_chars:
        return flat
    return flat[: max_chars - 1].rstrip() + "…"


def compose_text(*, org_name: str, content: str, sender_name: str) -> str:
    """The customer-service / mass-send text of a notice."""
    head = f"【{org_name}通知】" if org_name else "【通知】"
    tail = f"\n——{sender_name}" if sender_name else ""
    return f"{head}\n{content}{tail}"


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def fit_bytes(text: str, max_bytes: int, *, ellipsis: str = "…") -> str:
    """``text`` cut (at a character boundary) so that its UTF-8 form is at most ``max_bytes``."""
    if utf8_len(text) <= max_bytes:
        return text
    budget = max_bytes - utf8_len(ellipsis)
    out = text.encode("utf-8")[: max(budget, 0)].decode("utf-8", errors="ignore")
    return out + ellipsis


def template_data(
    fields: Mapping[str, str],
    *,
    summary: str,
    org: str,
    sender: str,
    kind: str,
    at: datetime,
    tz: str,
    max_chars: int,
) -> dict[str, str]:
    """Template field values from the mapping ``field -> source`` (settings.template_fields).

    Every value is one line of at most ``max_chars`` characters (platform rule since 2023-05: ≤ 20
    characters, no line breaks); an empty value becomes "-" (the platform refuses empty fields)."""
    local = at.astimezone(ZoneInfo(tz))
    sources = {
        "summary": summary,
        "org": org,
        "sender": sender,
        "kind": kind,
        "time": local.strftime("%Y年%m月%d日 %H:%M"),
        "date": local.strftime("%Y年%m月%d日"),
    }
    out: dict[str, str] = {}
    for name, source in fields.items():
        value = source[5:] if source.startswith("text:") else sources.get(source, "")
        out[name] = fit(value, max_chars) or "-"
    return out
