"""Finding the purpose or the effect a question asks about (knowledge/effects.py), on texts of our own."""

from __future__ import annotations

from knowledge.clauses import clauses
from knowledge.effects import EffectAsk, EffectParams, effect_span, gives_effect, named_effects, new_text

PARAMS = EffectParams()


def _fact(text: str, words: tuple[str, ...], *, aspect: tuple[str, ...] = (), **ask: object) -> str:
    """The fact ``effect_span`` picks in ``text`` for a question made of ``words`` (its echo: how many of
    them a clause states; ``aspect``: the words of the asking clause)."""
    spans = clauses(text)
    echoes = [float(sum(w in text[s.start : s.end] for w in words)) for s in spans]
    aspects = [float(sum(w in text[s.start : s.end] for w in aspect)) for s in spans]
    found = effect_span(text, spans, echoes, aspects, EffectAsk(terms=words, **ask), PARAMS)  # type: ignore[arg-type]
    assert found is not None
    return text[found.start : found.end]


def test_the_effect_follows_the_measure_the_question_restates() -> None:
    text = "某县推行干部坐班制度,明确值班责任,有效解决了群众办事找不到人的难题。"
    fact = _fact(text, ("推行", "坐班", "制度"))
    assert fact.startswith("某县推行干部坐班制度") and fact.endswith("难题。")


def test_the_last_clause_restating_the_measure_is_the_anchor() -> None:
    # Both clauses restate the question; the effect comes after the second.
    text = "将考核细化为百分制,再按平时表现打分,用分数衡量先进性,推动管理向基层延伸。"
    fact = _fact(text, ("考核", "百分制", "表现", "打分"))
    assert fact.startswith("再按平时表现打分") and "衡量先进性" in fact


def test_a_clause_marked_but_only_restating_the_question_is_not_the_effect() -> None:
    text = "群众是主体,只有让群众动起来,才能激发出强大的内在动力。"
    assert not gives_effect("只有让群众动起来,", EffectAsk(terms=("群众", "动起来")), PARAMS)
    assert "内在动力" in _fact(text, ("群众", "动起来"))


def test_the_named_effect_is_the_answer() -> None:
    # "是为了杜绝什么情况": the clause stating 杜绝, not the measure or the clauses between.
    text = "建立红旗和黄牌工作机制,对考核好的颁发红旗,对考核差的给予黄牌,坚决杜绝问题年年出现的情况。"
    words = ("建立", "红旗", "黄牌", "机制", "杜绝")
    assert named_effects(words) == ("杜绝",)
    assert _fact(text, words, named=("杜绝",)).startswith("坚决杜绝问题年年出现")


def test_a_purpose_opening_the_sentence_answers_why() -> None:
    text = "为总结经验,找准差距,确保全年各项任务顺利完成,近日,某县召开了述职报告会。会上多名领导述职。"
    fact = _fact(text, ("召开", "述职", "报告会"))
    assert fact.startswith("为总结经验") and fact.endswith("顺利完成,")


def test_when_the_measure_ends_its_sentence_the_effect_is_in_the_next() -> None:
    text = "甲、乙和丙是三大杠杆。要抓住增收这个关键,发挥杠杆的撬动作用,从根源上解决保障乏力的难题。下一段。"
    fact = _fact(text, ("三大杠杆", "甲", "乙", "丙"))
    assert fact.startswith("要抓住增收") and "保障乏力" in fact


def test_the_aspect_asked_about_is_found_after_the_measure() -> None:
    # "开展结对活动以后，化解纠纷方面有什么成效": the clause naming 化解纠纷, with its figure.
    text = "开展结对活动,召开群众会300场,化解纠纷近千次,组织宣讲500场。"
    fact = _fact(text, ("开展", "结对", "活动", "化解", "纠纷"), aspect=("化解", "纠纷"), figures=True)
    assert fact.startswith("化解纠纷近千次")


def test_a_figure_is_a_result_only_when_results_are_asked() -> None:
    ask = EffectAsk(terms=("培训",), figures=True)
    assert gives_effect("培训村干部4200多名,", ask, PARAMS)
    assert not gives_effect("培训村干部4200多名,", EffectAsk(terms=("培训",)), PARAMS)
    # The question's own figure is not a result.
    assert not gives_effect("兜底保障48个村,", EffectAsk(terms=("兜底", "保障", "48", "村"), figures=True), PARAMS)


def test_new_text_is_what_the_question_does_not_say() -> None:
    assert new_text("推进了干部职业化进程。", ("干部",)) == "推进了职业化进程"


def test_no_clause_echoing_the_question_gives_no_fact() -> None:
    text = "完全无关的一句话,另一句。"
    spans = clauses(text)
    assert effect_span(text, spans, [0.0] * len(spans), [0.0] * len(spans), EffectAsk(terms=("考核",)), PARAMS) is None


def test_a_consequence_counts_only_when_one_is_asked() -> None:
    clause = "考核不得评为优秀等次,"
    assert gives_effect(clause, EffectAsk(terms=("考核",), consequence=True), PARAMS)
    assert not gives_effect(clause, EffectAsk(terms=("考核",)), PARAMS)


def test_a_short_quoted_saying_is_one_clause() -> None:
    text = "坚持“人人有事做,事事有人管”的原则,全面推进。"
    assert [text[s.start : s.end] for s in clauses(text)] == ["坚持“人人有事做,事事有人管”的原则,", "全面推进。"]
    # A long quote is speech: its clauses are cut as any text.
    speech = "他说:“我们要一起努力,把村里的路修好,把集体经济搞起来,让每一户都过上好日子”。"
    assert len(clauses(speech)) >= 4
