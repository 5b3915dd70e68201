"""Document metadata (title, date, publisher, author, place) and content paragraphs from raw text.

Works on plain text, markdown and text derived from HTML/DOCX/PDF. Decisions:

* Title: the first heading-like line of the header (the short lines before the first paragraph),
  skipping kicker lines ("第四届…论坛交流发言", "【专栏】") and by-lines ("…组织部长 某某"). A subtitle
  line opening with "——" is appended to the title (it usually names the place: "…——某某县全力推动…");
  kicker and by-line are dropped. Without any header line the title is the file name's stem.
* Date: from publication lines ("发布时间:2021-09-26 12:07:34", "2018年01月08日10:31 来源:…"), as ISO;
  an empty "发布时间:" gives None.
* Publisher: the "来源:" value; a URL source gives its host ("www.71.cn").
* Markdown: an optional front matter block (title, date, source/publisher, author, place) and the first
  "# " heading as title; other headings are kept as their own short paragraphs (their words help
  retrieval and a user may ask what a section is about); unordered list markers become "- ", ordered
  ones ("1.") are kept; emphasis, links, images and inline code are reduced to their text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import PurePath
from urllib.parse import urlsplit

from knowledge.cleaning import CleanedText, clean_lines, meta_fields, normalize_whitespace
from knowledge.documents import DocumentMeta, Place
from knowledge.places import detect_place

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown"})

_HEADER_MAX_LINES = 6
_HEADING_MAX_CHARS = 64

_DATE_RES = (
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"),
)
_SUBTITLE_RE = re.compile(r"^(?:——|—|--)\s*\S")
_KICKER_RE = re.compile(
    r"^(?:第[一二三四五六七八九十百\d]+(?:届|次|期)\S*"
    r"|\S*(?:交流发言|典型发言|发言摘登|经验交流|论坛|研讨会|座谈会|专栏|栏目|专题)"
    r"|【[^】]{1,12}】)$"
)
_POSITIONS = (
    "书记|部长|常委|主任|局长|县长|市长|州长|省长|主席|委员|处长|科长|镇长|乡长|组长|记者|通讯员|代表"
)
_BYLINE_RES = (
    re.compile(rf"^[^，。,；]{{2,36}}?(?:{_POSITIONS})\s+(?P<name>[\u4e00-\u9fff·]{{2,4}})$"),
    re.compile(r"^(?:文|作者|记者|通讯员)\s*[/／|｜]\s*(?P<name>[^，。,]{2,20})$"),
)
# Section headings open the content: they are never the document title.
_SECTION_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十百\d]+[章节条部分]|\d+[.、．]\D)"
)

# Markdown syntax.
_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(?P<body>.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_MD_HEADING_RE = re.compile(r"^ {0,3}(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_MD_SETEXT_RE = re.compile(r"^ {0,3}(?P<bar>=+|-+)\s*$")
_MD_RULE_RE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_MD_BULLET_RE = re.compile(r"^\s*[-*+]\s+(?P<text>.*)$")
_MD_ORDERED_RE = re.compile(r"^\s*(?P<num>\d{1,3}[.)])\s+(?P<text>.*)$")
_MD_QUOTE_RE = re.compile(r"^\s*>\s?")
_MD_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_MD_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"<[^>\n]+>"), ""),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\*)"), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),
)
_CJK_END_RE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’]$")
_CJK_START_RE = re.compile(r"^[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’]")

_FRONT_KEYS = {
    "title": "title",
    "标题": "title",
    "date": "date",
    "日期": "date",
    "发布时间": "date",
    "source": "publisher",
    "publisher": "publisher",
    "来源": "publisher",
    "author": "author",
    "作者": "author",
    "place": "place",
    "region": "place",
    "地区": "place",
    "地点": "place",
}


def parse_date(text: str) -> str | None:
    """The first valid calendar date in ``text`` as 'YYYY-MM-DD' ("2016/9/2 8:51:02" -> '2016-09-02')."""
    for pattern in _DATE_RES:
        for m in pattern.finditer(text):
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                continue
    return None


def publisher_from_source(value: str) -> str | None:
    """A "来源:" value as a publisher name; a URL gives its host."""
    value = value.strip()
    if not value:
        return None
    if re.match(r"^(?:https?://|www\.)", value, re.IGNORECASE):
        host = urlsplit(value if "://" in value else f"http://{value}").hostname
        return host or None
    return value


def join_wrapped(lines: Iterable[str]) -> str:
    """Join lines of one wrapped paragraph: nothing between Chinese characters, a space between words."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out and not (_CJK_END_RE.search(out) or _CJK_START_RE.search(line)):
            out += " "
        out += line
    return out


