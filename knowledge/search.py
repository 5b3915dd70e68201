"""Hybrid passage search: BM25 over jieba tokens fused with dense vectors, number- and place-aware.

Measured on our corpus (docs/retrieval.md), BM25 alone ranks the right passage first ~96 % of the time
and dense alone ~71 %; dense helps colloquial wording that shares few words with the text. So the fused
score is a blend that leans lexical, plus small bonuses for what the question asks for: an amount (of
the right unit and period), a frequency, an enumerated item, and the place it names.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from embeddings.encoder import Encoder
from knowledge.clauses import Span
from knowledge.concepts import concept_count
from knowledge.documents import Document, Passage
from knowledge.index_store import LoadedIndex
from knowledge.lexicon import Lexicon, plain, quoted_terms
from knowledge.named_amount import AmountAsk, ClauseTable, amount_ask, amount_spans, clause_table
from knowledge.numbers import (
    QuestionNeeds,
    amounts_in,
    heard_frequency,
    is_claimed,
    question_needs,
    states_frequency,
    states_location,
    unit_matches,
)
from knowledge.places import narrowest, places_in_text, read_county_slips
from knowledge.sections import headings_before
from knowledge.slips import SlipReader


@dataclass(frozen=True, slots=True)
class SearchParams:
    """Tunable weights of the ranker (from Settings)."""

    candidates: int = 30
    dense_weight: float = 0.4
    number_bonus: float = 0.35
    period_bonus: float = 0.25
    place_bonus: float = 0.6
    phrase_bonus: float = 0.15
    coverage_weight: float = 0.4
    context_word_weight: float = 0.3
    slip_common_freq: int = 5
    slip_target_min_passages: int = 5


@dataclass(frozen=True, slots=True)
class Query:
    """A question as the ranker sees it."""

    text: str
    content: tuple[str, ...]  # topic words (stopwords dropped)
    weights: dict[str, dict[str, float]]  # each content word -> its weighted alternatives
    needs: QuestionNeeds
    places: tuple[str, ...]  # canonical names of places the question names
    place_terms: frozenset[str] = frozenset()  # those places' names and aliases
    quoted: tuple[str, ...] = ()  # terms the question puts in quotes (“五项制度”): named concepts
    action: str | None = None  # the verb of a how-to question ("怎么转组织关系" → "转")
    amount: AmountAsk | None = None  # the named amount asked for ("工作经费" in 元, "党员" in 人)
    attribute: str | None = None  # the one thing asked about the topic ("还款期限"; Lexicon.asked_attribute)
    # Words said only as background, in clauses that ask nothing, beside the clause that asks, and the
    # factor on their weights (Searcher.analyse).
    context: frozenset[str] = frozenset()
    context_scale: float = 1.0
    counted: str | None = None  # the word a how-much question puts right before its 多少 ("要覆盖多少")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A ranked passage with the signals behind its score."""

    row: int
    passage: Passage
    doc: Document
    score: float
    lexical: float  # BM25, normalised to the best passage of this query (0..1)
    dense: float  # cosine between question and passage
    coverage: float  # idf-weighted share of the question's topic words found in the passage
    lexical_rank: int | None  # 1-based rank under BM25 alone (None: not in its top candidates)
    dense_rank: int | None
    place_match: bool  # the passage's document is from a place the question names
    # It states a question word other than a place name ("宁德村集体经济…" is not answered by a passage
    # sharing only 宁德).
    states_topic: bool = True
    states_action: bool = True  # it states the verb a how-to question asks about (Query.action)
    states_attribute: bool = True  # it names the thing asked about the topic (Query.attribute)
    # Where it states the named amount the question asks for (None: the question asks for none).
    amount_at: tuple[Span, ...] | None = None

    @property
    def states_amount(self) -> bool:
        """It states the named amount the question asks for (or the question asks for none)."""
        return self.amount_at is None or bool(self.amount_at)


