"""Named amounts (knowledge/named_amount.py): a sum or head count stated for the thing asked about."""

from __future__ import annotations

from knowledge.clauses import Span
from knowledge.lexicon import is_person_word
from knowledge.named_amount import AmountAsk, amount_ask, amount_spans, clause_table
from knowledge.numbers import question_needs


def _ask(question: str, content: list[str]) -> AmountAsk | None:
    return amount_ask(question, content, question_needs(question), frozenset({"甲县"}))


def _names(word: str, span: str) -> bool:
    return word in span or (word == "待遇" and "工资" in span)


def _states(word: str, span: str) -> bool:
    return word in span


def _spans(ask: AmountAsk | None, text: str) -> tuple[Span, ...]:
    assert ask is not None
    return amount_spans(ask, clause_table(text, ask.unit), _names, _states)


def test_a_money_question_names_its_money_words_qualifiers_and_people() -> None:
    ask = _ask("甲县驻村第一书记的生活补贴一个月多少钱", ["甲县", "驻村第一书记", "生活", "补贴"])
    assert ask == AmountAsk("元", ("补贴",), ("生活",), ("驻村第一书记",))
    # "村里党建经费": a locative says where, not which fund.
    ask = _ask("村里党建经费一年有多少", ["村里", "党建", "经费"])
    assert ask is not None and ask.qualifiers == ("党建",)
    assert _ask("党员大会多久开一次", ["党员大会"]) is None
    assert _ask("甲县有多少个村", ["甲县", "村"]) is None


def test_a_head_count_question_names_the_people_counted() -> None:
    ask = _ask("甲县选派了多少名驻村第一书记", ["甲县", "选派", "驻村第一书记"])
    assert ask == AmountAsk("人", (), (), ("驻村第一书记",))
    assert _ask("一共派了多少人", ["派"]) is None  # no kind of people named: nothing to check


def test_the_sum_must_be_stated_for_the_people_asked_about() -> None:
    ask = _ask("甲县第一书记每年有多少工作经费", ["甲县", "第一书记", "工作经费"])
    assert ask is not None
    text = "县里加大投入,村级工作经费每年3万元,第一书记另行安排培训。"
    assert _spans(ask, text) == ()
    text = "县里加大投入,为每名第一书记落实工作经费每年1万元,按季度拨付。"
    (span,) = _spans(ask, text)
    assert text[span.start : span.end] == "为每名第一书记落实工作经费每年1万元,"


def test_every_money_word_and_qualifier_must_be_stated() -> None:
    ask = _ask("党员创业贷款利息是多少", ["党员", "创业", "贷款", "利息"])
    assert ask is not None and ask.words == ("贷款", "利息")
    assert _spans(ask, "全县发放党员创业贷款900万元,受益党员100名。") == ()
    ask = _ask("老党员生活补贴一个月多少", ["老", "党员", "生活", "补贴"])
    assert ask is not None
    assert _spans(ask, "为党员发放养老补贴每月300元。") == ()
    assert _spans(ask, "为老党员发放生活补贴每月300元。")


def test_the_sum_may_follow_in_the_next_clause_and_the_subject_precede() -> None:
    ask = _ask("副职干部待遇每月多少", ["副职干部", "待遇"])
    assert ask is not None
    text = "对副职干部,提高工资待遇,每月达到3000元。另有其他补助500元。"
    (span,) = _spans(ask, text)
    assert text[span.start : span.end] == "提高工资待遇,每月达到3000元。"


def test_person_words() -> None:
    assert all(is_person_word(w) for w in ("第一书记", "村干部", "老党员", "两委委员", "村医", "主任助理"))
    assert not any(is_person_word(w) for w in ("工作经费", "党支部", "集体经济"))


def test_generic_money_and_people_words_are_answered_by_the_amount_itself() -> None:
    # "多少资金": any sum is money; "多少名干部": anyone counted. The clause need not repeat the word.
    ask = _ask("甲县每年安排多少资金发展集体经济", ["甲县", "安排", "资金", "发展", "集体经济"])
    assert ask is not None and ask.words == ("资金",)
    assert _spans(ask, "自去年起市县财政每年安排800万元,用于集体经济。")
    ask = _ask("甲县一共选派了多少名干部组建工作队", ["甲县", "选派", "干部", "组建", "工作队"])
    assert ask is not None and ask.people == ("干部",)
    assert _spans(ask, "全县选派300人组建40个工作队。")
    # A specific kind of people must still be named: 第一书记 is not any 300 people.
    ask = _ask("甲县选派了多少名第一书记", ["甲县", "选派", "第一书记"])
    assert _spans(ask, "全县选派300人组建40个工作队。") == ()


def test_words_dating_a_sum_or_saying_only_people_do_not_qualify_it() -> None:
    ask = _ask("甲县正职以前的待遇是多少", ["甲县", "正职", "以前", "待遇"])
    assert ask is not None and ask.qualifiers == () and ask.people == ("正职",)
    assert _spans(ask, "正职待遇由原来的每月2000元提高到4200元。")
    ask = _ask("甲县两委干部的待遇涨到多少了", ["甲县", "两委", "干部", "待遇", "涨到"])
    assert ask is not None and ask.qualifiers == ()
    assert _spans(ask, "正职待遇由原来的每月2000元提高到4200元、副职由1800元提高到3200元。")


def test_a_head_count_is_qualified_like_a_sum() -> None:
    # "辞职的人数": the people counted must be those who resigned.
    ask = _ask("甲县村干部辞职的人数有多少", ["甲县", "村干部", "辞职", "人数"])
    assert ask is not None and ask.unit == "人" and ask.qualifiers == ("辞职",)
    assert _spans(ask, "全县780名村干部各显其能。") == ()
    assert _spans(ask, "去年辞职的村干部有12名。")
