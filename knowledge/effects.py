"""Where a passage gives the purpose or the effect a question asks about.

"宣恩县推行专职化管理、做到权利和责任对等统一，起到了什么作用？" restates a measure and asks what follows
from it. The document states the measure in one clause (the *anchor*: the last clause that echoes the
question well) and what follows in a later clause of the same sentence — or of the next one — often
marked ("确保…", "形成…格局", "有效解决了…难题", "推进了…进程"). The clause that echoes the question best is
therefore not the answer; the first clause from it on that says something new with such a mark is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.clauses import SENTENCE_END, Span
from knowledge.numbers import amounts_in

# A clause giving a purpose or an effect ("确保…", "有效地激发…", "形成…格局", "解决了…问题", "着力培养…").
EFFECT_RE = re.compile(
    r"为了|以便|确保|让|使|推动|推进了|实现|形成|激发|有效|解决|杜绝|避免|提升|提高|增强|促进|带动|达到|营造|破解"
    r"|保障|着力|从而|才能|倒逼|丈量"
)
# What follows from a condition, when that is asked ("…帮扶不力的,…不得评为优秀等次").
CONSEQUENCE_RE = re.compile(r"不得|不能|予以|取消|免职|罢免|约谈|问责|诫勉|黄牌|警告|处分|追责")
# A sentence opening with its purpose ("为总结经验、找准差距,…,近日召开了述职会").
_PURPOSE_FIRST_RE = re.compile(r"\s*(?:为了?|旨在)(?!\d)")
_PUNCT_RE = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class EffectParams:
    """How the effect clause is found."""

    anchor_share: float = 0.6  # a clause echoing ≥ this share of the best echo can be the anchor
    aspect_share: float = 0.8  # the first clause stating ≥ this share of the best statement of the aspect
    min_new_chars: int = 5  # a clause gives an effect only with at least this much text the question lacks
    max_chars: int = 90  # the fact (anchor through effect) grows no longer than this


@dataclass(frozen=True, slots=True)
class EffectAsk:
    """What a purpose or effect question says about the effect it wants."""

    terms: tuple[str, ...]  # every word of the question, with its alternatives: not new in a clause
    named: tuple[str, ...] = ()  # the effect named ("是为了杜绝什么情况" → 杜绝)
    figures: bool = False  # results are asked ("有什么成效"): a figure states one
    consequence: bool = False  # what follows from a condition is asked ("帮扶不力的书记会咋样")


def new_text(clause: str, terms: Sequence[str]) -> str:
    """``clause`` without the question's words and punctuation: what it says that the question does not."""
    for term in sorted(terms, key=len, reverse=True):
        if term:
            clause = clause.replace(term, " ")
    return _PUNCT_RE.sub("", clause)


def named_effects(words: Sequence[str], asking: str | None = None) -> tuple[str, ...]:
    """The words (of the asking clause ``asking``, when given) that name the effect asked about ("是为了杜绝
    什么情况" → 杜绝; "…兜底保障…，要解决什么难题" → 解决, not 保障)."""
    return tuple(
        w for w in words if len(w) >= 2 and EFFECT_RE.fullmatch(w) and (asking is None or w in asking)
    )


def gives_effect(clause: str, ask: EffectAsk, params: EffectParams) -> bool:
    """``clause`` states a purpose or an effect — or a figure, when results are asked — beyond the
    question's own words."""
    if ask.figures and any(a.text not in ask.terms for a in amounts_in(clause)):
        return len(new_text(clause, ask.terms)) >= params.min_new_chars
    # The mark must lead to something new: "只有让群众动起来" restates "为什么要让群众动起来" after its 让.
    marks = [*EFFECT_RE.finditer(clause), *(CONSEQUENCE_RE.finditer(clause) if ask.consequence else ())]
    return any(len(new_text(clause[m.end() :], ask.terms)) >= params.min_new_chars for m in marks)


def _measure(text: str, spans: Sequence[Span], echoes: Sequence[float], share: float) -> int | None:
    """The clause stating the measure: the last one of the best echo's sentence that echoes the question
    nearly as well as it ("…细化为百分制考核,再按日常表现打分," both restate "…细化成百分制、按指数打分")."""
    top = max(echoes, default=0.0)
    if top <= 0:
        return None
    best = echoes.index(top)
    measure = best
    for i in range(best + 1, len(spans)):
        if text[spans[i - 1].end - 1] in SENTENCE_END:
            break
        if echoes[i] >= share * top:
            measure = i
    return measure


