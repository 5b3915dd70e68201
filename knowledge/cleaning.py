"""Web-page leftovers out, content lines kept: line-level cleaning of raw document text.

Every rule is anchored to a whole (short) line, so a content paragraph that merely mentions 微信 or
打印 is never touched. Removed lines are returned with their kind, so metadata (date, source, author)
can still be read from them. Inside a kept line only whitespace is normalised; no other character is
rewritten, so a quote taken from a cleaned paragraph is verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

RemovedKind = Literal[
    "breadcrumb",
    "toolbar",
    "share",
    "editor",
    "source",
    "nav",
    "keywords",
    "publication",
    "caption",
    "greeting",
]

# Spaces that web pages and word processors use besides the ASCII one; zero-width ones are dropped.
_SPACES_RE = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]+")
_ZERO_WIDTH_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_MULTI_SPACE_RE = re.compile(r" {2,}")

# A line is only a leftover when it is short: long lines are content whatever they start with.
_SHORT = 60
_MEDIUM = 160

_BREADCRUMB_RE = re.compile(
    r"^(?:(?:您|你)?(?:当前|现在)?(?:所在)?(?:的)?位置\s*[:：]"
    r"|(?:网站)?首页\s*(?:>{1,2}|»|›|＞|→|/)"
    r"|[^。，,；;！？]{1,40}(?:>>|»|›|＞| > )\s*\S[^。，,；;！？]{0,40}$)"
)
_TOOLBAR_RE = re.compile(
    r"^(?:\s|[|｜丨/]|\[+[^\[\]]{1,8}\]+|【[^【】]{1,8}】|打印本页|关闭本页|关闭窗口|打印文章|打印|收藏本页|"
    r"加入收藏|收藏|分享到[:：]?|分享|返回顶部|返回列表|返回首页|字体[:：]?|字号[:：]?|[大中小]|TT|默认|放大|缩小|关闭)+$"
)
_SHARE_RE = re.compile(
    r"^(?:用?微信|手机|微博|QQ)?\s*[“\"「]?(?:扫一扫|扫描二维码|扫码|长按二维码|长按识别)|^分享到"
)
_EDITOR_RE = re.compile(
    r"^[（(【\[]?\s*(?:责任编辑|责编|编辑|审核|审校|校对|监制|值班编辑|主编|签发|终审|初审|复审|编审)\s*[:：]"
)
_SOURCE_RE = re.compile(r"^(?:(?:文章|稿件|信息|新闻)?来源|原文链接|本文链接|原文地址)\s*[:：]|^https?://\S+$")
_NAV_RE = re.compile(
    r"^(?:上一篇|下一篇|上一条|下一条|上一页|下一页|相关阅读|相关新闻|相关文章|延伸阅读|推荐阅读)\s*[:：]?"
)
_KEYWORDS_RE = re.compile(r"^(?:关键词|关键字|标签|Tags?)\s*[:：]", re.IGNORECASE)
# Photo captions: "……发言。人民网某某 摄", "（记者 某某 摄）"; not a heading ending in 拍摄/航摄.
_CAPTION_RE = re.compile(r"^(?:.{0,100}[^拍航摄\s]\s*摄\s*[)）]?|图为.{0,80}[^。！？])$")
_GREETING_LINE_RE = re.compile(r"^(?:尊敬的.{1,40}|各位(?:领导|代表|同志|来宾).{0,30})[:：]$")
# A greeting sentence opening a speech's first paragraph ("大家好。我是……"): trimmed off the line.
_GREETING_HEAD_RE = re.compile(r"^(?:大家好|同志们好|各位好|朋友们好)[！!。，,]\s*")

# Publication lines: a run of "label: value" fields, optionally after a date ("2018年01月08日10:31
# 来源:…", "作者:… 发布时间:… 点击率:0"). Only strong labels may open such a line: a meeting record's
# "时间：…" is content.
_OPENING_LABELS = (
    "发布时间|发布日期|发表时间|更新时间|文章来源|稿件来源|信息来源|来源|作者|责任编辑|点击率|点击数|"
    "点击量|浏览次数|浏览量|阅读量|阅读数"
)
_ANY_LABELS = f"{_OPENING_LABELS}|责编|编辑|日期|时间|点击|阅读"
_OPENING_RE = re.compile(_OPENING_LABELS)
_FIELD_RE = re.compile(rf"(?:^|(?<=[\s|｜丨]))(?P<label>{_ANY_LABELS})\s*[:：]")
_DATE_HEAD_RE = re.compile(
    r"^\d{4}\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[-/.]\d{1,2}[-/.]\d{1,2})\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?"
)
_CANONICAL = {
    "发布时间": "date",
    "发布日期": "date",
    "发表时间": "date",
    "更新时间": "date",
    "日期": "date",
    "时间": "date",
    "来源": "source",
    "文章来源": "source",
    "稿件来源": "source",
    "信息来源": "source",
    "作者": "author",
    "责任编辑": "editor",
    "责编": "editor",
    "编辑": "editor",
}


@dataclass(frozen=True, slots=True)
class RemovedLine:
    """A line taken out of the content: where it was (index into the input lines), why, and its text."""

    index: int
    kind: RemovedKind
    text: str


@dataclass(frozen=True, slots=True)
class CleanedText:
    """Content lines (whitespace-normalised, non-empty) and what was removed."""

    lines: tuple[str, ...]
    line_index: tuple[int, ...]  # input line number of each kept line
    removed: tuple[RemovedLine, ...]


def normalize_whitespace(line: str) -> str:
    """Unusual spaces to ASCII spaces, runs collapsed, zero-width characters dropped, ends trimmed."""
    line = _ZERO_WIDTH_RE.sub("", line)
    line = _SPACES_RE.sub(" ", line)
    return _MULTI_SPACE_RE.sub(" ", line).strip()


def meta_fields(line: str) -> list[tuple[str, str]] | None:
    """Parse a publication line into (field, value) pairs; None when the line is not one.

    Fields are 'date', 'source', 'author', 'editor' or 'other' (click counts …); a leading date
    without a label is returned as ('date', …). Values may be empty ("发布时间:" with nothing after).
    """
    if len(line) > _MEDIUM or "。" in line:
        return None
    head = _DATE_HEAD_RE.match(line)
    rest_start = head.end() if head else 0
    fields = list(_FIELD_RE.finditer(line, rest_start))
    if head is None:
        if not fields or fields[0].start() != 0 or not _OPENING_RE.fullmatch(fields[0]["label"]):
            return None
    elif line[rest_start:].strip() and (not fields or line[rest_start : fields[0].start()].strip()):
        return None  # a date followed by prose is a sentence, not a publication line
    out: list[tuple[str, str]] = []
    if head is not None:
        out.append(("date", head.group(0).strip()))
    for i, field in enumerate(fields):
        end = fields[i + 1].start() if i + 1 < len(fields) else len(line)
        value = line[field.end() : end].strip(" |｜丨")
        out.append((_CANONICAL.get(field["label"], "other"), value))
    return out


def classify_line(line: str) -> RemovedKind | None:
    """The kind of page leftover a (whitespace-normalised) line is, or None when it is content."""
    if not line:
        return None
    n = len(line)
    if n <= _SHORT and _TOOLBAR_RE.match(line):
        return "toolbar"
    if n <= _SHORT and _EDITOR_RE.match(line):
        return "editor"
    if n <= _MEDIUM and _SOURCE_RE.match(line):
        return "source"
    if n <= _MEDIUM and meta_fields(line) is not None:
        return "publication"
    rules: tuple[tuple[re.Pattern[str], int, RemovedKind], ...] = (
        (_BREADCRUMB_RE, 80, "breadcrumb"),
        (_SHARE_RE, _SHORT, "share"),
        (_NAV_RE, 80, "nav"),
        (_KEYWORDS_RE, 100, "keywords"),
        (_GREETING_LINE_RE, _SHORT, "greeting"),
    )
    for pattern, limit, kind in rules:
        if n <= limit and pattern.match(line):
            return kind
    if n <= 120 and not line.endswith(("。", "！", "？", "；")) and _CAPTION_RE.match(line):
        return "caption"
    return None


def clean_lines(lines: Iterable[str]) -> CleanedText:
    """Normalise each line's whitespace, drop empty lines and page leftovers, keep the rest in order."""
    kept: list[str] = []
    kept_index: list[int] = []
    removed: list[RemovedLine] = []
    for index, raw in enumerate(lines):
        line = normalize_whitespace(raw)
        if not line:
            continue
        kind = classify_line(line)
        if kind is not None:
            removed.append(RemovedLine(index, kind, line))
            continue
        greeting = _GREETING_HEAD_RE.match(line)
        if greeting and greeting.end() < len(line):
            removed.append(RemovedLine(index, "greeting", line[: greeting.end()].strip()))
            line = line[greeting.end() :]
        elif greeting:
            removed.append(RemovedLine(index, "greeting", line))
            continue
        kept.append(line)
        kept_index.append(index)
    return CleanedText(tuple(kept), tuple(kept_index), tuple(removed))


def clean_text(raw: str) -> CleanedText:
    """``clean_lines`` over the lines of a raw text (any newline convention)."""
    return clean_lines(raw.splitlines())
