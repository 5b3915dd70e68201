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

from knowledge.authorship import NAME_ASK_RE, asks_for_author
from knowledge.documents import DocumentMeta

CreditKind = Literal["date", "editor", "photo", "author", "publisher"]

# The question is about a piece of writing, not about what it reports.
_DOCUMENT_RE = re.compile(r"这篇|这份|文章|报道|稿子|稿件|发言稿|讲话稿|案例|新闻|文稿|通讯")
_PUBLISHED_RE = re.compile(r"发布|发表|刊发|刊登|刊载|登出|登的|发的|发出|推送|上网|发在|登在|见报")
_WHEN_RE = re.compile(r"哪天|哪一天|哪日|什么时间|什么时候|啥时候|几号|哪年|何时|日期|时间是")
_EDITOR_ASK_RE = re.compile(r"责任编辑|责编|编辑")
_PHOTO_ASK_RE = re.compile(r"照片|图片|配图|相片|拍摄|摄影|谁拍|谁照")
_SOURCE_ASK_RE = re.compile(r"来源(?:是|于)|出自|哪个网站|哪家网站|什么网站|哪家媒体|哪个媒体|发在哪|登在哪")

# What the lines say, as written.
_DATE_RE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
_FIELD_END = r"(?=\s*(?:[|｜)）]|发布时间|来源|作者|责任编辑|点击|$))"
_EDITOR_RE = re.compile(r"(?:责任编辑|责编|编辑)\s*[:：]\s*(?P<value>[^|｜)）]+?)" + _FIELD_END)
_AUTHOR_RE = re.compile(r"作者\s*[:：]\s*(?P<value>[^|｜]+?)" + _FIELD_END)
_SOURCE_RE = re.compile(r"来源\s*[:：]\s*(?P<value>[^|｜\s]+)")
_PHOTO_RE = re.compile(r"(?P<value>[^\s。，,；;]{2,20}?)\s*摄\s*[)）]?$")


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
}


def find_credit(meta: DocumentMeta, kind: CreditKind) -> Credit | None:
    """The first of ``meta``'s credit lines saying ``kind``, with what it says; None when none does."""
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
    }
    return facts[credit.kind]
