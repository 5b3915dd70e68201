"""Deciding "not found": several signals must agree before the bot states a policy.

No single score separates in-domain from out-of-domain questions on this corpus (docs/retrieval.md), so
the decision combines:

- coverage: the idf-weighted share of the question's topic words (synonyms counted) that the passage
  states. Out-of-scope questions ("怎样办理护照") name things no document mentions; a rare word that is
  missing weighs the most.
- dense similarity of the passage to the whole question, which rescues loosely worded questions.
- what the question asks for: a "多少" question needs a passage stating an amount, a "多久" question one
  stating a frequency.
- what a how-to question asks to do: "流动党员怎么转组织关系" is not answered by a passage about
  流动党员党支部 that never says 转.
- what a how-much / how-many question counts: "六盘水驻村干部艰苦边远地区津贴一个月多少钱" is not
  answered by a passage naming that allowance with no sum next to it, "鲁甸全县有多少党员" not by a count
  of 县处级领导 (knowledge/named_amount.py).
- a passage sharing only the place name with the question does not answer it.
- strong coverage alone suffices: most of the (idf-weighted) topic words stated in one passage.

Thresholds are settings, tuned on labelled in- and out-of-domain questions (bench/tune_gate.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.chunking import split_sentences
from knowledge.lexicon import contrasts, plain
from knowledge.numbers import (
    DURATION,
    SCORE,
    amounts_in,
    names_other_ordinal,
    states_body,
    states_date,
    states_duration,
    states_frequency,
    states_holder,
    states_name,
    states_score,
    states_time,
    unit_matches,
)
from knowledge.search import Candidate, Query

# Units a how-many question must find stated as asked; other counted things (个, 项, 次…) are often
# written with another classifier or none.
STRICT_UNITS = ("人", "元", "%", "平方米", "户", "头", "只")


@dataclass(frozen=True, slots=True)
class GateParams:
    """Thresholds of the not-found decision."""

    min_coverage: float = 0.4
    min_dense: float = 0.75
    strong_coverage: float = 0.6


def states_what_is_asked(query: Query, cand: Candidate) -> bool:
    """Does ``cand`` state the kind of thing ``query`` asks for (an amount, a head count, a frequency,
    the action of a how-to question, the named sum of a how-much question)?"""
    text, needs = cand.passage.text, query.needs
    # A question asking for an amount or a frequency is not answered by a passage stating none,
    # however many of its words the passage shares ("村支书一个月能拿多少钱" vs a rule about 党课).
    # (A length of time may be written in words, "三年巩固深化见成效": it is checked below.)
    if (
        needs.number
        and needs.unit != DURATION
        and not (needs.unit == "人" and _asks_quorum(query.text) and _QUORUM_RE.search(text))
    ):
        amounts = amounts_in(text)
        if not amounts:
            return False
        if needs.unit in STRICT_UNITS and not any(unit_matches(a, needs.unit) for a in amounts):
            # "全县一共有多少党员" is not answered by a passage counting villages and yuan, "能多拿点" by
            # one counting people, "奖励按报酬的几成发" by a yearly wage, "面积多少平方米" by a count,
            # "脱贫了多少户" by a count of villages, nor "养了多少头牛" by a loan.
            return False
    if needs.unit == SCORE and not states_score(text):
        return False  # "多少分以上能评为先锋党员" is not answered by "实行百分制考核"
    if needs.unit == DURATION and not states_duration(text):
        return False  # "贷款期限3年，对吧" is not answered by the loan's total
    if needs.frequency and not states_frequency(text):
        return False
    if needs.date and not _dates_the_topic(query, text):
        # "凤庆县是哪年脱贫摘帽的" is not answered by a passage about the county stating no date, nor by
        # "全县2015年末贫困人口仍有4万人": the date must be stated in a sentence about what is asked.
        return False
    if needs.when and not _dates_the_topic(query, text, states_time):
        # "绩效奖励每年什么时候发放" is not answered by a passage saying only that the reward exists, nor
        # by one dating something else in another sentence ("2016年以来,提拔…;…建立绩效奖励制度").
        return False
    if _CONDITION_ASK_RE.search(query.text) and not _CONDITION_RE.search(text):
        # "申请中央财政扶持的项目需要满足什么条件" is not answered by a passage saying such projects were built.
        return False
    if needs.body and not states_body(text):
        return False  # "…指挥中心由哪个部门负责运行" is not answered by the passage saying it was built
    if needs.holder and not states_holder(text):
        return False  # "尖刀班的班长由什么人担任" is not answered by the passage saying the teams were formed
    if needs.name and not states_name(text):
        return False  # "那个三年行动计划叫啥名堂" is not answered by a passage naming nothing
    if any(year not in text for year in needs.years):
        # "2017年底还有多少贫困人口" is not answered by the 2015 figure.
        return False
    if names_other_ordinal(query.text, text, query.context):
        return False  # nor "第五批…" by what the 第四批 did
    low = plain(text)
    for side, other in contrasts(query.text):
        if any(w in low for w in other) and not any(w in low for w in side):
            # "养老保险单位给交多少" is not answered by a 人身意外伤害保险 (contrasts.txt).
            return False
    # "…贷款的还款期限是怎么规定的" is not answered by a passage naming the loan and no 期限.
    return cand.states_action and cand.states_attribute and cand.states_amount


# "到会得多少人才能开", "表决要到多少人": how many must be there for a meeting to be valid is answered by a share
# ("到会人数必须超过…半数"), not a head count.
_QUORUM_ASK_RE = re.compile(
    r"(?:多少|几)(?:个|名)?人.{0,4}(?:才能|才可以|才算|才行|才够)|至少.{0,4}(?:多少|几)(?:个|名)?人"
    r"|表决.{0,4}(?:要|得|需要)(?:到|来|有)(?:多少|几)(?:个|名)?人"
    r"|人数.{0,6}(?:多少|几).{0,6}(?:才能|才可以|才算|才行|才够)"
)
_QUORUM_RE = re.compile(r"半数|过半|三分之二|四分之三|五分之四")
# "需要满足什么条件", "要具备哪些条件": the conditions are asked, which a passage states with words like these
# ("正式党员7人以上的党支部设立…", "符合…的", "必须…").
_CONDITION_ASK_RE = re.compile(
    r"(?:什么|啥子?|哪些|哪几个|哪几条)\s*条件|条件(?:是|有)(?:什么|啥|哪些)|(?:要|需|需要|得)(?:满足|具备|符合)"
)
_CONDITION_RE = re.compile(r"条件|符合|满足|具备|资格|必须|方可|才能|以上|不足|不少于|至少|达到|须")


def _asks_quorum(question: str) -> bool:
    return _QUORUM_ASK_RE.search(question.replace(" ", "")) is not None


def _dates_the_topic(query: Query, text: str, dated: Callable[[str], bool] = states_date) -> bool:
    """Does a sentence of ``text`` state a date (or what ``dated`` accepts: a time of year for 什么时候) and
    name a word the question asks about? The word itself: a part such as 干部 of 村干部 in "2016年以来,
    提拔重用…乡镇干部" does not make that sentence about 村干部."""
    words = [t for t in query.content if t not in query.place_terms and t not in query.context]
    for start, end in split_sentences(text):
        sentence = plain(text[start:end])
        if dated(sentence) and any(w in sentence for w in words):
            return True
    return False


def answerable(query: Query, best: Candidate | None, params: GateParams) -> bool:
    """True when ``best`` answers ``query`` well enough to be stated as policy."""
    if best is None or not query.content or not states_what_is_asked(query, best):
        return False
    if not best.states_topic and any(t not in query.place_terms for t in query.content):
        return False
    if best.coverage >= params.strong_coverage:
        return True
    return best.coverage >= params.min_coverage and best.dense >= params.min_dense