def _aspect(aspect: Sequence[float], measure: int, share: float) -> int | None:
    """The clause from the measure on stating the aspect asked about ("…活动以后，化解矛盾纠纷方面有什么成效"
    → "化解纠纷近千次"): the first one stating it nearly as well as the best."""
    best = max(aspect[measure:], default=0.0)
    if best <= 0:
        return None
    return next(i for i in range(measure, len(aspect)) if aspect[i] >= share * best)


def _to_sentence_end(text: str, spans: Sequence[Span], start: int, i: int, max_chars: int) -> int:
    """Where the effect clause ``spans[i]`` ends once it takes in the rest of its sentence ("着力培养一支
    队伍,接续乡村振兴。"), while the fact from ``start`` fits in ``max_chars``."""
    end = spans[i].end
    for s in spans[i + 1 :]:
        if text[end - 1] in SENTENCE_END or s.end - start > max_chars:
            break
        end = s.end
    return end


def effect_span(
    text: str,
    spans: Sequence[Span],
    echoes: Sequence[float],
    aspect: Sequence[float],
    ask: EffectAsk,
    params: EffectParams,
) -> Span | None:
    """The fact answering a purpose or effect question, as offsets into ``text``.

    ``spans`` are the clauses of ``text``; ``echoes`` how well each states the question's words and
    ``aspect`` the words of its asking clause. None when no clause echoes the question.
    """
    anchor = _measure(text, spans, echoes, params.anchor_share)
    if anchor is None:
        return None
    stated = _aspect(aspect, anchor, params.aspect_share)
    if stated is not None and stated != anchor:
        # What became of the aspect asked about is said where it is named ("干部有了更多时间…").
        at = spans[stated].start
        return Span(at, _to_sentence_end(text, spans, at, stated, params.max_chars))
    first = spans[anchor]
    for i, s in enumerate(spans[anchor:], start=anchor) if ask.named else ():
        # "是为了杜绝什么情况": the clause from the measure on stating 杜绝 and something more.
        clause = text[s.start : s.end]
        if any(v in clause for v in ask.named) and len(new_text(clause, ask.terms)) >= params.min_new_chars:
            return Span(s.start, _to_sentence_end(text, spans, s.start, i, params.max_chars))
    if gives_effect(text[first.start : first.end], ask, params):
        return first
    before = _purpose_before(text, spans, anchor, ask, params)
    if before is not None:
        return before
    # What the measure leads to follows it — in its sentence, or in the next one when it ends one.
    ends_sentence = text[first.end - 1] in SENTENCE_END and anchor + 1 < len(spans)
    start = spans[anchor + 1].start if ends_sentence else first.start
    for i, nxt in enumerate(spans[anchor + 1 :], start=anchor + 1):
        if nxt.end - start > params.max_chars:
            break
        if gives_effect(text[nxt.start : nxt.end], ask, params):
            return Span(start, _to_sentence_end(text, spans, start, i, params.max_chars))
    if anchor + 1 < len(spans):
        return Span(first.start, spans[anchor + 1].end)  # what the measure leads to is said right after it
    return first


def _purpose_before(
    text: str, spans: Sequence[Span], anchor: int, ask: EffectAsk, params: EffectParams
) -> Span | None:
    """"为总结经验,…,确保任务落实,近日召开了述职会": the purpose opening the anchor's sentence, through its
    last clause giving an effect."""
    opening = None
    for i in range(anchor - 1, -1, -1):
        if text[spans[i].end - 1] in SENTENCE_END:
            break
        if _PURPOSE_FIRST_RE.match(text[spans[i].start : spans[i].end]):
            opening = i
    if opening is None:
        return None
    last = max(
        (i for i in range(opening, anchor) if gives_effect(text[spans[i].start : spans[i].end], ask, params)),
        default=opening,
    )
    start = spans[opening].start
    ends = [spans[i].end for i in range(opening, last + 1) if spans[i].end - start <= params.max_chars]
    return Span(start, max(ends, default=spans[opening].end))
