"""The policy Q&A service: load the model and index once, then answer questions.

``KnowledgeService.ask`` is blocking CPU work (encoding, FAISS, BM25): async callers run it in an
executor. It notices a new index version (another process ingested or removed documents) on the next
question, so a removed document stops answering at once, with no restart.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

from bot.settings import Settings
from embeddings.encoder import Encoder, load_encoder
from knowledge.answer import AnswerParams, Composer, shorten
from knowledge.authorship import asks_for_author, author_names, author_sentence
from knowledge.concepts import (
    concept_by_head,
    concept_count,
    gives_items,
    head_asked,
    heading_items,
    introduces_items,
    item_about,
    kind_asked,
    names_concept,
    one_item_asked,
)
from knowledge.credits import ROLE_ASK_RE, Credit, CreditKind, credit_asked, find_credit
from knowledge.documents import DocumentMeta
from knowledge.effects import EffectParams
from knowledge.gate import GateParams, answerable, states_what_is_asked
from knowledge.index_store import IndexMissingError, IndexStore, LoadedIndex
from knowledge.ingest import Ingestor
from knowledge.lexicon import Lexicon, plain
from knowledge.results import QAResult
from knowledge.search import (
    Candidate,
    Query,
    Searcher,
    SearchParams,
    asked_concept,
    doc_in_places,
    enumerator,
)
from knowledge.sections import only_headings
from knowledge.spoken import standard_question

log = logging.getLogger(__name__)

# Credits a content sentence may tell instead ("在什么会上述职的": the report says it was a 述职报告会).
_CONTENT_MAY_SAY: frozenset[CreditKind | None] = frozenset({"role", "occasion"})

_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_WORD_RE = re.compile(r"[\w]", re.UNICODE)
EXAMPLE_QUESTION = "支部党员大会多久开一次？"

TEXT_EMPTY = (
    "您好，请直接发送想问的政策问题，例如：\n"
    "· 支部党员大会多久开一次？\n· 宣恩县村主职干部一年工资多少？\n· 第一书记每年有多少工作经费？"
)
TEXT_NOT_CHINESE = "目前只能回答中文提问。请用中文输入您的问题，例如：{example}"
TEXT_NOT_FOUND = (
    "抱歉，我收录的文件里没有找到“{question}”的相关规定，不能凭空作答。\n"
    "我能回答：{topics}。\n"
    "可以换个说法，或在问题里带上县名再问，例如：{example}"
)
# A counted concept the documents name without giving its items ("四场硬仗" in a list of priorities).
TEXT_UNLISTED = (
    "抱歉，我收录的文件只提到了“{term}”（{source}），没有列出它具体包括哪些内容，不能凭空作答。\n"
    "可以问文件里写明的做法、数字和标准，例如：{example}"
)
TEXT_TRUNCATED = "（问题较长，只按前{n}个字查询）\n"
BUILTIN_TOPICS = "三会一课、主题党日、组织生活会的开展要求"


@dataclass(frozen=True, slots=True)
class Decision:
    """What was chosen for a question (used by ask and by the evaluation)."""

    query: Query
    ranked: list[Candidate]
    chosen: list[Candidate]  # empty when not found
    author: bool = False  # the question asks who wrote or presented the chosen document
    credit: Credit | None = None  # the question asks when the chosen document appeared, who edited it…
    # Not found because the passage that answers names this counted concept without its items.
    unlisted: tuple[str, Candidate] | None = None


def _effect_params(settings: Settings) -> EffectParams:
    return EffectParams(
        anchor_share=settings.effect_anchor_share,
        aspect_share=settings.effect_aspect_share,
        min_new_chars=settings.effect_min_new_chars,
        max_chars=settings.effect_fact_max_chars,
    )


def _params(settings: Settings) -> tuple[SearchParams, GateParams, AnswerParams]:
    return (
        SearchParams(
            candidates=settings.retrieval_candidates,
            dense_weight=settings.dense_weight,
            number_bonus=settings.number_bonus,
            period_bonus=settings.period_bonus,
            place_bonus=settings.place_bonus,
            phrase_bonus=settings.phrase_bonus,
            coverage_weight=settings.coverage_weight,
            context_word_weight=settings.context_word_weight,
            slip_common_freq=settings.slip_common_freq,
            slip_target_min_passages=settings.slip_target_min_passages,
        ),
        GateParams(
            min_coverage=settings.gate_min_coverage,
            min_dense=settings.gate_min_dense,
            strong_coverage=settings.gate_strong_coverage,
        ),
        AnswerParams(
            max_bytes=settings.answer_max_bytes,
            quote_max_chars=settings.quote_max_chars,
            max_places=settings.max_places_in_answer,
            action_fact_max_chars=settings.action_fact_max_chars,
        ),
    )


class KnowledgeService:
    """Answers policy questions from the current knowledge index."""

    def __init__(self, settings: Settings, encoder: Encoder, store: IndexStore) -> None:
        self.settings = settings
        self.encoder = encoder
        self.store = store
        self.search_params, self.gate_params, self.answer_params = _params(settings)
        self._lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self._stamp: tuple[str | None, int] = (None, 0)
        self._searcher: Searcher | None = None
        self._composer: Composer | None = None
        self._loaded: LoadedIndex | None = None
        self.load_seconds = 0.0

    # ---- life cycle -------------------------------------------------------------------------------------
    @classmethod
    def open(cls, settings: Settings, *, encoder: Encoder | None = None) -> KnowledgeService:
        """Load the model and the current index (building the built-in one on a fresh install)."""
        started = time.perf_counter()
        encoder = encoder or load_encoder(settings.embedding_model, threads=settings.embedding_threads)
        store = IndexStore(settings.index_dir, keep_versions=settings.index_keep_versions)
        service = cls(settings, encoder, store)
        if store.current_version() is None:
            if not settings.include_builtin_knowledge:
                raise IndexMissingError(
                    f"no knowledge index under {store.root}; run `python -m bot ingest DIR`"
                )
            log.info("no knowledge index yet: indexing the built-in documents")
            service.ingestor().ingest(None)
        service.reload()
        service.load_seconds = time.perf_counter() - started
        return service

    def ingestor(self) -> Ingestor:
        """An ingestor writing to this service's index with its model and settings."""
        return Ingestor(
            self.store,
            self.encoder,
            chunk_max_chars=self.settings.chunk_max_chars,
            batch_size=self.settings.embedding_batch_size,
            include_builtin=self.settings.include_builtin_knowledge,
        )

    def reload(self) -> None:
        """Load the CURRENT version (verified); raises the store's errors if it cannot be used."""
        stamp = self.store.current_stamp()
        loaded = self.store.load(model_fingerprint=self.encoder.fingerprint)
        lexicon = Lexicon(loaded.manifest.extra_terms)
        searcher = Searcher(loaded, self.encoder, lexicon, self.search_params)
        composer = Composer(lexicon, self.answer_params, searcher.idf, _effect_params(self.settings))
        with self._lock:
            self._loaded, self._searcher, self._composer, self._stamp = loaded, searcher, composer, stamp
        log.info(
            "knowledge index %s loaded: %d documents, %d passages",
            loaded.manifest.version,
            len(loaded.content.documents),
            len(loaded.content.passages),
        )

    def _refresh_if_changed(self) -> None:
        stamp = self.store.current_stamp()
        if stamp == self._stamp:
            return
        with self._reload_lock:  # one thread reloads; the others wait and then use the new version
            if self.store.current_stamp() == self._stamp:
                return
            try:
                self.reload()
            except Exception:
                # Keep answering from the verified version we have, but say so loudly.
                log.exception("a new knowledge index version could not be loaded; still serving %s", self._stamp[0])
                self._stamp = stamp

    @property
    def ready(self) -> bool:
        return self._searcher is not None

    def describe(self) -> dict[str, object]:
        """Model and index facts for /healthz and the CLI."""
        loaded = self._loaded
        return {
            "model": self.encoder.name,
            "dimension": self.encoder.dimension,
            "index_version": loaded.manifest.version if loaded else None,
            "documents": len(loaded.content.documents) if loaded else 0,
            "passages": len(loaded.content.passages) if loaded else 0,
            "load_seconds": round(self.load_seconds, 3),
        }

    def close(self) -> None:
        """Release the index (the model is freed with the object)."""
        with self._lock:
            self._searcher = self._composer = self._loaded = None

    # ---- answering --------------------------------------------------------------------------------------
    def decide(self, question: str) -> Decision:
        """Rank passages and choose what to answer with (empty ``chosen``: not found)."""
        self._refresh_if_changed()
        searcher = self._searcher
        if searcher is None:
            raise RuntimeError("knowledge service is closed")
        # Spoken forms to the documents' words, then typing and voice slips to the words they stand for.
        question = searcher.read_slips(standard_question(question))
        query = searcher.analyse(question)
        if not query.content:
            return Decision(query, [], [])
        ranked = searcher.search(query)
        if query.places:
            # A question naming a place is answered from that place (or from national rules).
            local = [c for c in ranked if self._local(query, c)]
            ranked = local + [c for c in ranked if c not in local]
        kind = credit_asked(question) or self._role_asked(question, ranked)
        if asks_for_author(question) or kind is not None:
            decision = self._document_decision(query, ranked, kind)
            if decision.chosen or kind not in _CONTENT_MAY_SAY:
                return decision
        if len(query.places) > 1 and (each := self._named_places(query, ranked)):
            # "宣恩和鲁甸比，谁派的第一书记多": each named place answers for itself.
            return Decision(query, ranked, each)
        query, item = self._item_about(query, ranked)
        if item is not None:
            # The item was told by its heading, in a document naming the concept: that is the evidence the
            # other signals stand for.
            return Decision(query, ranked, [item] if states_what_is_asked(query, item) else [])
        best = self._best(query, ranked)
        if not answerable(query, best, self.gate_params):
            return Decision(query, ranked, [])
        assert best is not None
        if not self._local(query, best):
            # "来凤县村干部一年工资是多少": no document is from the place named; another county's figure
            # would be passed off as its policy.
            return Decision(query, ranked, [])
        if query.needs.listing or query.needs.ordinal is not None:
            # The passage that answers is judged relevant; the items it names may be given further on.
            best = self._item_passage(query, ranked, best)
            concept = asked_concept(query) if query.needs.ordinal is None else None
            if concept and names_concept(best.doc.paragraphs, concept) and not _gives_items(best, concept):
                # "六盘水的“四场硬仗”是哪四场": the document names it in passing; quoting that mention
                # as the answer would pass it off as the list.
                return Decision(query, ranked, [], unlisted=(concept, best))
        chosen = [best]
        if not query.places and (query.needs.number or query.needs.frequency) and best.doc.meta.place.key:
            chosen += self._other_places(query, ranked, best)
        return Decision(query, ranked, chosen)

    def _role_asked(self, question: str, ranked: list[Candidate]) -> CreditKind | None:
        """"在论坛上介绍宁德经验的郭学斌担任什么职务": the post of a document's author, named in the question."""
        if not ROLE_ASK_RE.search(question):
            return None
        depth = self.settings.item_search_depth
        authors = {n for c in ranked[:depth] for n in author_names(c.doc.meta.author)}
        return "role" if any(n in question for n in authors) else None

    def _document_decision(self, query: Query, ranked: list[Candidate], kind: CreditKind | None) -> Decision:
        """"介绍宁德经验的是谁", "这篇报道是哪天发布的": a question about the document itself, answered from
        the sentence naming its author or from its credit lines (credits.py). The document must be the
        place the question names, or else the best passage must state most of the question's other words
        or the title or author name one of them."""
        if not ranked:
            return Decision(query, ranked, [])
        # Which document: the place named, or else the one the best passage says it is about, or else
        # one whose title or author the question names ("讲五抓五促那个组织部长叫啥" names the title's
        # “五抓五促”, "郭学斌发言的照片" the author).
        if query.places:
            top: Candidate | None = ranked[0] if ranked[0].place_match else None
        elif ranked[0].coverage >= self.gate_params.strong_coverage:
            top = ranked[0]
        else:
            top = next((c for c in ranked if _names_document(query, c.doc.meta)), None)
        if top is None:
            return Decision(query, ranked, [])
        meta = top.doc.meta
        if kind in (None, "author") and author_sentence(top.doc) is not None:
            return Decision(query, ranked, [top], author=True)
        credit = find_credit(meta, kind) if kind is not None else None
        return Decision(query, ranked, [top] if credit else [], credit=credit)

    def _best(self, query: Query, ranked: list[Candidate]) -> Candidate | None:
        """The top passage — or, when it does not state what is asked (the question wants a duration and
        the passage on the topic states none), the next one close behind it that does; when the top one is
        only a heading, the passage it heads that does."""
        if not ranked:
            return None
        top = ranked[0]
        if query.quoted and not _names_all(top, query.quoted):
            # "对考核为“一般”等次的党(工)委怎么处理": the passage naming the quoted term answers, not the one
            # before it about the same review.
            quoting = (c for c in self._close_behind(query, ranked) if _names_all(c, query.quoted))
            if (found := next(quoting, None)) is not None:
                return found
        kind = kind_asked(query.text) if query.needs.listing else None
        if kind and not introduces_items(top.passage.text, kind):
            # "凤庆双推进有啥问题": the passage going on to list the 问题 ("…的问题。从客观上看:一是…"), not
            # the one naming them before its measures.
            floor = top.score * self.settings.covering_passage_ratio
            listing = (
                c
                for c in ranked[1 : self.settings.item_search_depth]
                if c.score >= floor
                and self._local(query, c) == self._local(query, top)
                and introduces_items(c.passage.text, kind)
                and states_what_is_asked(query, c)
            )
            if (found := next(listing, None)) is not None:
                return found
        if states_what_is_asked(query, top):
            # "六盘水给驻村干部过冬发了啥": the window after the top one goes on in the same paragraph and
            # states more of the question (越冬 “四件套”), where the top one states only the people.
            floor = top.score * self.settings.covering_passage_ratio
            close = [c for c in ranked[1 : self.settings.item_search_depth] if c.score >= floor]
            fuller = (
                c
                for c in close
                if self._continues(top, c)
                and c.coverage >= top.coverage + self.settings.fuller_window_margin
                and states_what_is_asked(query, c)
            )
            # "鲁甸给基层减负整了啥": the passage saying "减了压减了负" states every word asked, but the
            # lexical ranker cannot see the split verb; a top one sharing only the place and 基层 gives way.
            covering = (
                c
                for c in close
                if c.coverage >= self.gate_params.strong_coverage
                and c.coverage >= top.coverage + self.settings.covering_passage_margin
                and self._local(query, c) == self._local(query, top)
                # National rules (no place) are not left for one county's practice.
                and (bool(top.doc.meta.place.key) or not c.doc.meta.place.key)
                and states_what_is_asked(query, c)
            )
            return next(fuller, None) or next(covering, top)
        if only_headings(top.passage.text):
            # A heading ("一是建立挂联包帮机制。") hands the question to the text it heads.
            headed = (
                c
                for c in ranked[1:]
                if c.doc is top.doc
                and c.passage.paragraph == top.passage.paragraph
                and c.passage.start > top.passage.start
                and states_what_is_asked(query, c)
            )
            if (found := next(headed, None)) is not None:
                return found
        return next(self._close_behind(query, ranked), top)

    def _close_behind(self, query: Query, ranked: list[Candidate]) -> Iterator[Candidate]:
        """Passages after the top one that may answer in its place: scoring at least
        ``asked_fallback_ratio`` of it (or the text right after it), from a place as local as it, and
        stating what is asked."""
        top = ranked[0]
        floor = top.score * self.settings.asked_fallback_ratio
        return (
            c
            for c in ranked[1:]
            if (c.score >= floor or self._continues(top, c))
            and self._local(query, c) == self._local(query, top)
            and states_what_is_asked(query, c)
        )

    @staticmethod
    def _continues(top: Candidate, cand: Candidate) -> bool:
        """Is ``cand`` the text right after ``top`` (the next window of the same paragraph)? Then it goes on
        about the same thing: "一是全力提高干部待遇。印发…方案…" is followed by the pay figures."""
        a, b = top.passage, cand.passage
        return cand.doc is top.doc and a.paragraph == b.paragraph and a.start < b.start <= a.end

    def _item_about(self, query: Query, ranked: list[Candidate]) -> tuple[Query, Candidate | None]:
        """"“五抓五促”里讲激励的那一条": when the document gives the concept's items numbered headings, the
        item whose heading states what the question describes it by is asked as its ordinal ("第五条");
        with the passage it opens (None: no such item)."""
        if query.needs.ordinal is not None or not one_item_asked(query.text):
            return query, None
        # The concept may be typed without quotes or a classifier ("五抓五促里讲激励的那一条").
        concept = asked_concept(query) or next((t for t in query.content if (concept_count(t) or 0) >= 2), None)
        if concept is None:
            return query, None
        same = ranked[: self.settings.item_search_depth]
        doc = next((c.doc for c in same if names_concept(c.doc.paragraphs, concept)), None)
        headed = heading_items(doc.paragraphs, concept) if doc is not None else None
        if not headed:
            return query, None
        weights = {w: alts for w, alts in query.weights.items() if w not in query.place_terms}
        index = item_about([h for _, h in headed], concept, weights)
        if index is None:
            return query, None
        item = next((c for c in same if c.doc is doc and enumerator(c.passage.text) == index + 1), None)
        if item is None:
            return query, None
        return replace(query, needs=replace(query.needs, ordinal=index + 1)), item

    def _item_passage(self, query: Query, ranked: list[Candidate], best: Candidate) -> Candidate:
        """Where a list question is answered in ``best``'s document when ``best`` only names the list:
        "“五抓五促”的最后一条" by the passage opening with item 5, "“四个融合”是哪四个" by the paragraph
        giving each item its own sentence (knowledge.concepts)."""
        same_doc = [c for c in ranked[: self.settings.item_search_depth] if c.doc is best.doc]
        ordinal = query.needs.ordinal
        if ordinal is not None:
            if enumerator(best.passage.text) == ordinal:
                return best
            return next((c for c in same_doc if enumerator(c.passage.text) == ordinal), best)
        concept = asked_concept(query)
        if concept is None and (head := head_asked(query.text)):
            # "融合哪些方面": the "四个融合" the best passage names.
            concept = concept_by_head(best.passage.text, head)
        if concept is None or _gives_items(best, concept):
            return best
        return next((c for c in same_doc if _gives_items(c, concept)), best)

    @staticmethod
    def _local(query: Query, cand: Candidate) -> bool:
        """Is ``cand`` from the place the question names (or national)? Always true when it names none."""
        return not query.places or cand.place_match or not cand.doc.meta.place.key

    def _named_places(self, query: Query, ranked: list[Candidate]) -> list[Candidate]:
        """A question naming several places: the answering passage of each, in the order named (empty when
        none answers from its own documents; a national rule then answers for all)."""
        chosen: list[Candidate] = []
        for place in query.places:
            own = [c for c in ranked if doc_in_places(c.doc, (place,)) and c not in chosen]
            best = self._best(query, own)
            if best is not None and answerable(query, best, self.gate_params):
                chosen.append(best)
        return chosen[: self.answer_params.max_places]

    def _other_places(self, query: Query, ranked: list[Candidate], best: Candidate) -> list[Candidate]:
        """Where counties differ and the question names none: the best passage of each other county."""
        seen = {best.doc.meta.place.key}
        extra: list[Candidate] = []
        floor = best.score * self.settings.multi_place_ratio
        for cand in ranked[1:]:
            key = cand.doc.meta.place.key
            if not key or key in seen or cand.score < floor:
                continue
            if answerable(query, cand, self.gate_params):
                seen.add(key)
                extra.append(cand)
            if len(extra) + 1 >= self.answer_params.max_places:
                break
        return extra

    def ask(self, question: str) -> QAResult:
        """Answer one question (blocking; run it off the event loop)."""
        raw = question or ""
        text = raw.strip()
        if not text:
            return QAResult(raw, False, TEXT_EMPTY)
        prefix = ""
        limit = self.settings.question_max_chars
        if len(text) > limit:
            text = text[:limit]
            prefix = TEXT_TRUNCATED.format(n=limit)
        if not _WORD_RE.search(text):  # emoji or punctuation only
            return QAResult(raw, False, TEXT_EMPTY)
        if not _CJK_RE.search(text):
            return QAResult(raw, False, TEXT_NOT_CHINESE.format(example=EXAMPLE_QUESTION))
        decision = self.decide(text)
        composer = self._composer
        if decision.unlisted is not None:
            term, named_in = decision.unlisted
            meta = named_in.doc.meta
            source = "，".join(x for x in (f"《{meta.title}》", meta.place.label) if x)
            reply = TEXT_UNLISTED.format(term=term, source=source, example=EXAMPLE_QUESTION)
            return QAResult(raw, False, prefix + reply)
        if not decision.chosen or composer is None:
            return QAResult(raw, False, prefix + self.not_found_text(text))
        if decision.author:
            result = composer.compose_author(decision.query, decision.chosen[0])
        elif decision.credit is not None:
            result = composer.compose_credit(decision.query, decision.chosen[0], decision.credit)
        else:
            result = composer.compose(decision.query, decision.chosen)
        answer = prefix + result.answer if prefix else result.answer
        if len(answer.encode()) > self.answer_params.max_bytes:
            answer = result.answer
        return QAResult(raw, True, answer, result.sources)

    def not_found_text(self, question: str) -> str:
        """The polite "not covered" reply, saying what the bot can answer."""
        loaded = self._loaded
        places = []
        if loaded is not None:
            places = sorted(
                {d.meta.place.label for d in loaded.content.documents.values() if d.meta.place.label}
            )
        topics = BUILTIN_TOPICS
        if places:
            topics = f"{'、'.join(places)}等地的村干部待遇、工作经费、抓党建促脱贫做法，以及{BUILTIN_TOPICS}"
        return TEXT_NOT_FOUND.format(question=shorten(question, 30), topics=topics, example=EXAMPLE_QUESTION)


def _names_document(query: Query, meta: DocumentMeta) -> bool:
    """Does ``query`` name a word of the document's title (three characters or more) or its author?"""
    author = meta.author or ""
    return any((len(t) >= 3 and t in meta.title) or (len(t) >= 2 and t in author) for t in query.content)


def _names_all(cand: Candidate, terms: tuple[str, ...]) -> bool:
    """Does ``cand`` name every one of ``terms`` (the question's quoted terms)?"""
    text = plain(cand.passage.text)
    return all(t in text for t in terms)


def _gives_items(cand: Candidate, term: str) -> bool:
    """Does ``cand``'s paragraph (or its document's numbered items) give the items of ``term``?"""
    return gives_items(cand.doc.paragraphs, cand.passage.paragraph - 1, term)
