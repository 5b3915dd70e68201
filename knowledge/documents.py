"""The knowledge base's data: documents as read from disk, and the passages they are cut into."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Place:
    """Where a document's practice comes from. Any level may be unknown."""

    province: str | None = None
    city: str | None = None  # prefecture level (市 / 州 / 盟)
    county: str | None = None  # county level (县 / 区 / 县级市)

    @property
    def label(self) -> str:
        """Most specific known name with its province, e.g. '湖北省宣恩县'; '' when nothing is known."""
        parts = [p for p in (self.province, self.county or self.city) if p]
        return "".join(parts)

    @property
    def key(self) -> str:
        """The most specific known level: what a question naming this place must match."""
        return self.county or self.city or self.province or ""


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """Metadata extracted from a document (any field may be missing in the source)."""

    title: str
    date: str | None = None  # ISO 'YYYY-MM-DD'
    publisher: str | None = None  # publishing site or source line ('人民网', '中国网')
    author: str | None = None
    place: Place = field(default_factory=Place)
    # The header and footer lines saying who and when (date line, by-line, editor, photo credit), as
    # written; the cleaner takes them out of the content, credits.py answers questions about them.
    credits: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    """A cleaned document: its metadata and its content paragraphs (title and page leftovers removed)."""

    doc_id: str  # stable key: the path relative to the folder it was ingested from
    file_name: str
    content_hash: str  # sha256 of the raw file bytes
    meta: DocumentMeta
    paragraphs: tuple[str, ...]
    builtin: bool = False  # shipped with the product (knowledge/builtin)


@dataclass(frozen=True, slots=True)
class Passage:
    """The unit that is indexed: a window of whole sentences inside one paragraph.

    ``start``/``end`` are character offsets into ``Document.paragraphs[paragraph - 1]`` so that the
    quoted sentence shown to a user is always a verbatim slice of the document.
    """

    passage_id: str
    doc_id: str
    paragraph: int  # 1-based paragraph number within the document's content
    start: int
    end: int
    text: str

    @staticmethod
    def make_id(doc_id: str, paragraph: int, start: int, text: str) -> str:
        """Stable id: the same document content always yields the same passage ids."""
        raw = f"{doc_id}\x00{paragraph}\x00{start}\x00{text}".encode()
        return hashlib.sha1(raw, usedforsecurity=False).hexdigest()[:16]
