"""Composing the answer a cadre reads on a phone: the fact first, then the verbatim sentence, then the source.

Everything quoted is a slice of the cleaned document, so a citation can be checked word for word. The
text never exceeds the WeChat limit (2048 bytes UTF-8 by default).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from knowledge.authorship import author_sentence
from knowledge.clauses import CLOSERS, SENTENCE_END, Span, clauses, number_spans
from knowledge.concepts import (
    concept_by_head,
    concept_count,
    concept_items,
    head_asked,
    heading_items,
    listed_count,
)
from knowledge.credits import Credit, credit_fact
from knowledge.documents import Document
from knowledge.effects import EFFECT_RE, EffectAsk, EffectParams, effect_span, named_effects
from knowledge.lexicon import Lexicon, contrasts, plain, unquote
from knowledge.numbers import (
    DURATION,
    amounts_in,
    asks_consequence,
    asks_effect_word,
    check_verdict,
    effect_ask,
    head_count_fits,
    name_kind,
    states_amount_in,
    states_date,
    states_duration,
    states_frequency,
    states_holder,
    states_location,
    states_name,
    states_time,
    unit_matches,
)
from knowledge.results import QAResult, Source
from knowledge.search import Candidate, Query, asked_concept, enumerator
from knowledge.sections import only_headings

ELLIPSIS = "……"
_BACKGROUND_RE = re.compile(r"^\s*在.*基础上")
MULTI_QUOTE_CHARS = 70
# A numbered heading sentence ("二是聚焦“五项制度”抓落实。", "（三）…", "3.抓…"), not a count ("13个乡…").
_HEADING_RE = re.compile(r"\s*(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十]+[)）]|\d+[.．、](?!\d))")
# A clause that only names whom the next one is about: "对考核为“一般”等次的5个党(工)委,".
_TOPIC_PHRASE_RE = re.compile(r"^\s*对[^,，;；。]{2,40}[,，]?\s*$")
# A clause saying how something is done: "建立…制度", "通过…", "采取…方式".
_MEANS_RE = re.compile(r"建立|通过|采取|实行|推行|出台|制定|依托|利用|运用|借助")
_OPENING_LINKS_RE = re.compile(r"^\s*(?:并|以|来|从而|进一步)*")
# A clause going on to name the items: "…基本制度,指支部党员大会、…".
_LIST_OPENER_RE = re.compile(r"\s*(?:即|指|包括|包含|分别是|主要是|主要有)")
# A word negated in a clause ("不设委员会的") but not in the question says the opposite case.
_NEGATIONS = ("不", "未", "没有")
_YES_NO_RE = re.compile(r"([\u4e00-\u9fff])[不没]\1|吗|是否|能否|可否|有没有")
# "有什么成效", "效果怎么样", "收入有什么变化": results are asked, and a figure ("化解纠纷近千次") states one.
_RESULTS_ASKED_RE = re.compile(r"成效|效果|成果|成绩|变化")
TEXT_CHECK_SAME = "文件里的数与您说的一致：\n"
TEXT_CHECK_DIFFERENT = "文件里的数与您说的不同，以文件为准：\n"
TITLE_SHOWN_CHARS = 30


@dataclass(frozen=True, slots=True)
class AnswerParams:
    """Limits of the composed text."""

    max_bytes: int = 2048
    quote_max_chars: int = 110
    max_places: int = 3
    action_fact_max_chars: int = 60  # a how-question's fact grows over clauses stating the action up to this


class _Item(NamedTuple):
    """One place's part of the answer."""

    cand: Candidate
    paragraph: str
    fact: str  # the fact line, without its place
    quote: Span


def _shown_title(title: str) -> str:
    """A long title without its subtitle (the subtitle stays in the JSON sources, not on the phone)."""
    return title.split("——")[0] if len(title) > TITLE_SHOWN_CHARS and "——" in title else title


def _strip(text: str) -> str:
    return text.strip().rstrip("，,；;：:。").strip()


