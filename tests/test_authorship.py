"""Who wrote or presented a document (knowledge/authorship.py)."""

from __future__ import annotations

from knowledge.authorship import asks_for_author, author_sentence
from knowledge.documents import Document, DocumentMeta


def _doc(author: str | None, *paragraphs: str) -> Document:
    return Document("a.txt", "a.txt", "0" * 64, DocumentMeta("标题", author=author), tuple(paragraphs))


def test_a_name_asked_of_whoever_spoke_or_wrote() -> None:
    assert asks_for_author("在论坛上介绍经验的是谁")
    assert asks_for_author("这篇文章是谁写的")
    assert not asks_for_author("县委书记是谁")  # a name, but not of the document's author
    assert not asks_for_author("论坛上介绍了什么经验")


def test_the_sentence_naming_an_author_is_found() -> None:
    doc = _doc("某某 王五", "开场白。", "大家好。我是来自某县的代表王五。今天讲三点。")
    assert author_sentence(doc) is not None
    number, span = author_sentence(doc) or (0, None)
    assert number == 2 and span is not None
    assert doc.paragraphs[1][span.start : span.end] == "我是来自某县的代表王五。"
    assert author_sentence(_doc("王五", "通篇没有署名。")) is None
    assert author_sentence(_doc(None, "我是王五。")) is None


def test_the_speaker_asked_by_his_post() -> None:
    assert asks_for_author("宁德五抓五促是哪个组织部长讲的")
    assert asks_for_author("介绍宁德经验的是哪个市委常委")