SUBWORD_CREDIT = 0.9
ASPECT_PARTICLES = "了过"
_ENUM_RE = re.compile(
    r"^\s*(?:[（(]?([一二三四五六七八九十]+|\d+)[)）]?[.、．]?|([一二三四五六七八九十]+)是)"
)
_CN = "一二三四五六七八九十"
# A numbered concept's name: "四个融合", "三大杠杆".
NUMBERED_CONCEPT_RE = re.compile(r"[一二两三四五六七八九十\d]+[个大项条种]\S+")


_WHICH_ITEMS_OF_RE = re.compile(
    r"([一二两三四五六七八九十][\u4e00-\u9fff]{2,4}?)[”\"]?(?:具体|分别|都|主要)?(?:是|指|包括)(?:哪|什么|啥)"
)


def asked_concept(query: Query) -> str | None:
    """The counted concept whose items a question asks ("“三个杠杆”分别是什么"): the last one it names, as
    the earlier ones set the scene ("抓扶贫和党建“双推进”的“三个杠杆”")."""
    # "…四级联创的四步联动是哪四步": the counted words right before the asking are the concept, even when
    # the cutter splits them (四步 | 联动).
    asked = _WHICH_ITEMS_OF_RE.search(query.text)
    if asked is not None and (concept_count(asked.group(1)) or 0) >= 2:
        return asked.group(1)
    named = [t for t in query.content if NUMBERED_CONCEPT_RE.fullmatch(t)] + list(query.quoted)
    counted = [t for t in dict.fromkeys(named) if (concept_count(t) or 0) >= 2 and t in query.text]
    attribute = query.attribute
    if attribute and not any(attribute in t for t in counted):
        # "推进“双整百千”要实现的目标是什么" asks the concept's 目标, not its items.
        return None
    return max(counted, key=query.text.rfind, default=None)


# What a how-much question counts by: the word right before 多少 / 几 ("要覆盖多少", "组了多少个").
_HOW_MUCH_AFTER = ("多少", "了多少", "到多少", "几", "了几")


def counted_by(question: str, content: tuple[str, ...], place_terms: frozenset[str]) -> str | None:
    """The topic word a how-much question puts right before its 多少 ("覆盖" of "要覆盖多少"), or None."""
    return next(
        (w for w in content if w not in place_terms and any(f"{w}{a}" in question for a in _HOW_MUCH_AFTER)),
        None,
    )


def enumerator(text: str) -> int | None:
    """The item number a passage starts with: '1.' '（一）' '一是' → 1."""
    m = _ENUM_RE.match(text)
    if not m:
        return None
    raw = m.group(1) or m.group(2)
    if raw.isdigit():
        return int(raw)
    if len(raw) == 1 and raw in _CN:
        return _CN.index(raw) + 1
    return None


def doc_in_places(doc: Document, places: tuple[str, ...]) -> bool:
    """Is ``doc`` from (or inside) one of ``places``?"""
    p = doc.meta.place
    return any(name in (p.province, p.city, p.county) for name in places)


