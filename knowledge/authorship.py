"""Who wrote or presented a document ("在论坛上介绍宁德经验的是谁"): answered from its by-line.

The corpus documents are speeches and reports with an author in their header (metadata.py keeps it).
A question asking for a name is otherwise refused — the documents do not name the officials they
mention — but a question asking who spoke or wrote is about the document itself. The answer quotes the
document's own sentence naming the author when it has one ("我是来自…的代表某某"), so it stays verbatim.
"""

from __future__ import annotations

import re

from knowledge.clauses import Span
from knowledge.documents import Document

# "是谁", "叫啥", "叫什么名字", "哪位", "哪个单位写的": a name is asked for.
NAME_ASK_RE = re.compile(
    r"是谁|叫啥|叫什么|哪位|哪个领导|哪个人|哪个[\u4e00-\u9fff]{0,4}?(?:部长|书记|领导|同志|代表|常委)|谁(?:拍|照|摄|写|编)|哪(?:个|家)(?:单位|部门)|什么单位"
    # "介绍…的是郭学斌部长，对吧": a name heard, to be checked against the by-line.
    r"|的是[\u4e00-\u9fff]{2,4}?(?:部长|书记|同志|主任|县长|市长|代表)?[，,]?\s*(?:对|是|没错|对不对|是不是)[吗吧]?[？?。！!\s]*$"
)
# ...and it is the name of whoever spoke or wrote.
SPOKEN_RE = re.compile(r"发言|讲话|介绍|交流|作者|撰写|署名|执笔|演讲|写的|写了|报告|讲的|上台|讲“|上讲")
_SENTENCE_RE = re.compile(r"[^。！？!?；;]*[。！？!?；;]?")


def asks_for_author(question: str) -> bool:
    """Does ``question`` ask who spoke or wrote (a document's author)?"""
    return bool(NAME_ASK_RE.search(question) and SPOKEN_RE.search(question))


def author_names(author: str | None) -> list[str]:
    """The names in a by-line ("凤庆县委组织部 李恒昌 王强龙" → three); one character names nobody."""
    return [n for n in (author or "").split() if len(n) >= 2]


def author_sentence(doc: Document) -> tuple[int, Span] | None:
    """The first content sentence naming one of ``doc``'s authors: (1-based paragraph, its span)."""
    names = author_names(doc.meta.author)
    for number, paragraph in enumerate(doc.paragraphs, start=1):
        for m in _SENTENCE_RE.finditer(paragraph):
            if m.group().strip() and any(n in m.group() for n in names):
                return number, Span(m.start(), m.end())
    return None