def _markdown_inline(text: str) -> str:
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return text.strip()


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """A leading '---' block of 'key: value' lines (simple YAML subset) and the text after it."""
    m = _FRONT_MATTER_RE.match(text.lstrip("\ufeff"))
    if not m:
        return {}, text
    fields: dict[str, str] = {}
    for line in m.group("body").splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            key, sep, value = line.partition("：")
        canonical = _FRONT_KEYS.get(key.strip().lower())
        if sep and canonical:
            fields[canonical] = value.strip().strip("'\"")
    return fields, text.lstrip("\ufeff")[m.end() :]


def markdown_to_lines(body: str) -> tuple[list[str], str | None]:
    """Markdown body to one line per paragraph/heading/list item/table row, and its first '# ' heading."""
    lines: list[str] = []
    title: str | None = None
    block: list[str] = []
    in_fence = False

    def flush() -> None:
        if block:
            text = _markdown_inline(join_wrapped(block))
            if text:
                lines.append(text)
            block.clear()

    for raw in body.splitlines():
        if _MD_FENCE_RE.match(raw):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            if raw.strip():
                lines.append(raw.strip())
            continue
        line = _MD_QUOTE_RE.sub("", raw)
        setext = _MD_SETEXT_RE.match(line)
        if setext and len(block) == 1:
            # "Title\n=====" is a heading, "---" under text a level-2 heading.
            text = _markdown_inline(block.pop())
            if setext.group("bar").startswith("=") and title is None:
                title = text
            elif text:
                lines.append(text)
            continue
        if not line.strip() or _MD_RULE_RE.match(line):
            flush()
            continue
        heading = _MD_HEADING_RE.match(line)
        if heading:
            flush()
            text = _markdown_inline(heading.group("text"))
            if len(heading.group("hashes")) == 1 and title is None:
                title = text
            elif text:
                lines.append(text)
            continue
        if line.lstrip().startswith("|"):
            flush()
            if not _MD_TABLE_SEP_RE.match(line):
                cells = [_markdown_inline(c) for c in line.strip().strip("|").split("|")]
                row = " | ".join(c for c in cells if c)
                if row:
                    lines.append(row)
            continue
        bullet = _MD_BULLET_RE.match(line)
        ordered = _MD_ORDERED_RE.match(line)
        if bullet or ordered:
            flush()
            if bullet:
                block.append("- " + bullet.group("text"))
            elif ordered:
                block.append(f"{ordered.group('num')} {ordered.group('text')}")
            continue
        block.append(line)
    flush()
    return lines, title


def _same_title(a: str, b: str) -> bool:
    a2, b2 = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    return bool(a2) and bool(b2) and (a2 == b2 or (len(a2) >= 6 and (a2 in b2 or b2 in a2)))


def _is_heading_like(line: str) -> bool:
    return len(line) <= _HEADING_MAX_CHARS and "。" not in line and not re.search(r"[；;！？!?]$", line)


