"""Reading documents from disk: .txt, .md, .html/.htm, .docx and .pdf into cleaned ``Document``s.

Each format is turned into lines of text (plus the title/date the format itself states), then
``metadata.extract_metadata`` finds the metadata and cleans the lines into content paragraphs.
``iter_documents`` never lets one bad file stop the ingestion of a folder: it logs a warning naming the
file and goes on.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, NavigableString

from knowledge.documents import Document, DocumentMeta
from knowledge.metadata import extract_metadata, join_wrapped, parse_date

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf"})

# Share of control characters above which "text" is binary junk with a text extension.
_MAX_CONTROL_SHARE = 0.01
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")

_HTML_DROP = (
    "script", "style", "nav", "header", "footer", "aside", "noscript", "iframe", "form", "template", "svg",
)  # fmt: skip
_HTML_BLOCKS = frozenset({
    "address", "article", "blockquote", "caption", "center", "dd", "details", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
})  # fmt: skip
_HTML_CELLS = frozenset({"td", "th"})
_HTML_DATE_META = (
    ("property", "article:published_time"),
    ("name", "PubDate"),
    ("name", "pubdate"),
    ("name", "publishdate"),
    ("name", "publish_date"),
    ("name", "publishdate"),
    ("itemprop", "datePublished"),
    ("name", "weibo: article:create_at"),
    ("name", "date"),
    ("name", "dc.date"),
)
# Separators before a site name in <title>: "标题 - 某某网", "标题_某某网", "标题|频道|某某网". A hyphen
# without spaces is part of the headline ("2000-4000元").
_TITLE_SEPARATOR_RE = re.compile(r"\s+[-–—|｜]\s+|_|｜|\|")
# Lines between CJK text that only wrap the HTML source ("村干部\n待遇") are not spaces.
_CJK_WRAP_RE = re.compile(r"(?<=[\u4e00-\u9fff，。、；：“”])[ \t]*\n\s*(?=[\u4e00-\u9fff])")

_PDF_PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d{1,4})\s*$"
)
_PDF_SECTION_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十百\d]+[章节条]|\d+[.、．])"
)
_DOCX_TITLE_STYLE_RE = re.compile(r"^(?:Title|标题|Heading 1|标题 1)$")
_PDF_SHORT_LINE = 0.8  # a line shorter than this share of the page width ends its paragraph


class DocumentReadError(Exception):
    """A file could not be read as a document (corrupt, binary, empty, unreadable, no content)."""


def decode_text(data: bytes) -> str:
    """Bytes of a text file as str: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DocumentReadError(f"invalid UTF-16 text: {exc}") from exc
    if b"\x00" in data:
        raise DocumentReadError("binary content (NUL bytes) in a text file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(_CONTROL_RE.findall(text)) > _MAX_CONTROL_SHARE * len(text):
            raise DocumentReadError("binary content (control characters) in a text file")
        return text
    raise DocumentReadError("not text in UTF-8 or GB18030")


# --- HTML -------------------------------------------------------------------------------------------


def _meta_content(soup: BeautifulSoup, attr: str, value: str) -> str | None:
    tag = soup.find("meta", attrs={attr: value})
    if isinstance(tag, Tag):
        content = tag.get("content")
        if isinstance(content, str) and content.strip():
            return content.strip()
    return None


def _html_title(soup: BeautifulSoup) -> str | None:
    og = _meta_content(soup, "property", "og:title")
    if og:
        return og
    h1 = soup.find("h1")
    if isinstance(h1, Tag) and h1.get_text(strip=True):
        return h1.get_text(" ", strip=True)
    if soup.title and soup.title.get_text(strip=True):
        return strip_site_name(soup.title.get_text(" ", strip=True))
    return None


def strip_site_name(title: str) -> str:
    """A <title> without the site/channel names appended to it (each at most 20 characters)."""
    parts = _TITLE_SEPARATOR_RE.split(title)
    while len(parts) > 1 and len(parts[-1].strip()) <= 20:
        parts.pop()
    head = parts[0].strip()
    return head if len(parts) == 1 else title.strip()


def _html_date(soup: BeautifulSoup) -> str | None:
    for attr, value in _HTML_DATE_META:
        content = _meta_content(soup, attr, value)
        if content and (date := parse_date(content)):
            return date
    time_tag = soup.find("time")
    if isinstance(time_tag, Tag):
        stamp = time_tag.get("datetime")
        return parse_date(stamp if isinstance(stamp, str) else time_tag.get_text())
    return None


def _html_text(node: Tag) -> str:
    """Visible text with a newline at every block boundary and line break, inline text kept together."""
    parts: list[str] = []

    def walk(element: Tag) -> None:
        for child in element.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                # Source-code line wraps inside a text node are spaces, or nothing between CJK text.
                parts.append(re.sub(r"\s+", " ", _CJK_WRAP_RE.sub("", str(child))))
            elif isinstance(child, Tag):
                if child.name == "br":
                    parts.append("\n")
                    continue
                block = child.name in _HTML_BLOCKS
                parts.append("\n" if block else " " if child.name in _HTML_CELLS else "")
                walk(child)
                parts.append("\n" if block else "")

    walk(node)
    return "\n".join(re.sub(r" {2,}", " ", line).strip() for line in "".join(parts).split("\n"))


def _read_html(data: bytes, file_name: str) -> tuple[DocumentMeta, list[str]]:
    soup = BeautifulSoup(decode_text(data), "lxml")
    title, date = _html_title(soup), _html_date(soup)
    for name in _HTML_DROP:
        for tag in soup.find_all(name):
            tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.find(role="main") or soup.body or soup
    if not isinstance(root, Tag):
        raise DocumentReadError("HTML without a body")
    return extract_metadata(_html_text(root), file_name=file_name, title=title, date=date)


# --- DOCX -------------------------------------------------------------------------------------------


def _read_docx(data: bytes, file_name: str) -> tuple[DocumentMeta, list[str]]:
    import docx  # python-docx; imported here so text-only ingestion does not pay for it
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    title: str | None = (document.core_properties.title or "").strip() or None
    heading_title: str | None = None
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if not text:
                continue
            style = (block.style.name if block.style is not None else "") or ""
            if heading_title is None and len(lines) < 3 and _DOCX_TITLE_STYLE_RE.match(style):
                heading_title = text
            lines.append(text)
        elif isinstance(block, Table):
            for row in block.rows:
                seen: set[int] = set()
                cells: list[str] = []
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell is repeated in every column it spans
                        continue
                    seen.add(id(cell._tc))
                    value = " ".join(cell.text.split())
                    if value:
                        cells.append(value)
                if cells:
                    lines.append(" | ".join(cells))
    return extract_metadata("\n".join(lines), file_name=file_name, title=title or heading_title)


# --- PDF --------------------------------------------------------------------------------------------


def pdf_lines_to_paragraphs(lines: list[str]) -> list[str]:
    """Re-join the hard-wrapped lines of extracted PDF text into paragraphs.

    A paragraph ends at a blank line, before a numbered section ("一、", "（二）", "第三条"), and after a
    line noticeably shorter than the page's full lines (the last line of a paragraph or a heading).
    """
    content = [ln.strip() for ln in lines if not _PDF_PAGE_NUMBER_RE.match(ln)]
    lengths = sorted(len(ln) for ln in content if ln)
    if not lengths:
        return []
    width = lengths[int(0.9 * (len(lengths) - 1))]
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            paragraphs.append(join_wrapped(current))
            current.clear()

    for line in content:
        if not line:
            flush()
            continue
        if _PDF_SECTION_RE.match(line):
            flush()
        current.append(line)
        if len(line) < _PDF_SHORT_LINE * width:
            flush()
    flush()
    return paragraphs


def _read_pdf(data: bytes, file_name: str) -> tuple[DocumentMeta, list[str]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    lines: list[str] = []
    for page in reader.pages:
        lines.extend((page.extract_text() or "").splitlines())
        lines.append("")  # a page break is a paragraph break at worst
    info_title = reader.metadata.title if reader.metadata else None
    title = info_title.strip() if isinstance(info_title, str) and info_title.strip() else None
    if title and re.match(r"^(?:Microsoft Word - |untitled)", title, re.IGNORECASE):
        title = None  # a word processor's placeholder, not the document's title
    return extract_metadata("\n".join(pdf_lines_to_paragraphs(lines)), file_name=file_name, title=title)


# --- text -------------------------------------------------------------------------------------------


def _read_text(data: bytes, file_name: str) -> tuple[DocumentMeta, list[str]]:
    return extract_metadata(decode_text(data), file_name=file_name)


_READERS: dict[str, Callable[[bytes, str], tuple[DocumentMeta, list[str]]]] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".markdown": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
}


def read_document(path: Path, *, doc_id: str, builtin: bool = False) -> Document:
    """Read one file into a cleaned ``Document``; raise ``DocumentReadError`` when that is impossible."""
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise DocumentReadError(f"{path.name}: unsupported file type {path.suffix!r}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentReadError(f"{path.name}: cannot open ({exc.strerror or exc})") from exc
    if not data.strip():
        raise DocumentReadError(f"{path.name}: empty file")
    try:
        meta, paragraphs = reader(data, path.name)
    except DocumentReadError as exc:
        raise DocumentReadError(f"{path.name}: {exc}") from exc
    except Exception as exc:  # any parser failure (corrupt zip, broken PDF …) is this file's problem
        raise DocumentReadError(f"{path.name}: cannot parse ({type(exc).__name__}: {exc})") from exc
    if not paragraphs:
        raise DocumentReadError(f"{path.name}: no content left after cleaning")
    return Document(
        doc_id=doc_id,
        file_name=path.name,
        content_hash=hashlib.sha256(data).hexdigest(),
        meta=meta,
        paragraphs=tuple(paragraphs),
        builtin=builtin,
    )


def _is_skipped_name(relative: Path) -> bool:
    # Hidden files/folders and Word's "~$" lock files are never documents.
    return any(part.startswith((".", "~$")) for part in relative.parts)


def iter_documents(folder: Path, *, builtin: bool = False) -> Iterator[Document]:
    """Every readable document under ``folder`` (recursively, sorted by relative path).

    Unsupported extensions are skipped silently; a file that cannot be read is skipped with a WARNING
    naming it. ``doc_id`` is the POSIX path relative to ``folder``.
    """
    if not folder.is_dir():
        raise NotADirectoryError(f"not a folder: {folder}")
    files = sorted(
        (p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.relative_to(folder).as_posix()
    )
    for path in files:
        relative = path.relative_to(folder)
        if _is_skipped_name(relative) or path.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        doc_id = relative.as_posix()
        try:
            document = read_document(path, doc_id=doc_id, builtin=builtin)
        except Exception as exc:  # one bad file must not stop the rest (DocumentReadError or a bug)
            logger.warning("skipping document %s: %s", doc_id, exc)
            continue
        yield document