class Searcher:
    """Ranks the passages of one loaded index version for a question."""

    def __init__(self, index: LoadedIndex, encoder: Encoder, lexicon: Lexicon, params: SearchParams) -> None:
        self.index = index
        self.encoder = encoder
        self.lexicon = lexicon
        self.params = params
        content = index.content
        self.passages = content.passages
        self.documents = content.documents
        self.vectors = content.vectors
        n = max(1, len(self.passages))
        df: Counter[str] = Counter()
        for toks in content.tokens:
            df.update(set(toks))
        self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._oov_idf = math.log(1 + (n + 0.5) / 0.5)
        self._vocab = index.bm25.vocab_dict
        common = params.slip_common_freq

        def is_word(word: str) -> bool:
            return lexicon.word_count(word) >= common

        # A slip stands for a domain word (terms, synonyms, places) or a word the documents use often (党建,
        # 支部, 书记); a piece the documents use is no slip.
        frequent = {t for t, c in df.items() if c >= params.slip_target_min_passages}
        self.slips = SlipReader(lexicon.known_words(), self._vocab, is_word, frequent)
        # What questions match against, prepared once per passage on first use (the index is immutable;
        # preparing all of them up front would slow loading a large index). Bounded by the index size;
        # concurrent queries at worst prepare an entry twice.
        self._haystacks: dict[int, str] = {}
        self._plain_texts: dict[int, str] = {}
        self._clause_tables: dict[tuple[int, str], ClauseTable] = {}

    def idf(self, token: str) -> float:
        """Inverse document frequency of ``token``. A word absent from the index weighs as its commonest
        synonym that is present ("村里" as 村级), and the most when it has none."""
        known = self._idf.get(token)
        if known is not None:
            return known
        return min((self._idf[s] for s in self.lexicon.synonyms_of(token) if s in self._idf), default=self._oov_idf)

    def read_slips(self, question: str) -> str:
        """``question`` with its typing and voice slips read as the known words they stand for (slips.py; a
        county's 县 typed as a homophone, places.py)."""
        question = read_county_slips(question)
        return self.slips.read(question, self.lexicon.pieces(question))

    def analyse(self, question: str) -> Query:
        """Cut the question into topic words, expand synonyms, read what it asks for."""
        needs = question_needs(question)
        heard_period = heard_frequency(question) or ""
        content = tuple(
            # A figure the asker heard is what is checked, not a word the answer must share: a wrong one
            # ("听说每月3000元，对吧") would pull the passage stating the right one down. So is the period of
            # a frequency heard ("是不是一个季度开一次就够了").
            t
            for t in self.lexicon.content_tokens(question)
            if not is_claimed(t, needs.claims) and t not in heard_period
        )
        entries = places_in_text(question)
        places = tuple(dict.fromkeys(e.name for e in narrowest(entries)))
        terms = frozenset(t.lower() for e in entries for t in e.terms)
        quoted = tuple(sorted(quoted_terms([question])))
        context = frozenset(self.lexicon.background_tokens(question)) - terms
        asked_words = tuple(t for t in content if t not in context)
        attribute = self.lexicon.asked_attribute(question)
        return Query(
            question,
            content,
            self.lexicon.expand(content),
            needs,
            places,
            terms,
            quoted,
            # A how-question's verb, or the change a how-much question sizes ("缩短了多少"): either must be
            # stated by the answer.
            self.lexicon.asked_action(question) or self.lexicon.asked_change(question),
            # The named amount is the one the asking sentence names, not a word of the background.
            amount_ask(question, asked_words, needs, terms),
            # A name asked ("攻坚小分队叫个啥") is of a thing the document calls by that name ("尖刀班"), not
            # by the asker's word for it.
            attribute=None if attribute in terms or needs.name else attribute,
            context=context,
            context_scale=self._background_scale(asked_words, content, context),
            counted=counted_by(question, content, terms) if needs.number else None,
        )

    def states_action(self, query: Query, row: int) -> bool:
        """Does passage ``row`` state the action a how-to question asks about (itself or a synonym)?"""
        action = query.action
        if action is None:
            return True
        text = self._plain_texts.get(row)
        if text is None:
            text = self._plain_texts[row] = plain(self.passages[row].text)
        forms = {action, *self.lexicon.synonyms_of(action)}
        if len(action) == 2:
            # A two-character verb is often split by its aspect particle: 减负 → "减了负", 开会 → "开过会".
            forms |= {f"{action[0]}{p}{action[1]}" for p in ASPECT_PARTICLES}
        return any(f in text for f in forms)

    def states_attribute(self, query: Query, row: int) -> bool:
        """Does passage ``row`` name the thing asked about the topic (itself, a synonym, or its head word:
        "期限" for 还款期限)?"""
        if query.attribute is None:
            return True
        text = self._plain_texts.get(row)
        if text is None:
            text = self._plain_texts[row] = plain(self.passages[row].text)
        doc = self.documents[self.passages[row].doc_id]
        return self._credit(query, query.attribute, text, doc) >= 0.5

    def amount_spans(self, query: Query, row: int) -> tuple[Span, ...] | None:
        """Where passage ``row`` states the named amount the question asks for (knowledge.named_amount);
        None when the question does not ask for one."""
        ask = query.amount
        if ask is None:
            return None
        passage = self.passages[row]
        doc = self.documents[passage.doc_id]

        def names(word: str, span: str) -> bool:
            return word in span or self._synonym_in(word, span)

        def states(word: str, span: str) -> bool:
            return self._credit(query, word, span, doc) >= 0.5

        table = self._clause_tables.get((row, ask.unit))
        if table is None:
            table = self._clause_tables[(row, ask.unit)] = clause_table(passage.text, ask.unit)
        return amount_spans(ask, table, names, states)

    def coverage(self, query: Query, row: int) -> tuple[float, bool]:
        """Share of the question's topic words (idf-weighted) that passage ``row`` states, synonyms counted,
        and whether it states any of them besides a place name.

        The passage is read with its document's title and the headings it sits under (knowledge.sections).
        A place word counts as covered when the passage's document is from that place.
        """
        passage = self.passages[row]
        doc = self.documents[passage.doc_id]
        haystack = self._haystacks.get(row)
        if haystack is None:
            heading = headings_before(doc.paragraphs[passage.paragraph - 1], passage.start)
            haystack = self._haystacks[row] = plain(f"{doc.meta.title} {heading} {passage.text}")
        total = found = 0.0
        topic = False
        for token in query.content:
            weight = self.idf(token)
            if token in query.context:
                # Background ("我当过多年组织委员,") is what the asker brings, not what the answer must state.
                weight *= query.context_scale
            credit = self._credit(query, token, haystack, doc)
            total += weight
            found += weight * credit
            topic = topic or (credit > 0 and token not in query.place_terms)
        return (found / total if total else 0.0), topic

    def _background_scale(
        self, asked_words: tuple[str, ...], content: tuple[str, ...], context: frozenset[str]
    ) -> float:
        """The factor on background words' weights: ``context_word_weight`` each, and together at most that
        share of the asking clause's words, however long the background is."""
        if not context:
            return 1.0
        share = self.params.context_word_weight
        asked = sum(self.idf(t) for t in asked_words)
        said = sum(self.idf(t) for t in content if t in context)
        return min(share, share * asked / said) if said else share

    def _credit(self, query: Query, token: str, haystack: str, doc: Document) -> float:
        """How far ``haystack`` (a passage with its title and headings) states the question word ``token``: 0..1."""
        if token in query.place_terms:
            return 1.0 if doc_in_places(doc, query.places) else 0.0
        if token in haystack or self._synonym_in(token, haystack):
            return 1.0
        if len(token) == 2 and any(f"{token[0]}{p}{token[1]}" in haystack for p in ASPECT_PARTICLES):
            return 1.0  # a verb-object word split by its aspect particle: 减负 → "减了负", 开会 → "开过会"
        # A compound stated by its parts ("贫困标准" ~ "贫困…标准") counts for the parts found, but only
        # with its head, the last part: "帮扶资金" does not state a "工作经费" for sharing 工作.
        parts = self.lexicon.subwords(token)
        heads = [p for p in parts if token.endswith(p)]
        if heads and not any(h in haystack or self._synonym_in(h, haystack) for h in heads):
            return 0.0
        if not heads and token[-1] not in haystack:
            # A one-character head ("退休金": 金) must be there too: "退休干部" states no 退休金.
            return 0.0
        covered = sum(len(p) for p in parts if p in haystack)
        return SUBWORD_CREDIT * min(1.0, covered / len(token))

    def _synonym_in(self, word: str, haystack: str) -> bool:
        return any(s in haystack for s in self.lexicon.synonyms_of(word))

    def _lexical_scores(self, query: Query) -> np.ndarray:
        """BM25 per question word, each word scored by its best alternative (itself, synonym, sub-word);
        background words (Query.context) weigh as in coverage."""
        scores = np.zeros(len(self.passages), dtype=np.float32)
        for token, alternatives in query.weights.items():
            if token in query.context:
                alternatives = {term: w * query.context_scale for term, w in alternatives.items()}
            best: np.ndarray | None = None
            for term, weight in alternatives.items():
                if term in self._vocab:
                    s = weight * self.index.bm25.get_scores([term])
                    best = s if best is None else np.maximum(best, s)
            if best is not None:
                scores += best
        return scores

    def search(self, query: Query, *, limit: int | None = None) -> list[Candidate]:
        """Rank passages for ``query``; best first."""
        if not self.passages:
            return []
        k = self.params.candidates
        lexical = self._lexical_scores(query)
        lex_order = np.argsort(-lexical)[:k]
        lex_order = lex_order[lexical[lex_order] > 0]
        qvec = self.encoder.encode([query.text])
        _, dense_ids = self.index.vector_index.search(qvec, k)
        dense_order = [int(i) for i in dense_ids[0] if i >= 0]
        rows = list(dict.fromkeys([*map(int, lex_order), *dense_order]))
        lex_rank = {int(r): i + 1 for i, r in enumerate(lex_order)}
        dense_rank = {r: i + 1 for i, r in enumerate(dense_order)}
        cos = self.vectors[rows] @ qvec[0]
        lex_max = float(lexical.max()) or 1.0
        cos_min, cos_max = float(cos.min()), float(cos.max())
        spread = max(cos_max - cos_min, 1e-6)
        w = self.params.dense_weight
        out: list[Candidate] = []
        for row, c in zip(rows, cos, strict=True):
            passage = self.passages[row]
            doc = self.documents[passage.doc_id]
            lex_n = float(lexical[row]) / lex_max
            coverage, states_topic = self.coverage(query, row)
            states_action = self.states_action(query, row)
            score = (1 - w) * lex_n + w * (float(c) - cos_min) / spread
            score += self._bonus(query, passage, doc) + self.params.coverage_weight * coverage
            if query.action is not None and len(query.action) > 1 and states_action:
                # "鲁甸咋给基层减负的" prefers the passage that says it did (减了负), as a how-much question
                # prefers one stating an amount. (A one-character verb is found inside other words: 交 in 交流.)
                score += self.params.number_bonus
            place_match = bool(query.places) and doc_in_places(doc, query.places)
            out.append(
                Candidate(
                    row,
                    passage,
                    doc,
                    score,
                    lex_n,
                    float(c),
                    coverage,
                    lex_rank.get(row),
                    dense_rank.get(row),
                    place_match,
                    states_topic,
                    states_action,
                    self.states_attribute(query, row),
                    self.amount_spans(query, row),
                )
            )
        out.sort(key=lambda cand: cand.score, reverse=True)
        return out[:limit] if limit else out

    def _bonus(self, query: Query, passage: Passage, doc: Document) -> float:
        p, needs = self.params, query.needs
        bonus = 0.0
        if needs.number:
            amounts = amounts_in(passage.text)
            if amounts:
                unit_ok = any(unit_matches(a, needs.unit) for a in amounts)
                bonus += p.number_bonus * (1.0 if unit_ok else 0.4)
                if needs.period is not None:
                    periods = {a.period for a in amounts if a.period}
                    if needs.period in periods:
                        bonus += p.period_bonus
                    elif periods:
                        bonus -= p.period_bonus / 2
        if needs.frequency and states_frequency(passage.text):
            bonus += p.number_bonus
        if needs.location and states_location(passage.text):
            bonus += p.number_bonus
        if needs.ordinal is not None and enumerator(passage.text) == needs.ordinal:
            bonus += p.number_bonus
        text = passage.text.lower()
        named = query.quoted
        if needs.listing:
            # "三个杠杆指什么": a numbered concept is defined where the text puts it in quotes.
            named = (*named, *(t for t in query.content if NUMBERED_CONCEPT_RE.fullmatch(t)))
        if query.needs.ordinal is None and any(f"“{t}”" in text or f'"{t}"' in text for t in named):
            # The passage names the concept the question quotes: that is where it is defined.
            bonus += p.number_bonus
        words = list(query.weights.values())
        for first, second in itertools.pairwise(words):
            # Two question words standing together in the passage ("村级办公经费" for 村里 + 办公经费).
            if any(a + b in text for a in first for b in second):
                bonus += p.phrase_bonus
        if query.places:
            known = doc.meta.place.key
            if doc_in_places(doc, query.places):
                bonus += p.place_bonus
            elif known:
                bonus -= p.place_bonus
        return bonus
