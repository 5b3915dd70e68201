"""Sentence-aware chunking that never splits a number or an amount."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.chunking import NUMBER_TOKEN_RE, chunk_document, split_clauses, split_pieces, split_sentences
from knowledge.documents import Document, DocumentMeta
from knowledge.loaders import iter_documents

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

# An independent description of "a number with its unit" for checking, deliberately simpler than the
# chunker's own: dates, decimals, thousands separators, ranges, units, percent and "per year".
CHECK_TOKEN_RE = re.compile(
    r"\d{4}/\d{1,2}/\d{1,2}|\d{1,2}:\d{2}(?::\d{2})?"
    r"|\d+(?:[.,]\d+)*(?:[-~—至]\d+(?:[.,]\d+)*)?(?:万元|亿元|元|%|万|平方米|名|人|户|个)?(?:/[年月个])?"
)


def make_doc(*paragraphs: str, doc_id: str = "demo.txt") -> Document:
    return Document(
        doc_id=doc_id,
        file_name=doc_id,
        content_hash="0" * 64,
        meta=DocumentMeta(title="示范文档"),
        paragraphs=tuple(paragraphs),
    )


@pytest.fixture(scope="module")
def corpus_docs() -> list[Document]:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return list(iter_documents(CORPUS))


def _texts(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in spans]


def test_split_sentences_keeps_closers_and_numbers() -> None:
    text = "书记说：“今年要办好三件事。”村里投入3.5万元修路！效果如何？还要看群众……下一步继续；(完)"
    assert _texts(text, split_sentences(text)) == [
        "书记说：“今年要办好三件事。”",
        "村里投入3.5万元修路！",
        "效果如何？",
        "还要看群众……",
        "下一步继续；",
        "(完)",
    ]


def test_split_sentences_trims_spaces_and_handles_no_end_mark() -> None:
    text = "第一句话。  第二句没有句号"
    assert _texts(text, split_sentences(text)) == ["第一句话。", "第二句没有句号"]
    assert split_sentences("") == []


def test_split_clauses_is_number_safe() -> None:
    text = "共发放1,000元,时间为2016/9/2 8:51:02,比例10%、人均2000-4000元/月：已完成"
    assert _texts(text, split_clauses(text)) == [
        "共发放1,000元,",
        "时间为2016/9/2 8:51:02,",
        "比例10%、",
        "人均2000-4000元/月：",
        "已完成",
    ]


def test_long_sentence_split_at_clauses_within_budget() -> None:
    sentence = "，".join(f"第{i}村落实补助{i}.5万元" for i in range(1, 30)) + "。"
    pieces = split_pieces(sentence, max_chars=40)
    assert len(pieces) > 1
    assert all(e - s <= 40 for s, e in pieces)
    assert "".join(_texts(sentence, pieces)) == sentence
    for m in CHECK_TOKEN_RE.finditer(sentence):
        assert any(s <= m.start() and m.end() <= e for s, e in pieces), m.group(0)


def test_enumeration_comma_used_only_after_stronger_marks() -> None:
    sentence = "、".join(["组织设置", "组织生活", "组织运行", "组织监督", "组织管理"] * 4) + "。"
    pieces = split_pieces(sentence, max_chars=30)
    assert all(e - s <= 30 for s, e in pieces)
    assert all(sentence[e - 1] in "、。" for _, e in pieces)


def test_hard_cut_never_enters_a_number() -> None:
    # No punctuation at all: the last resort cut must move to a number's edge.
    text = "甲" * 37 + "2561.72万元" + "乙" * 30 + "38760元/年" + "丙" * 20
    pieces = split_pieces(text, max_chars=40)
    assert "".join(_texts(text, pieces)) == text
    joined = _texts(text, pieces)
    assert any("2561.72万元" in p for p in joined)
    assert any("38760元/年" in p for p in joined)


def test_windows_overlap_by_one_piece() -> None:
    sentences = [f"第{i}条规定每月开会{i}次。" for i in range(1, 12)]
    doc = make_doc("".join(sentences))
    passages = chunk_document(doc, max_chars=40)
    assert len(passages) > 2
    for a, b in itertools.pairwise(passages):
        if a.text.count("。") >= 2:
            assert b.start < a.end, "consecutive windows must share a sentence"
    covered = "".join(p.text for p in passages)
    for sentence in sentences:
        assert sentence in covered


def test_passage_ids_stable_and_content_sensitive() -> None:
    doc = make_doc("村级组织活动场所面积不少于二百平方米。", "党员大会每季度召开一次。")
    first = [p.passage_id for p in chunk_document(doc)]
    assert first == [p.passage_id for p in chunk_document(doc)]
    assert len(set(first)) == len(first)
    changed = replace(doc, paragraphs=("村级组织活动场所面积不少于三百平方米。", doc.paragraphs[1]))
    second = [p.passage_id for p in chunk_document(changed)]
    assert second[0] != first[0] and second[1] == first[1]
    other = replace(doc, doc_id="other.txt")
    assert not set(first) & {p.passage_id for p in chunk_document(other)}


def _number_tokens(doc: Document) -> Iterator[tuple[int, re.Match[str]]]:
    for number, paragraph in enumerate(doc.paragraphs, start=1):
        for m in CHECK_TOKEN_RE.finditer(paragraph):
            yield number, m


@pytest.mark.parametrize("max_chars", [60, 120, 160, 300])
def test_corpus_numbers_whole_in_some_passage(corpus_docs: list[Document], max_chars: int) -> None:
    for doc in corpus_docs:
        passages = chunk_document(doc, max_chars=max_chars)
        for number, m in _number_tokens(doc):
            assert any(
                p.paragraph == number and p.start <= m.start() and m.end() <= p.end for p in passages
            ), f"{doc.doc_id} ¶{number}: {m.group(0)!r} split"


@pytest.mark.parametrize("max_chars", [60, 160])
def test_corpus_passages_exact_bounded_and_covering(corpus_docs: list[Document], max_chars: int) -> None:
    for doc in corpus_docs:
        passages = chunk_document(doc, max_chars=max_chars)
        assert passages
        for p in passages:
            paragraph = doc.paragraphs[p.paragraph - 1]
            assert paragraph[p.start : p.end] == p.text
            assert p.text == p.text.strip()
            assert len(p.text) <= max_chars, p.text  # the corpus has no unsplittable piece this long
        for number, paragraph in enumerate(doc.paragraphs, start=1):
            covered = [False] * len(paragraph)
            for p in passages:
                if p.paragraph == number:
                    covered[p.start : p.end] = [True] * (p.end - p.start)
            assert all(c or paragraph[i].isspace() for i, c in enumerate(covered)), doc.doc_id


def test_corpus_facts_whole_in_default_passages(corpus_docs: list[Document]) -> None:
    passages = [p.text for d in corpus_docs for p in chunk_document(d)]
    for fact in ("38760元/年", "2000-4000元", "2561.72万元", "10%", "4210万元", "2016年2月"):
        assert any(fact in text for text in passages), fact


def test_corpus_ids_stable_across_runs(corpus_docs: list[Document]) -> None:
    again = list(iter_documents(CORPUS))
    for a, b in zip(corpus_docs, again, strict=True):
        assert [p.passage_id for p in chunk_document(a)] == [p.passage_id for p in chunk_document(b)]


ALPHABET = st.sampled_from([*"党员村干部报酬元万年月", *"0123456789", *"。，、；：！？,.:-%/ “”（）"])


@settings(max_examples=200, deadline=None)
@given(st.text(ALPHABET, min_size=1, max_size=400), st.integers(min_value=4, max_value=200))
def test_chunking_invariants_on_random_text(text: str, max_chars: int) -> None:
    paragraph = text.strip()
    if not paragraph:
        return
    passages = chunk_document(make_doc(paragraph), max_chars=max_chars)
    for p in passages:
        assert paragraph[p.start : p.end] == p.text
    for m in CHECK_TOKEN_RE.finditer(paragraph):
        assert any(p.start <= m.start() and m.end() <= p.end for p in passages), m.group(0)
    pieces = split_pieces(paragraph, max_chars)
    for s, e in pieces:
        if e - s > max_chars:  # only a single number token too long for the budget may exceed it
            assert NUMBER_TOKEN_RE.fullmatch(paragraph[s:e]), paragraph[s:e]
    piece_spans = set(pieces)
    for p in passages:
        assert len(p.text) <= max_chars or (p.start, p.end) in piece_spans
