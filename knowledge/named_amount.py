"""How-much and how-many questions about a named thing: where a passage states that amount.

A passage can name the thing asked about and state an amount of something else: "村级工作经费达到每年
2万元" is not a 第一书记's fund, "养老保险补助近160万元" is not a 生活补贴, a loan total is not its
interest, "全县35名县处级领导" is not a count of 党员. So the amount must stand where the passage names
the thing, together with what the question says qualifies it and whom it is for.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from knowledge.clauses import Span, clauses
from knowledge.lexicon import TIME_WORDS, is_person_word, plain, unquote
from knowledge.numbers import QuestionNeeds, is_money_word, states_amount_in

Matcher = Callable[[str, str], bool]  # (question word, text) -> does the text state the word?
# Words that say only "money" or "people": any sum is 资金, anyone counted is 人员. A clause stating a
# sum or a head count answers them without repeating the word ("每年安排8000万元", "选派2346人组建…").
GENERIC_MONEY = frozenset({"资金", "拨款", "款项"})
GENERIC_PEOPLE = frozenset({"干部", "人员", "人"})


@dataclass(frozen=True, slots=True)
class AmountAsk:
    """The named amount a question asks for: a sum of money (元) or a head count (人)."""

    unit: str  # "元" or "人"
    words: tuple[str, ...]  # the money words it names, all to be stated: 津贴, 工作经费, 利息
    qualifiers: tuple[str, ...]  # the words right before one: 生活 (生活补贴), 第一书记 (第一书记的工作经费)
    people: tuple[str, ...]  # whom the sum is for, or who is counted: 第一书记, 村医, 党员 (one to be stated)


def amount_ask(
    question: str, content: Sequence[str], needs: QuestionNeeds, place_terms: Collection[str]
) -> AmountAsk | None:
    """The named amount a question asks for; None unless it asks how much (元) of a money word or how
    many (人) of a kind of people."""
    if not needs.number or needs.unit not in ("元", "人"):
        return None
    words = tuple(t for t in content if is_money_word(t)) if needs.unit == "元" else ()
    others = [t for t in content if t not in words and t not in place_terms]
    people = tuple(t for t in others if is_person_word(t))
    if not (words or (needs.unit == "人" and people)):
        return None
    text = unquote(question.lower())
    # "辞职的人数": the people counted are qualified as a sum is ("生活补贴").
    heads = words + (("人数",) if needs.unit == "人" and "人数" in text else ())
    # "村里党建工作经费": a locative (村里, 县里) says where, not which fund; it does not qualify, nor does
    # a word dating the sum ("以前的待遇") or one saying only "people" ("两委干部的待遇": the passage may
    # name them 正职, 副职, 委员).
    qualifiers = tuple(
        t
        for t in others
        if not t.endswith("里")
        and t not in TIME_WORDS
        and t not in GENERIC_PEOPLE
        and any(f"{t}{m}" in text or f"{t}的{m}" in text for m in heads)
    )
    return AmountAsk(needs.unit, words, qualifiers, people)


@dataclass(frozen=True, slots=True)
class ClauseTable:
    """A passage cut into clauses, read once for every question asking for amounts in ``unit``."""

    spans: tuple[Span, ...]
    parts: tuple[str, ...]  # each clause as matched (plain: unquoted, lower-cased, asides read both ways)
    has_amount: tuple[bool, ...]  # the clause states an amount in the unit


def clause_table(text: str, unit: str) -> ClauseTable:
    """Cut ``text`` into clauses and note which state an amount in ``unit``."""
    spans = tuple(clauses(text))
    parts = tuple(plain(text[s.start : s.end]) for s in spans)
    return ClauseTable(spans, parts, tuple(states_amount_in(p, unit) for p in parts))


def amount_spans(ask: AmountAsk, table: ClauseTable, names: Matcher, states: Matcher) -> tuple[Span, ...]:
    """The clauses of a passage (its ``table``) that state the amount ``ask`` asks for.

    ``names(word, span)``: the span names the word (itself or a synonym); ``states(word, span)``: it
    states a question word (also by its parts). The amount follows the thing it counts or pays for
    ("…的工作经费达到每年2万元", "选派驻村第一书记277人"), in the same clause or the next; those
    clauses, with the one before, must name every money word asked ("贷款利息": 利息 too), every
    qualifier, and one of the people if any.
    """
    spans, parts, has_amount = table.spans, table.parts, table.has_amount
    words = tuple(m for m in ask.words if m not in GENERIC_MONEY)
    people = tuple(t for t in ask.people if t not in GENERIC_PEOPLE)
    # Only generic words asked ("多少资金", "多少名干部"): the amount itself is the anchor.
    generic = not words and not people
    found: list[Span] = []
    for i, part in enumerate(parts):
        anchored = (
            any(names(m, part) for m in words)
            or (not words and any(states(t, part) for t in people))
            or (generic and has_amount[i])
        )
        if not (anchored and any(has_amount[i : i + 2])):
            continue
        last = i if has_amount[i] else i + 1
        # The clause before may hold the subject ("对副职干部,提高待遇,每月达到3000元").
        around = "".join(parts[max(0, i - 1) : last + 1])
        if (
            all(names(m, around) for m in words)
            and all(states(t, around) for t in ask.qualifiers)
            and (not people or any(states(t, around) for t in people))
        ):
            found.append(Span(spans[i].start, spans[last].end))
    return tuple(found)
