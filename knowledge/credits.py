"""Questions about a document itself: when it was published, who edited it, who took its photo, who
wrote it, where it appeared ("这篇报道是哪天发布的", "这篇案例的责任编辑是谁", "发言的照片是谁拍的").

Such a question is not about policy, and no content sentence answers it: the answer is in the document's
credit lines (the date line, by-line, editor line and photo credit), which the cleaner takes out of the
content and metadata.py keeps as written (``DocumentMeta.credits``). The answer quotes the line, so it
stays verbatim; a document whose lines do not say is not answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from knowledge.authorship import NAME_ASK_RE, SPOKEN_RE, asks_for_author, author_names
from knowledge.documents import DocumentMeta

CreditKind = Literal["date", "editor", "photo", "author", "publisher", "role", "occasion"]

# The question is about a piece of writing, not about what it reports.
_DOCUMENT_RE = re.compile(r"这篇|这份|文章|报道|稿子|稿件|发言稿|讲话稿|案例|新闻|文稿|通讯")
_PUBLISHED_RE = re.compile(r"发布|发表|刊发|刊登|刊载|登出|登的|发的|发出|推送|上网|发在|登在|见报")
_WHEN_RE = re.compile(r"哪天|哪一天|哪日|什么时间|什么时候|啥时候|几号|哪年|何时|日期|时间是")
_EDITOR_ASK_RE = re.compile(r"责任编辑|责编|编辑")
_PHOTO_ASK_RE = re.compile(r"照片|图片|配图|相片|拍摄|摄影|谁拍|谁照")
# "在论坛上介绍宁德经验的郭学斌担任什么职务": the post of the author the question names (service.py checks
# the name against the document's author).
ROLE_ASK_RE = re.compile(r"职务|职位|什么官|担任什么|任什么职|什么身份|啥身份|什么头衔")
# "五抓五促的经验是在哪个论坛上交流的": the occasion a speech was given at, told by the page's kicker line.
_OCCASION_ASK_RE = re.compile(r"(?:哪个|什么|哪次|哪一届|哪届)(?:论坛|会议|大会|研讨会|座谈会|场合)")
# "郭学斌在论坛上发言是哪天": a speech's day is its page's date.
_SPEECH_RE = re.compile(r"发言|讲话|演讲")
_SOURCE_ASK_RE = re.compile(r"来源(?:是|于)|出自|哪个网站|哪家网站|什么网站|哪家媒体|哪个媒体|发在哪|登在哪")

# What the lines say, as written.
_DATE_RE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
_FIELD_END = r"(?=\s*(?:[|｜)）]|发布时间|来源|作者|责任编辑|点击|$))"
_EDITOR_RE = re.compile(r"(?:责任编辑|责编|编辑)\s*[:：]\s*(?P<value>[^|｜)）]+?)" + _FIELD_END)
_AUTHOR_RE = re.compile(r"作者\s*[:：]\s*(?P<value>[^|｜]+?)" + _FIELD_END)
_SOURCE_RE = re.compile(r"来源\s*[:：]\s*(?P<value>[^|｜\s]+)")
_PHOTO_RE = re.compile(r"(?P<value>[^\s。，,；;]{2,20}?)\s*摄\s*[)）]?$")
_OCCASION_RE = re.compile(r"论坛|会议|大会|研讨会|座谈会|交流发言|经验交流|典型发言")


@dataclass(frozen=True, slots=True)
class Credit:
    """What a credit line says: the line as written and the date or name asked for in it."""

    kind: CreditKind
    line: str
    value: str


def credit_asked(question: str) -> CreditKind | None:
    """Which credit of a document ``question`` asks for, if it asks about the document itself."""
    if _EDITOR_ASK_RE.search(question) and NAME_ASK_RE.search(question):
        return "editor"
    if _PHOTO_ASK_RE.search(question) and NAME_ASK_RE.search(question):
        return "photo"
    if _OCCASION_ASK_RE.search(question) and SPOKEN_RE.search(question):
        return "occasion"
    if _SPEECH_RE.search(question) and _WHEN_RE.search(question):
        return "date"
    if not _DOCUMENT_RE.search(question):
        return None
    if _PUBLISHED_RE.search(question) and _WHEN_RE.search(question):
        return "date"
    if asks_for_author(question):
        return "author"
    if _SOURCE_ASK_RE.search(question):
        return "publisher"
    return None


_PATTERNS: dict[CreditKind, re.Pattern[str]] = {
    "date": _DATE_RE,
    "editor": _EDITOR_RE,
    "author": _AUTHOR_RE,
    "publisher": _SOURCE_RE,
    "photo": _PHOTO_RE,
    "occasion": _OCCASION_RE,
}


def find_credit(meta: DocumentMeta, kind: CreditKind) -> Credit | None:
    """The first of ``meta``'s credit lines saying ``kind``, with what it says; None when none does."""
    if kind == "role":
        # The by-line or caption naming the author with their post ("福建省宁德市委常委、组织部长 郭学斌").
        names = author_names(meta.author)
        line = next((c for c in meta.credits if any(n in c and len(c) > len(n) + 2 for n in names)), None)
        return Credit(kind, line, line) if line else None
    pattern = _PATTERNS[kind]
    for line in meta.credits:
        if (m := pattern.search(line)) is not None:
            value = m.groupdict().get("value") or m.group()
            return Credit(kind, line, value.strip())
    return None


def credit_fact(title: str, credit: Credit) -> str:
    """The answer's first line for ``credit`` of the document titled ``title``."""
    facts: dict[CreditKind, str] = {
        "date": f"《{title}》发布于{credit.value}",
        "editor": f"《{title}》的责任编辑是{credit.value}",
        "photo": f"《{title}》的照片署名为“{credit.value} 摄”",
        "author": f"《{title}》的作者是{credit.value}",
        "publisher": f"《{title}》的来源是{credit.value}",
        "role": f"《{title}》署名：{credit.value}",
        "occasion": f"《{title}》是{credit.line}",
    }
    return facts[credit.kind]