class Composer:
    """Turns ranked candidates into the user's answer."""

    def __init__(
        self,
        lexicon: Lexicon,
        params: AnswerParams,
        idf: Callable[[str], float] | None = None,
        effect_params: EffectParams | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.params = params
        self._idf = idf or (lambda _token: 1.0)
        self.effect_params = effect_params or EffectParams()

    # ---- choosing the fact inside a passage ------------------------------------------------------------
    def _echo(
        self, query: Query, text: str, *, item: bool = False, only: dict[str, dict[str, float]] | None = None
    ) -> float:
        """How much of the question's topic (or of the words ``only``) ``text`` states (idf-weighted; place
        names do not count)."""
        score = 0.0
        low = plain(text)
        shared = set(query.amount.words) if item and query.amount else set()
        for token, alternatives in (query.weights if only is None else only).items():
            if token in query.place_terms or token in shared:
                continue  # the document is already from that place; its name does not state the fact
            if item and len(token) == 1:
                continue  # "村" of "村正职干部" is not told apart by the item "…兼村(居)民小组长…"
            hit = max((w for term, w in alternatives.items() if term in low), default=0.0)
            score += hit * self._idf(token)
        return score

    def _clause_score(self, query: Query, text: str, *, item: bool = False) -> float:
        """How well ``text`` states the answer. ``item``: it is one item of an enumeration, whose items
        share what is asked ("正职待遇由…每月2000元…、副职由…"): only what tells the items apart counts."""
        score = self._echo(query, text, item=item)
        low = plain(text)
        for side, other in contrasts(query.text):
            if any(w in low for w in other) and not any(w in low for w in side):
                score -= 2.0  # "村副职…待遇近24000元" does not answer a question about 正职
        if not _YES_NO_RE.search(query.text) and any(
            f"{neg}{t}" in low and f"{neg}{t}" not in query.text for t in query.content for neg in _NEGATIONS
        ):
            # "设了委员会的支部…由谁召集" is not answered by "不设委员会的党支部由支部书记召集" (a yes/no
            # question is: "预备党员能不能参加表决" by "预备党员没有表决权").
            score -= 2.0
        needs = query.needs
        if needs.unit == DURATION:
            # "用几年见成效" is answered by the clause saying how long ("三年巩固深化见成效"), in words or figures.
            score += 3.0 if states_duration(text) else -1.0
        elif needs.number:
            amounts = amounts_in(text)
            if amounts:
                # An amount of another unit ("54个" for "盖多大") is a weak answer to a how-much question.
                score += 2.0 + (1.0 if any(unit_matches(a, needs.unit) for a in amounts) else -1.0)
                counted = query.counted
                if counted and not item and any(w in low for w in (counted, *self.lexicon.synonyms_of(counted))):
                    score += 1.5  # "要覆盖多少" by the clause stating 覆盖 with its amount ("100%覆盖…")
                if needs.period and not item and any(a.period == needs.period for a in amounts):
                    score += 2.5
                elif needs.period and all(any(unit_matches(a, u) for a in amounts) for u in ("人", "元")):
                    # "副职干部每月拿多少" is not answered by a sum for so many people ("为325名…干部的养老保险
                    # 补助近160万元"): a total, not the rate for one.
                    score -= 2.0
            else:
                score -= 1.0
        if needs.frequency and states_frequency(text):
            score += 2.0
        if needs.date and states_date(text):
            score += 2.0  # "哪年出台的" is answered by the clause stating the date
        if needs.effect and EFFECT_RE.search(text):
            score += 2.0  # "为什么要考核评估" by the clause giving the purpose ("确保…", "有效地激发…")
        if needs.when and states_time(text):
            # "一般放在什么时候开" by the clause saying when ("安排在第四季度"; fact_span adds it to how often).
            score += 2.0
        if needs.name and states_name(text):
            score += 2.0  # "…叫啥名堂" is answered by the clause giving the name ("“整乡提升、整县推进”三年行动计划")
            if (kind := name_kind(query.text)) and kind in text:
                score += 2.0  # "用的是什么战法": the name of that kind ("按照“一名领导专职负责…”战法")
        if needs.holder and states_holder(text):
            score += 2.0  # "指挥长由谁来当" is answered by the clause saying who holds it ("由县区委书记…任指挥长")
        if needs.location and states_location(text):
            score += 2.0  # "在哪里" is answered by the clause naming the place
        if needs.listing and (text.count("、") >= 2 or text.count("“") >= 2):
            # "包括哪些" is answered by the clause that enumerates (or names several quoted items: "明确“产业
            # 发展”“车间出租”等6种…模式")
            score += 2.0
            concept = asked_concept(query)
            if concept and listed_count(text) == concept_count(concept):
                score += 2.0  # "“五事”是哪五件": the clause listing five, not a nearby list of four
        if needs.ordinal is None and not needs.listing and _HEADING_RE.match(text) and only_headings(text):
            score -= 3.0  # "二是聚焦“五项制度”抓落实。" names a measure; the clauses after it state it
        quoted = query.quoted if _WORDING_ASK_RE.search(query.text) else ()
        if any(unquote(q) in unquote(text) for q in quoted):
            # "三句“有保障”“有前途”原话咋说的": the wording asked is the clause with the words quoted.
            score += 2.0
        if _BACKGROUND_RE.search(text):
            score -= 1.0  # "在…的基础上": what was already done; the clause after it is the news
        action = query.action
        if action and not item and any(w in low for w in (action, *self.lexicon.synonyms_of(action))):
            score += 5.0  # "咋处理" is answered by the clause stating the 处理 (or 警告, 问责 …)
        fits = head_count_fits(needs.head_count, text) if needs.head_count is not None else None
        if fits is not None:
            # "我们支部正式党员才5个，还开支委会吗": the rule for fewer than 7, not the one for 7 or more.
            score += 3.0 if fits else -3.0
        return score

    def fact_span(self, query: Query, paragraph: str, cand: Candidate) -> Span:
        """The clause of the passage that states the answer (offsets into the paragraph)."""
        p = cand.passage
        text = paragraph[p.start : p.end]
        if query.needs.ordinal is not None and enumerator(text) == query.needs.ordinal:
            # "第一条是什么": the item's heading sentence is the answer.
            end = next((i + 1 for i, ch in enumerate(text) if ch in SENTENCE_END), len(text))
            return Span(p.start, p.start + end)
        needs = query.needs
        if needs.effect and not needs.number:
            effect = self._effect_fact(query, paragraph, cand)
            if effect is not None:
                return effect
        spans = clauses(text) or [Span(0, len(text))]
        if cand.amount_at:
            # A question about a named amount is answered where the passage states it, not by another
            # amount in it ("养老保险补助近160万元" for a question about 待遇).
            spans = [s for s in spans if any(s.start < w.end and w.start < s.end for w in cand.amount_at)]
            unit = query.amount.unit if query.amount else None
            if unit and (counted := [s for s in spans if states_amount_in(text[s.start : s.end], unit)]):
                # "多少名党员受益" is answered by "553名基层党员受益", not by the loan total the amount's
                # span starts with ("发放…贷款4210万元,553名基层党员受益").
                spans = counted
        scored = [(self._clause_score(query, text[s.start : s.end]), -i, s) for i, s in enumerate(spans)]
        _, _, best = max(scored)
        start, end = best.start, best.end
        if needs.number and not amounts_in(text[start:end]):
            # The amount is often in the next clause ("…提高待遇，每月达到4200元").
            after = [s for s in spans if s.start >= end and amounts_in(text[s.start : s.end])]
            if after:
                end = after[0].end
        if needs.when and not _says_when(text[start:end]):
            # "组织生活会一般每年召开一次，通常安排在第四季度": how often, then (the next clause) when.
            end = _through_next(text, spans, end, _says_when, adjacent=True)
        if needs.effect and not EFFECT_RE.search(text[start:end]):
            # "…以后有什么成效": the effect often follows the measure in the same sentence.
            end = _through_next(text, spans, end, lambda t: EFFECT_RE.search(t) is not None, adjacent=False)
        clause = text[start:end]
        if not needs.listing and len(clause) > 40 and "、" in clause:
            start, end = self._narrow_enumeration(query, text, start, end)
        if needs.name and not states_name(text[start:end]):
            # "组建指挥部用的是什么战法": the name is given earlier or later in the same sentence ("按照“…”战法,
            # 由…,选派…组建4个县区脱贫攻坚指挥部").
            widened = _with_nearest(text, spans, start, end, states_name)
            start, end = widened.start, widened.end
        if query.action:
            start, end = self._with_adjacent_actions(query, text, spans, start, end)
        if needs.listing and text[start:end].count("、") < 2 and text[end - 1] not in SENTENCE_END:
            # "“三会一课”是…基本制度,指支部党员大会、支部委员会会议、党小组会和…": the list goes on in
            # the sentence's next clause.
            listed = next((s for s in spans if s.start >= end), None)
            following = text[listed.start : listed.end] if listed is not None else ""
            if listed is not None and _LIST_OPENER_RE.match(following) and following.count("、") >= 2:
                end = listed.end
        if _TOPIC_PHRASE_RE.match(text[start:end]) and text[end - 1] not in SENTENCE_END:
            # "对考核为“一般”等次的5个党(工)委," only says whom; what was done to them follows.
            end = next((s.end for s in spans if s.start >= end), end)
        if needs.date and not states_date(text[start:end]):
            # The date often opens the sentence ("2015年6月,省委印发《…》"): take it in.
            before = [s for s in spans if s.end <= start and states_date(text[s.start : s.end])]
            if before and not any(ch in SENTENCE_END for ch in text[before[-1].end : start]):
                start = before[-1].start
        # Leading clauses that are only a subject ("宣恩县：") are too short to stand alone.
        if end - start < 8:
            prev = [s for s in spans if s.end <= start]
            if prev:
                start = prev[-1].start
        fact = Span(p.start + start, p.start + end)
        if needs.listing and paragraph[fact.start : fact.end].count("、") < 2:
            fact = self._with_following_sentence(paragraph, fact)
        return fact

    def _effect_fact(self, query: Query, paragraph: str, cand: Candidate) -> Span | None:
        """"…起到了什么作用": the clause after the measure the question restates that gives its effect
        (knowledge/effects.py), looking into the sentences either side of the passage (a passage may start
        or end inside the sentence that states the measure or its effect)."""
        p = cand.passage
        window = _sentences_around(paragraph, p.start, p.end)
        text = paragraph[window.start : window.end]
        spans = clauses(text)
        asking = effect_ask(query.text) or query.text
        named = named_effects(tuple(query.weights), asking)
        # The words of the asking clause name the aspect ("化解矛盾纠纷方面有什么成效") when other clauses
        # restate the measure; "…是为了解决什么问题" names none.
        aspect = {
            t: alternatives
            for t, alternatives in query.weights.items()
            if not query.text.lstrip().startswith(asking)
            and t in asking
            and t not in named
            and not asks_effect_word(t)
            and not re.search(f"(?:什么|啥|哪些)(?:样的)?{re.escape(t)}", asking)
        }
        ask = EffectAsk(
            terms=(*(t for alternatives in query.weights.values() for t in alternatives), *query.place_terms),
            named=named,
            figures=_RESULTS_ASKED_RE.search(asking) is not None,
            consequence=asks_consequence(asking),
        )
        found = effect_span(
            text,
            spans,
            [self._echo(query, text[s.start : s.end]) for s in spans],
            [self._echo(query, text[s.start : s.end], only=aspect) for s in spans],
            ask,
            self.effect_params,
        )
        if found is None:
            return None
        return Span(window.start + found.start, window.start + found.end)

    def _with_adjacent_actions(
        self, query: Query, text: str, spans: list[Span], start: int, end: int
    ) -> tuple[int, int]:
        """"咋处理": the clauses next to the fact that state the action too belong to it ("由县委给予“黄牌”警告,
        并对5名书记进行了约谈"), within its sentence and up to ``action_fact_max_chars``."""
        assert query.action is not None
        forms = (query.action, *self.lexicon.synonyms_of(query.action))

        def acts(s: Span) -> bool:
            low = plain(text[s.start : s.end])
            return any(f in low for f in forms)

        inside = [i for i, s in enumerate(spans) if s.start < end and start < s.end]
        if not inside:
            return start, end
        lo, hi = inside[0], inside[-1]
        while lo > 0 and acts(spans[lo - 1]) and text[spans[lo - 1].end - 1] not in SENTENCE_END:
            if end - spans[lo - 1].start > self.params.action_fact_max_chars:
                break
            lo -= 1
        while hi + 1 < len(spans) and acts(spans[hi + 1]) and text[spans[hi].end - 1] not in SENTENCE_END:
            if spans[hi + 1].end - spans[lo].start > self.params.action_fact_max_chars:
                break
            hi += 1
        if lo > 0 and text[spans[lo - 1].end - 1] not in SENTENCE_END:
            before = text[spans[lo - 1].start : spans[lo - 1].end]
            opens = _OPENING_LINKS_RE.sub("", text[spans[lo].start : spans[lo].end])
            if _MEANS_RE.search(before) and any(opens.startswith(f) for f in forms):
                # "咋督促的": "建立日提醒、周通报、月约谈制度,督促各基层党组织…" — the means is said before
                # the clause opening with the action.
                lo -= 1
        return min(start, spans[lo].start), max(end, spans[hi].end)

    @staticmethod
    def _with_following_sentence(paragraph: str, fact: Span) -> Span:
        """A heading sentence ("三是聚焦“五个基本”抓规范。") is followed by what it names: include it."""
        if fact.end - fact.start > 30 or paragraph[fact.end - 1] not in SENTENCE_END:
            return fact
        end = fact.end
        while end < len(paragraph) and paragraph[end] not in SENTENCE_END:
            end += 1
        return Span(fact.start, min(len(paragraph), end + 1))

    def _narrow_enumeration(self, query: Query, text: str, start: int, end: int) -> tuple[int, int]:
        """Inside "A提高到x、B提高到y、C…" keep the item the question is about."""
        items: list[Span] = []
        s = start
        protected = number_spans(text)
        for i in range(start, end):
            if text[i] == "、" and not any(ps.start < i < ps.end for ps in protected):
                items.append(Span(s, i))
                s = i + 1
        items.append(Span(s, end))
        if len(items) < 2:
            return start, end
        scored = [(self._clause_score(query, text[it.start : it.end], item=True), -k, it) for k, it in enumerate(items)]
        score, _, best = max(scored)
        if score <= 0 or (query.needs.number and not amounts_in(text[best.start : best.end])):
            return start, end
        return best.start, best.end

    @staticmethod
    def _concept_list(query: Query, paragraph: str, document: tuple[str, ...]) -> tuple[str, Span] | None:
        """"四个融合都有啥": the items' names when the paragraph gives each its own sentence, or when the
        document gives each a numbered heading ("五抓五促是哪五条"; concepts.py), with where the paragraph
        names the concept."""
        if not query.needs.listing:
            return None
        terms = list(query.content)
        if (head := head_asked(query.text)) and (named := concept_by_head(paragraph, head)):
            terms.append(named)  # "做到了哪几个全覆盖": the paragraph's "四个覆盖"
        for term in terms:
            at = paragraph.find(term)
            names = concept_items(paragraph, term)
            if names:
                return f"“{term}”是{'、'.join(names)}", Span(at, at + len(term))
            headed = heading_items(document, term) if at >= 0 else None
            if headed and not any(term in document[index] for index, _ in headed):
                return f"“{term}”是：{'；'.join(h for _, h in headed)}", Span(at, at + len(term))
        return None

    # ---- quoting ----------------------------------------------------------------------------------------
    def quote_span(self, paragraph: str, fact: Span) -> Span:
        """The sentence holding ``fact``, trimmed around it to at most quote_max_chars (clause-aligned)."""
        s = fact.start
        while s > 0 and paragraph[s - 1] not in SENTENCE_END:
            s -= 1
        e = fact.end
        while e < len(paragraph) and paragraph[e - 1] not in SENTENCE_END:
            e += 1
        while e < len(paragraph) and paragraph[e] in CLOSERS:
            e += 1
        limit = self.params.quote_max_chars
        if e - s <= limit:
            return Span(s, e)
        # Too long: grow from the fact clause outwards, one clause at a time, while it fits.
        spans = [Span(s + c.start, s + c.end) for c in clauses(paragraph[s:e])]
        inside = [i for i, c in enumerate(spans) if c.end > fact.start and c.start < fact.end]
        lo, hi = (inside[0], inside[-1]) if inside else (0, 0)
        qs, qe = min(spans[lo].start, fact.start), max(spans[hi].end, fact.end)
        grew = True
        while grew:
            grew = False
            if lo > 0 and qe - spans[lo - 1].start <= limit:
                lo -= 1
                qs = spans[lo].start
                grew = True
            if hi + 1 < len(spans) and spans[hi + 1].end - qs <= limit:
                hi += 1
                qe = spans[hi].end
                grew = True
        return Span(qs, qe)

    def _quoted(self, paragraph: str, span: Span, max_chars: int | None = None) -> str:
        text = paragraph[span.start : span.end]
        if max_chars is not None and len(text) > max_chars:
            text = text[:max_chars]
            cut = [n for n in number_spans(text) if n.end == len(text)]
            if cut:  # never end a quote inside a number
                text = text[: cut[0].start]
            return f"“{'' if span.start == 0 else ELLIPSIS}{text}{ELLIPSIS}”"
        head = "" if span.start == 0 or paragraph[span.start - 1] in SENTENCE_END else ELLIPSIS
        tail = "" if span.end >= len(paragraph) or paragraph[span.end - 1] in SENTENCE_END else ELLIPSIS
        return f"“{head}{text.strip()}{tail}”"

    # ---- the answer -------------------------------------------------------------------------------------
    @staticmethod
    def source_line(doc: Document, paragraph: int) -> str:
        meta = doc.meta
        parts = [f"《{_shown_title(meta.title)}》"]
        if meta.place.label:
            parts.append(meta.place.label)
        parts.append(meta.date or "未注明日期")
        if meta.publisher and doc.builtin:
            parts.append(meta.publisher)
        # Paragraph 0: a credit line of the page (its date line, by-line, editor), outside the content.
        parts.append(f"第{paragraph}段" if paragraph else "文章署名信息")
        return "，".join(parts)

    def compose(self, query: Query, chosen: Sequence[Candidate]) -> QAResult:
        """The answer for ``chosen`` (one candidate, or one per place when places differ)."""
        items = []
        for cand in chosen[: self.params.max_places]:
            paragraph = cand.doc.paragraphs[cand.passage.paragraph - 1]
            listed = self._concept_list(query, paragraph, cand.doc.paragraphs)
            if listed:
                fact_text, named = listed
                quote = self.quote_span(paragraph, named)  # the sentence naming the concept
            else:
                fact = self.fact_span(query, paragraph, cand)
                fact_text, quote = _strip(paragraph[fact.start : fact.end]), self.quote_span(paragraph, fact)
            items.append(_Item(cand, paragraph, fact_text, quote))
        sources = tuple(
            Source(
                doc=c.doc.file_name,
                title=c.doc.meta.title,
                date=c.doc.meta.date,
                place=c.doc.meta.place.label or None,
                paragraph=c.passage.paragraph,
                quote=par[q.start : q.end].strip(),
                score=round(c.score, 4),
            )
            for c, par, _f, q in items
        )
        lead = _check_lead(query, items)
        quote_chars = self.params.quote_max_chars
        while True:
            text = lead + self._render(items, quote_chars, named=bool(query.places))
            if len(text.encode()) <= self.params.max_bytes or quote_chars <= 20:
                break
            quote_chars -= 20
        while len(text.encode()) > self.params.max_bytes and len(items) > 1:
            items = items[:-1]
            sources = sources[: len(items)]
            text = lead + self._render(items, quote_chars, named=bool(query.places))
        return QAResult(query.text, True, _fit_bytes(text, self.params.max_bytes), sources)

    def compose_author(self, query: Query, cand: Candidate) -> QAResult:
        """"…的是谁": the document's author, quoted where the document names them (authorship.py)."""
        doc = cand.doc
        found = author_sentence(doc)
        assert found is not None and doc.meta.author, "chosen only when the document names its author"
        number, span = found
        paragraph = doc.paragraphs[number - 1]
        fact = f"《{_shown_title(doc.meta.title)}》的作者（发言人）是{doc.meta.author}"
        shown = self._quoted(paragraph, span, self.params.quote_max_chars)
        return self._about_document(query, cand, fact, shown, paragraph[span.start : span.end].strip(), number)

    def compose_credit(self, query: Query, cand: Candidate, credit: Credit) -> QAResult:
        """"这篇报道是哪天发布的": what the document's credit line says, quoting the line (credits.py)."""
        fact = credit_fact(_shown_title(cand.doc.meta.title), credit)
        # The line is the page's header or footer, not a numbered content paragraph: paragraph 0.
        return self._about_document(query, cand, fact, f"“{credit.line}”", credit.line, 0)

    def _about_document(
        self, query: Query, cand: Candidate, fact: str, shown: str, quote: str, paragraph: int
    ) -> QAResult:
        """The reply to a question about the document itself: ``fact``, the quote as ``shown``, the source."""
        doc = cand.doc
        place = doc.meta.place.key
        text = "\n".join(
            [
                f"{place}：{fact}。" if place else f"{fact}。",
                f"原文：{shown}",
                f"出处：{self.source_line(doc, paragraph)}",
            ]
        )
        source = Source(
            doc=doc.file_name,
            title=doc.meta.title,
            date=doc.meta.date,
            place=doc.meta.place.label or None,
            paragraph=paragraph,
            quote=quote,
            score=round(cand.score, 4),
        )
        return QAResult(query.text, True, _fit_bytes(text, self.params.max_bytes), (source,))

    def _render(self, items: list[_Item], quote_chars: int, *, named: bool) -> str:
        """The reply for ``items``; ``named``: the question named its places (no hint to name one)."""
        if len(items) == 1:
            cand, par, fact_text, quote = items[0]
            place = cand.doc.meta.place.key
            lines = [f"{place}：{fact_text}。" if place else f"{fact_text}。"]
            lines.append(f"原文：{self._quoted(par, quote, quote_chars)}")
            lines.append(f"出处：{self.source_line(cand.doc, cand.passage.paragraph)}")
            return "\n".join(lines)
        marks = "①②③④⑤⑥"
        lines = ["分别是："] if named else ["各地规定不同，分别是："]
        # Several places on one phone screen: each quote is kept short.
        quote_chars = min(quote_chars, MULTI_QUOTE_CHARS)
        for i, (cand, par, fact_text, quote) in enumerate(items):
            place = cand.doc.meta.place.label or cand.doc.meta.title
            lines.append(f"{marks[i]}{place}：{fact_text}。")
            lines.append(f"  原文：{self._quoted(par, quote, quote_chars)}")
            lines.append(f"  出处：{self.source_line(cand.doc, cand.passage.paragraph)}")
        if not named:
            lines.append("问题里带上县（市）名，可只看当地的规定。")
        return "\n".join(lines)


# "原话怎么说的", "原文是怎么表述的": the wording itself is asked.
_WORDING_ASK_RE = re.compile(r"原话|原文|原句|怎么\s*(?:说|讲|提|表述)的")


def _through_next(
    text: str, spans: list[Span], end: int, says: Callable[[str], bool], *, adjacent: bool
) -> int:
    """Where a fact ending at ``end`` ends once it takes in the next clause of its sentence that ``says``
    what is asked (only the clause right after it when ``adjacent``); ``end`` when there is none."""
    after = [s for s in spans if s.start >= end]
    following = next((s for s in (after[:1] if adjacent else after) if says(text[s.start : s.end])), None)
    if following is None or any(ch in SENTENCE_END for ch in text[end - 1 : following.start]):
        return end
    return following.end


def _with_nearest(text: str, spans: list[Span], start: int, end: int, wanted: Callable[[str], bool]) -> Span:
    """``start``–``end`` widened to the nearest clause of the same sentence for which ``wanted`` holds
    (unchanged when there is none)."""
    outside = [s for s in spans if s.end <= start or s.start >= end]
    found = [
        s
        for s in outside
        if wanted(text[s.start : s.end])
        and not any(ch in SENTENCE_END for ch in text[min(s.end, end) : max(s.start, start)])
    ]
    if not found:
        return Span(start, end)
    best = min(found, key=lambda s: abs(s.start - start))
    return Span(min(start, best.start), max(end, best.end))


def _sentences_around(paragraph: str, start: int, end: int) -> Span:
    """The sentences of ``paragraph`` holding [start, end), with the sentence before and the one after."""
    while start > 0 and paragraph[start - 1] not in SENTENCE_END:
        start -= 1  # back to the start of the sentence holding ``start``
    if start > 0:
        start -= 1  # and of the one before it
        while start > 0 and paragraph[start - 1] not in SENTENCE_END:
            start -= 1
    for _ in range(2):  # on to the end of the sentence holding ``end``, then of the one after
        while end < len(paragraph) and paragraph[end - 1] not in SENTENCE_END:
            end += 1
        end = min(len(paragraph), end + 1)
    return Span(start, end)


def _says_when(text: str) -> bool:
    """``text`` says when (a date or time of year), not only how often."""
    return states_time(text) and not states_frequency(text)


def _check_lead(query: Query, items: list[_Item]) -> str:
    """For "听说…3000元，对吧": a first line saying whether the document states the heard figure. Only
    for a single fact with a figure to compare; the fact line itself always gives the document's figure."""
    if not query.needs.claims or len(items) != 1:
        return ""
    verdict = check_verdict(query.needs.claims, items[0].fact)
    if verdict is None:
        return ""
    return TEXT_CHECK_SAME if verdict else TEXT_CHECK_DIFFERENT


def _fit_bytes(text: str, max_bytes: int) -> str:
    """Cut ``text`` to ``max_bytes`` UTF-8 bytes at a character boundary (a last resort)."""
    data = text.encode()
    if len(data) <= max_bytes:
        return text
    cut = data[: max_bytes - len(ELLIPSIS.encode())].decode("utf-8", errors="ignore")
    return cut + ELLIPSIS


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters for echoing back to a user."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[:limit] + "…"