def _split_header(
    lines: list[str], title_hint: str | None
) -> tuple[str | None, str | None, list[str], list[str]]:
    """Find the title (with subtitle) and a by-line author in the header; return the content lines, and
    the kicker and by-line lines as written (the occasion and the author's post: credits.py answers
    "在哪个论坛上交流的", "郭学斌担任什么职务" from them)."""
    header_len = 0
    while header_len < min(len(lines), _HEADER_MAX_LINES) and _is_heading_like(lines[header_len]):
        if _SECTION_RE.match(lines[header_len]):
            break
        header_len += 1
    header, body = lines[:header_len], lines[header_len:]
    title: str | None = title_hint
    seen_title = False  # kickers come before the headline, by-lines after it
    author: str | None = None
    subtitles: list[str] = []
    kickers: list[str] = []
    credited: list[str] = []
    keep: list[str] = []
    for line in header:
        if _SUBTITLE_RE.match(line):
            subtitles.append(line)
            continue
        byline = next((m for p in _BYLINE_RES if (m := p.match(line))), None) if seen_title else None
        if byline:
            author = author or byline.group("name")
            credited.append(line)
            continue
        if not seen_title and _KICKER_RE.match(line):
            kickers.append(line)
            continue
        if title_hint is not None:
            if _same_title(line, title_hint):
                seen_title = True
            else:
                keep.append(line)
        elif title is None:
            title, seen_title = line, True
        else:
            keep.append(line)  # an extra short line after the title: content, not furniture
    if title is None and kickers:
        title = kickers.pop(0)
    if title is not None and subtitles and title_hint is None:
        title += "".join(subtitles)
    elif subtitles:
        keep = [*(s for s in subtitles if not _same_title(s, title or "") and s not in (title or "")), *keep]
    return title, author, [*keep, *body], [*kickers, *credited]


# Removed lines that say who made a document or when: kept as its credits. A label with nothing after it
# ("发布时间:") credits nobody.
_CREDIT_KINDS = frozenset({"publication", "editor", "caption"})
_EMPTY_LABEL_RE = re.compile(r"^[^:：]{0,8}[:：]\s*$")


def _credits_from(cleaned: CleanedText) -> tuple[str, ...]:
    return tuple(
        r.text for r in cleaned.removed if r.kind in _CREDIT_KINDS and not _EMPTY_LABEL_RE.match(r.text)
    )


def _fields_from(cleaned: CleanedText) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {"date": [], "source": [], "author": []}
    for removed in cleaned.removed:
        for key, value in meta_fields(removed.text) or []:
            if key in fields:
                fields[key].append(value)
    return fields


def extract_metadata(
    raw_text: str,
    *,
    file_name: str,
    title: str | None = None,
    date: str | None = None,
    publisher: str | None = None,
    author: str | None = None,
) -> tuple[DocumentMeta, list[str]]:
    """Metadata and content paragraphs of a document's raw text.

    ``title``/``date``/``publisher``/``author`` are hints from the file format (HTML meta tags, DOCX core
    properties); they win over what the text says. Markdown is recognised by the file name's suffix.
    """
    text = raw_text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    front: dict[str, str] = {}
    if PurePath(file_name).suffix.lower() in MARKDOWN_SUFFIXES:
        front, body = split_front_matter(text)
        lines, md_title = markdown_to_lines(body)
        if front.get("title") and md_title and not _same_title(front["title"], md_title):
            lines.insert(0, md_title)  # a heading that is not the title is content
        title = title or front.get("title") or md_title
        date = date or parse_date(front.get("date", ""))
        publisher = publisher or front.get("publisher")
        author = author or front.get("author")
    else:
        lines = text.split("\n")

    cleaned = clean_lines(lines)
    hint = normalize_whitespace(title) if title else None
    found_title, byline_author, paragraphs, header_credits = _split_header(list(cleaned.lines), hint or None)
    fields = _fields_from(cleaned)

    if date is None:
        date = next((d for v in fields["date"] if (d := parse_date(v))), None)
    if publisher is None:
        sources = [s for v in fields["source"] if (s := publisher_from_source(v))]
        named = [s for s in sources if "." not in s or re.search(r"[\u4e00-\u9fff]", s)]
        publisher = next(iter(named or sources), None)
    if author is None:
        author = next((a for a in fields["author"] if a), None) or byline_author

    final_title = found_title or PurePath(file_name).stem
    place = Place()
    if front.get("place"):
        place = detect_place(front["place"])
    if not place.key:
        place = detect_place("\n".join([final_title, *paragraphs]))
    meta = DocumentMeta(
        title=final_title,
        date=date,
        publisher=publisher,
        author=author,
        place=place,
        credits=(*(normalize_whitespace(c) for c in header_credits), *_credits_from(cleaned)),
    )
    return meta, paragraphs
