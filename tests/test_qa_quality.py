"""Retrieval and answer quality with the real model over ../shared/corpus (the issue's targets).

Two labelled sets: the development questions (../shared/eval/dev.jsonl) and our own questions of the
same kinds (bench/data/qa_extra.jsonl, written for this project; its "holdout" half was never used
to choose any threshold).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from embeddings.encoder import Encoder
from knowledge.evaluate import evaluate, read_labelled
from knowledge.results import QAResult
from knowledge.service import KnowledgeService
from tests.fixtures_knowledge import DEV_SET, EXTRA_SET

pytestmark = pytest.mark.model


def _check_targets(
    service: KnowledgeService, path: Path, split: str | None = None, *, accuracy: float = 0.95
) -> None:
    rows = [r for r in read_labelled(path) if split is None or r.split == split]
    report = evaluate(service, rows)
    scores = report.scores()
    detail = report.render()
    assert scores["answer_accuracy"] >= accuracy, detail
    assert scores["citation_accuracy"] >= accuracy, detail
    assert scores["ood_refused"] == 1.0, detail
    assert scores["answerable_wrongly_refused"] <= 0.05, detail


def _check_pooled_floor(
    service: KnowledgeService,
    splits: set[str],
    *,
    min_rows: int,
    accuracy: float,
    ood_refused: float,
    wrongly_refused: float = 0.05,
) -> None:
    """A regression floor over several held-out splits scored together."""
    rows = [r for r in read_labelled(EXTRA_SET) if r.split in splits]
    assert len(rows) >= min_rows
    scores = evaluate(service, rows).scores()
    assert scores["answer_accuracy"] >= accuracy, scores
    assert scores["ood_refused"] >= ood_refused, scores
    assert scores["answerable_wrongly_refused"] <= wrongly_refused, scores


def _answers(service: KnowledgeService, question: str, expected: str) -> QAResult:
    """Ask ``question``; it must be answered with ``expected`` in the fact line (the answer's first)."""
    result = service.ask(question)
    assert result.found and expected in result.answer.splitlines()[0], result.answer
    return result


def test_dev_set_meets_targets(corpus_service: KnowledgeService) -> None:
    if not DEV_SET.is_file():
        pytest.skip(f"{DEV_SET} not found")
    _check_targets(corpus_service, DEV_SET)


def test_holdout_questions_meet_targets(corpus_service: KnowledgeService) -> None:
    # First measured 2026-11-23: 33/35 (94.3 %); after the 2026-11-29 changes 34/35 (README,
    # "Quality"). The bar here guards against regressions.
    _check_targets(corpus_service, EXTRA_SET, "holdout", accuracy=0.9)


# Pooled regression floors over the held-out sets. Each set was committed before the code it first judged;
# its first (blind) score is in README "Quality". Every set was looked at after that run and its misses
# fixed as kinds, so these are floors against regressions, not generalisation figures.
#   holdout2-8: written by the developer (2026-11-29).
#   holdout9-14, holdout15-24: written by helpers who saw only the corpus and the dev set.
#   holdout25-30: new asker styles (voice input, fragments, background sentences, comparisons).
#   holdout31-34: rule questions, voice input, checks of heard figures, a 第一书记 introducing himself.
#   holdout35-38: plain questions, unusual place names, reasons and effects, polite long questions;
#   holdout39-42: reasons and effects again, very short messages, figures, formal report language;
#   holdout39 asks why of things the documents state without a reason, hence the low out-of-scope bar;
#   holdout43-46: lists, yes/no checks, who/when/where (and the pages' own credits), pinyin-input slips.
#   holdout47-50: an everyday mix, northern colloquial, how it is done, near misses.
#   holdout51-54: new cadres' WeChat messages, south-western speech, results and change, names and labels.
#   holdout55-58: comparing places, voice input, procedure, very short messages (missed kinds in README).
#   holdout59-62: money clerks, a young 大学生村官, a compliance inspector, less prominent facts.
#   holdout63-66: an old Party member's long messages, a new 第一书记, shorthand, figures for a speech.
#   holdout67-70: a publicity officer, conditions and consequences, hurried voice input, everyday mix.
#   holdout71-74: a resident work-team member, time and figures, formal county wording, typing slips.
POOLED_FLOORS = [
    # (first set, last set, min rows, answer accuracy, out-of-scope refused, wrongly refused)
    pytest.param(2, 8, 150, 0.93, 0.95, 0.05, id="holdout2-8"),
    pytest.param(9, 14, 400, 0.93, 0.95, 0.05, id="holdout9-14"),
    pytest.param(15, 24, 800, 0.93, 0.95, 0.05, id="holdout15-24"),
    pytest.param(25, 30, 450, 0.90, 0.93, 0.07, id="holdout25-30"),
    pytest.param(31, 34, 300, 0.93, 0.90, 0.05, id="holdout31-34"),
    pytest.param(35, 38, 300, 0.95, 0.93, 0.05, id="holdout35-38"),
    pytest.param(39, 42, 300, 0.88, 0.75, 0.06, id="holdout39-42"),
    pytest.param(43, 46, 300, 0.91, 0.80, 0.05, id="holdout43-46"),
    pytest.param(47, 50, 320, 0.94, 0.90, 0.05, id="holdout47-50"),
    pytest.param(51, 54, 320, 0.95, 0.95, 0.05, id="holdout51-54"),
    pytest.param(55, 58, 320, 0.89, 0.80, 0.06, id="holdout55-58"),
    pytest.param(59, 62, 320, 0.92, 0.90, 0.05, id="holdout59-62"),
    pytest.param(63, 66, 320, 0.85, 0.90, 0.13, id="holdout63-66"),
    pytest.param(67, 70, 320, 0.91, 0.92, 0.06, id="holdout67-70"),
    pytest.param(71, 74, 320, 0.89, 0.92, 0.06, id="holdout71-74"),
    pytest.param(75, 78, 320, 0.93, 0.92, 0.05, id="holdout75-78"),
    pytest.param(79, 82, 320, 0.94, 0.94, 0.05, id="holdout79-82"),
]


@pytest.mark.parametrize(
    ("first", "last", "min_rows", "accuracy", "ood_refused", "wrongly_refused"), POOLED_FLOORS
)
def test_held_out_sets_pooled(
    corpus_service: KnowledgeService,
    first: int,
    last: int,
    min_rows: int,
    accuracy: float,
    ood_refused: float,
    wrongly_refused: float,
) -> None:
    _check_pooled_floor(
        corpus_service,
        {f"holdout{n}" for n in range(first, last + 1)},
        min_rows=min_rows,
        accuracy=accuracy,
        ood_refused=ood_refused,
        wrongly_refused=wrongly_refused,
    )


def test_how_to_question_needs_a_passage_stating_the_action(corpus_service: KnowledgeService) -> None:
    # The corpus mentions 流动党员党支部 but never how to transfer membership: say so, do not answer.
    assert not corpus_service.ask("流动党员怎么转组织关系？").found
    assert corpus_service.ask("不称职的村干部会被怎么处理？").found


def test_where_question_is_answered_by_the_clause_naming_the_place(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "凤庆的贫困户大多住在什么地方", "高寒山区")


def test_passage_stating_all_the_question_words_outranks_a_louder_one(corpus_service: KnowledgeService) -> None:
    # BM25 favoured a passage repeating 鲁甸县 and 书记; the one stating "驻村第一书记" with its count
    # states every word of the question (coverage in the fused score).
    _answers(corpus_service, "鲁甸县驻村第一书记有多少名", "112名")
    assert corpus_service.ask("驻村书记一年有多少工作经费").found


def test_who_question_names_the_role_but_not_a_person(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "党课一般由谁来讲", "支部书记")
    assert not corpus_service.ask("宣恩县的县委书记是谁？").found


def test_compound_without_its_head_is_not_stated(corpus_service: KnowledgeService) -> None:
    # "工作经费" shares 工作 with "下派驻村工作…帮扶资金" but not its head 经费: no credit for the part.
    decision = corpus_service.decide("宁德的驻村第一书记一年有多少工作经费")
    raised = next(c for c in decision.ranked if "帮扶资金" in c.passage.text)
    funded = corpus_service.decide("六盘水第一书记一年有多少工作经费").ranked[0]
    assert "工作经费" in funded.passage.text and funded.coverage == 1.0
    assert raised.coverage < 0.7, raised.coverage  # 宁德 and 驻村第一书记 only


def test_count_of_people_needs_a_passage_counting_people(corpus_service: KnowledgeService) -> None:
    # The 鲁甸 article counts villages (103个村) and yuan but never the county's party members.
    assert not corpus_service.ask("鲁甸全县一共有多少党员").found
    result = corpus_service.ask("六盘水脱贫攻坚培训搞了多少人次")
    assert result.found and "6.3万余人次" in result.answer, result.answer


def test_sum_asked_for_must_be_stated_next_to_its_money_word(corpus_service: KnowledgeService) -> None:
    # The 六盘水 article names the 艰苦边远地区津贴 but gives no sum for it; the 宁德 article gives the
    # 帮扶资金 first secretaries raised, not their 工作经费; "不低于年基本报酬10%" is a share, not the pay.
    assert not corpus_service.ask("六盘水驻村干部艰苦边远地区津贴一个月多少钱").found
    assert not corpus_service.ask("宁德驻村第一书记一年有多少工作经费").found
    assert not corpus_service.ask("宁德村干部一年的基本报酬是多少").found
    _answers(corpus_service, "六盘水第一书记一年有多少工作经费", "1万元")


def test_sum_must_be_stated_for_the_people_and_the_kind_asked(corpus_service: KnowledgeService) -> None:
    # 宣恩 states a village fund, not a first secretary's; 鲁甸 states a pension subsidy for village
    # cadres, not a 村医's or a 生活补贴; 凤庆 states a loan total, not its interest; 养老保险 is not 意外险.
    for question in (
        "宣恩县驻村第一书记一年工作经费多少",
        "鲁甸县村医每月补贴多少钱",
        "六盘水老党员生活补贴一个月多少",
        "凤庆党员创业贷款的利息是多少",
        "鲁甸县第一书记意外险保额多少",
    ):
        assert not corpus_service.ask(question).found, question
    _answers(corpus_service, "六盘水驻村干部意外险保额是多少", "100万元")


def test_amount_is_taken_from_the_clause_about_what_is_asked(corpus_service: KnowledgeService) -> None:
    # The passage also states a pension subsidy for 正副职干部, and its list of pay rises names 待遇
    # and 每月 only in the first item: the 副职 item answers.
    result = _answers(corpus_service, "鲁甸副职干部现在每月待遇多少", "3200元")
    assert "4200元" not in result.answer.splitlines()[0], result.answer


def test_extra_pay_asked_colloquially_is_an_amount_question(corpus_service: KnowledgeService) -> None:
    # "村(居)民小组长" is read as 村民小组长; "能多拿点不" asks for the sum, which the passage states.
    _answers(corpus_service, "鲁甸支书兼村民小组长能多拿点不", "600元")


def test_a_year_named_must_be_the_year_stated(corpus_service: KnowledgeService) -> None:
    # 凤庆 states its poor population at the end of 2015, not for any later year.
    assert not corpus_service.ask("凤庆县2018年还有多少贫困人口").found
    _answers(corpus_service, "凤庆县2015年末贫困人口有多少", "4万人")


def test_how_question_is_answered_by_the_clause_stating_the_action(corpus_service: KnowledgeService) -> None:
    # The passage opens on 述职评议考核 (most of the question's words); the 黄牌警告 clause says what is done.
    _answers(corpus_service, "鲁甸对考核一般的党工委怎么处理", "黄牌")


def test_yes_no_question_about_a_fund_is_answered_by_what_is_done_with_it(
    corpus_service: KnowledgeService,
) -> None:
    _answers(corpus_service, "鲁甸的这些经费是不是纳入了财政预算", "纳入财政预算")


def test_question_about_who_presented_a_document_is_answered_from_its_author(
    corpus_service: KnowledgeService,
) -> None:
    result = _answers(corpus_service, "宁德五抓五促的经验是谁在论坛上介绍的", "郭学斌")
    assert result.sources and "郭学斌" in result.sources[0].quote  # quoted from the document itself
    assert not corpus_service.ask("宁德市的市长是谁").found  # a name the documents do not give


def test_background_clause_gives_way_to_the_news(corpus_service: KnowledgeService) -> None:
    # "在完成…300万元…项目基础上,扎实抓好2021年投入1500万元的…项目": the second figure is the answer.
    _answers(corpus_service, "鲁甸村集体经济项目上面投了多少钱", "1500万元")


def test_close_passage_stating_the_amount_answers_when_the_top_one_states_none(
    corpus_service: KnowledgeService,
) -> None:
    # The passage introducing the 歇职 measure ranks first but gives no duration; the next one does.
    _answers(corpus_service, "宣恩对不称职的村干部歇职时间有多长", "1至3个月")


def test_how_questions_read_the_verb_behind_a_preposition(corpus_service: KnowledgeService) -> None:
    decision = corpus_service.decide("鲁甸是怎么给基层减负的")
    assert decision.query.action == "减负"
    # "为基层减了压减了负": the verb split by its particle still states the action.
    assert any(c.states_action for c in decision.ranked if "减了负" in c.passage.text)
    assert corpus_service.ask("宣恩县结对帮扶具体咋弄的").found  # 弄 only asks how


def test_numbered_concept_with_one_sentence_per_item_lists_them(corpus_service: KnowledgeService) -> None:
    result = corpus_service.ask("宁德的四个覆盖指什么")
    first = result.answer.splitlines()[0]
    assert result.found and "领导挂钩联系全覆盖" in first and "干部包户全覆盖" in first, result.answer
    assert "四个覆盖" in result.answer.splitlines()[1]  # the quote is where the concept is named


def test_numbered_concept_is_answered_where_it_is_defined(corpus_service: KnowledgeService) -> None:
    # "三个杠杆" is first named in a list of measures, then defined where the text quotes it.
    _answers(corpus_service, "凤庆的三个杠杆是指哪些", "互联网+党建+电商")


def test_tuning_questions_meet_targets(corpus_service: KnowledgeService) -> None:
    _check_targets(corpus_service, EXTRA_SET, "tune")


def test_question_naming_a_county_is_answered_from_it(corpus_service: KnowledgeService) -> None:
    result = corpus_service.ask("鲁甸县村干部一个月待遇多少？")
    assert result.found
    assert {s.place for s in result.sources} == {"云南省鲁甸县"}
    assert "4200" in result.answer


def test_question_where_counties_differ_lists_each_with_its_source(corpus_service: KnowledgeService) -> None:
    result = corpus_service.ask("村干部一个月工资多少")
    places = [s.place for s in result.sources]
    assert len(places) >= 2 and len(set(places)) == len(places)
    for place in places:
        assert place and place in result.answer
    assert result.answer.count("出处：") == len(places)


def test_quotes_are_verbatim_and_answers_fit_wechat(corpus_service: KnowledgeService) -> None:
    loaded = corpus_service._loaded
    assert loaded is not None
    by_file = {d.file_name: d for d in loaded.content.documents.values()}
    for row in read_labelled(EXTRA_SET):
        result = corpus_service.ask(row.question)
        assert len(result.answer.encode("utf-8")) <= 2048
        for source in result.sources:
            doc = by_file[source.doc]
            # Paragraph 0: a credit line of the page (date, by-line, editor), quoted whole as written.
            quoted_from = doc.paragraphs[source.paragraph - 1] if source.paragraph else doc.meta.credits
            assert source.quote and source.quote in quoted_from, (row.question, source)
            assert source.title == doc.meta.title


def test_answer_puts_fact_first_then_quote_then_source(corpus_service: KnowledgeService) -> None:
    result = corpus_service.ask("宣恩县村主职干部一年工资多少？")
    lines = result.answer.splitlines()
    assert lines[0].startswith("宣恩县：") and "38760元/年" in lines[0]
    assert lines[1].startswith("原文：“") and "38760元/年" in lines[1]
    assert lines[2].startswith("出处：《") and "2020-05-12" in lines[2] and "湖北省宣恩县" in lines[2]
    source = result.sources[0]
    assert (source.doc, source.date, source.place) == (
        "000_09c274ac9bae1aaa.txt",
        "2020-05-12",
        "湖北省宣恩县",
    )
    assert source.paragraph >= 1


def test_builtin_knowledge_answers_party_life_rules(corpus_service: KnowledgeService) -> None:
    result = corpus_service.ask("支部党员大会多久开一次？")
    assert result.found and "每季度" in result.answer
    assert result.sources[0].doc == "sanhui-yike.md"


def test_not_found_is_polite_and_says_what_can_be_answered(corpus_service: KnowledgeService) -> None:
    result = corpus_service.ask("怎样办理护照？")
    assert not result.found and not result.sources
    assert "没有找到" in result.answer and "我能回答" in result.answer
    assert "湖北省宣恩县" in result.answer  # names the material it has


def test_fresh_install_refuses_amount_questions_it_cannot_answer(
    kb_settings: Settings, real_encoder: Encoder
) -> None:
    """Built-in knowledge only: a 多少 question sharing words with a rule (书记) is refused, not answered
    with a sentence that states no amount."""
    service = KnowledgeService.open(kb_settings, encoder=real_encoder)
    for question in ("村支书一个月能拿多少钱", "“三会一课”台账每月达标率是多少？"):
        result = service.ask(question)
        assert not result.found, (question, result.answer)
    assert service.ask("党小组会多久开一次？").found


def test_regional_question_forms_are_answered(corpus_service: KnowledgeService) -> None:
    # South-western Mandarin: 好久 = 多久, 好多 = 多少, 一回 = 一次.
    _answers(corpus_service, "支委会好久开一回", "每月")
    _answers(corpus_service, "鲁甸给村民小组新建活动场所建了好多个", "305个")


def test_a_passage_is_found_by_the_measure_heading_it(corpus_service: KnowledgeService) -> None:
    # "112名驻村第一书记…" sits under "一是建立挂联包帮机制。", which the question names.
    _answers(corpus_service, "鲁甸挂联包帮机制里帮扶到村的驻村第一书记有多少名", "112名")


def test_a_county_outside_the_documents_is_refused_even_in_a_covered_prefecture(
    corpus_service: KnowledgeService,
) -> None:
    # 宣恩县 is in 恩施州 and 鲁甸县 in 昭通市, but these questions are about their neighbours.
    assert not corpus_service.ask("恩施州鹤峰县村主职干部一年报酬多少").found
    assert not corpus_service.ask("昭通市昭阳区新建了多少个村级活动场所").found
    _answers(corpus_service, "恩施州宣恩县村主职干部一年报酬多少", "38760")


def test_rules_asked_as_what_the_rules_say(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "按规定党小组会多长时间开一次", "每月")
    _answers(corpus_service, "主题党日是每季度搞一次还是每个月搞一次", "每月")


def test_how_much_money_is_answered_by_the_sum_without_the_word(corpus_service: KnowledgeService) -> None:
    # "每年安排8000万元": the clause states the sum without repeating 资金.
    _answers(corpus_service, "宁德市县财政每年拿出多少资金扶持村级集体经济", "8000万元")


def test_a_date_asked_must_be_stated_about_what_is_asked(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "湖北加强村主职干部队伍建设的若干意见是哪年印发的", "2015年")
    # The 凤庆 article dates its poverty figures but never says when the county left poverty.
    assert not corpus_service.ask("凤庆县哪一年摘掉了贫困县帽子").found


def test_concept_items_asked_colloquially(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "凤庆讲的“四个融合”指的啥", "目标融合")


def test_list_question_is_answered_where_the_items_are_given(corpus_service: KnowledgeService) -> None:
    # The best passage names the list ("“五抓五促”做法…", "做好四个融合、发挥两个作用…"); the items are
    # given elsewhere in the same document.
    _answers(corpus_service, "宁德“五抓五促”里最后一条是抓什么", "激励约束")
    _answers(corpus_service, "凤庆强化精准施策提的“四个融合”具体是哪四个方面", "目标融合")


def test_a_concept_named_without_its_items_is_not_passed_off_as_the_list(
    corpus_service: KnowledgeService,
) -> None:
    # The documents name these in passing ("围绕“四场硬仗”…等重点工作", "提出了“十个一批”任务清单") and
    # never list them: quoting the mention would look like the list.
    for question, term in (
        ("六盘水的“四场硬仗”都包括哪几场", "四场硬仗"),
        ("宁德提出的“十个一批”分别是哪些", "十个一批"),
    ):
        result = corpus_service.ask(question)
        assert not result.found, result.answer
        assert f"只提到了“{term}”" in result.answer and "没有列出" in result.answer, result.answer
    # Where the items are given, in the clause naming the concept or the one after it, they answer.
    _answers(corpus_service, "凤庆的“三个杠杆”指的是哪三个", "强基惠农股份合作经济")
    _answers(corpus_service, "宣恩党员的“五事”分别是哪五件", "干好本职事")
    # The concept asked is the last one named; "“双推进”" only sets the scene.
    _answers(corpus_service, "凤庆抓扶贫党建“双推进”用的“三个杠杆”分别是哪些", "强基惠农股份合作经济")
    # A name the asker coined for a list the document gives is still answered from that list.
    _answers(corpus_service, "宁德坚持典型引路选树的“三个百”是哪些", "扶贫先锋")


def test_spoken_questions_with_fillers_and_particles(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "我想问一下那个党小组会一般是多久要开一次啊", "每月")
    _answers(corpus_service, "六盘水市里给驻村干部买意外险掏了好多钱", "27万元")
    _answers(corpus_service, "宁德每个乡里起码要配几个扶贫专干哦", "2名")
    _answers(corpus_service, "宁德“五抓五促”的第三条是啥子", "抓基层堡垒工程")
    _answers(corpus_service, "主题党日在时间上是咋个规定的", "每月")


def test_a_question_after_its_background_is_answered(corpus_service: KnowledgeService) -> None:
    # The background ("我在乡里管过几年党建") shares no words with the answer; it must not sink it.
    _answers(
        corpus_service,
        "我在乡里管过几年党建工作，最近村里新来的同志问起规矩。请问党小组会一般多长时间开一次？",
        "每月",
    )
    _answers(
        corpus_service,
        "我们县里一直在研究驻村干部的保障，听说六盘水做得比较细。请问六盘水给第一书记每年多少工作经费？",
        "1万元",
    )
    # The amount asked is named in the asking sentence ("社区…工作经费"), not by the background's 经费.
    _answers(
        corpus_service,
        "我在乡镇管过社区，一直关心城乡经费的差别。请问宣恩县每个社区的工作经费一年有多少？",
        "15万元",
    )
    # Background does not make an out-of-scope question answerable.
    assert not corpus_service.ask("我们村正在修路，资金一直不够。请问修村道每公里国家补助多少钱？").found


def test_a_share_asked_needs_a_share_stated(corpus_service: KnowledgeService) -> None:
    # "几成": a share. The 宣恩 passage states a yearly wage, not the share a bonus is paid at.
    result = corpus_service.ask("宣恩县村干部的绩效奖励按基本报酬的几成来发")
    assert not result.found or "%" in result.answer.splitlines()[0], result.answer
    _answers(corpus_service, "宁德村干部绩效奖励按年基本报酬的几成来发", "10%")


def test_a_standard_is_not_found_in_a_set_phrase(corpus_service: KnowledgeService) -> None:
    # The 鲁甸 document builds a centre "高标准" and states no poverty line.
    assert not corpus_service.ask("鲁甸的贫困标准定的是每人多少元").found
    _answers(corpus_service, "凤庆算贫困人口用的是多少元的标准", "2855元")


def test_an_unnamed_role_is_not_answered_by_another_roles_pay(corpus_service: KnowledgeService) -> None:
    assert not corpus_service.ask("村里报账员每个月补贴有多少").found


def test_a_passage_sharing_only_the_place_does_not_answer(corpus_service: KnowledgeService) -> None:
    # The 宁德 speech opens with its speaker; that passage shares 宁德 and nothing else with the question.
    result = corpus_service.ask("宁德的村集体经济现在搞得咋样了")
    assert not result.found or "郭学斌" not in result.answer, result.answer


def test_the_text_right_after_the_top_passage_answers_when_it_states_the_sum(
    corpus_service: KnowledgeService,
) -> None:
    # "一是全力提高干部待遇。印发…方案…" names the topic; the next window of the paragraph has the figures.
    _answers(corpus_service, "鲁甸支部书记兼任村民小组长的补贴有多少", "600元")


def test_a_schedule_is_the_answer_to_how_often(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "鲁甸督查问题交办是什么节奏", "一月随访")
    _answers(corpus_service, "凤庆全县有多少个乡镇", "13个")  # written "13个乡(镇)"


def test_how_question_fact_takes_in_every_clause_stating_the_action(corpus_service: KnowledgeService) -> None:
    result = _answers(corpus_service, "鲁甸对考核为一般的党工委咋处理", "黄牌")
    assert "约谈" in result.answer.splitlines()[0]


def test_method_questions_and_counts_asked_as_many_or_not(corpus_service: KnowledgeService) -> None:
    # "咋算的" asks the method (算 names no act to find); "多不多" asks how many.
    _answers(corpus_service, "宣恩党员的表现打分是咋个打法", "先锋指数")
    _answers(corpus_service, "宁德下派驻村的干部多不多", "2000多名")


def test_a_compound_with_a_one_character_head_needs_the_head(corpus_service: KnowledgeService) -> None:
    # "退休干部" shares 退休 with 退休金 but is not a pension.
    assert not corpus_service.ask("村干部的退休金怎么算").found


def test_a_question_naming_two_places_is_answered_for_each(corpus_service: KnowledgeService) -> None:
    result = corpus_service.ask("宣恩和鲁甸比，哪个县派的驻村第一书记更多？")
    assert result.found and [s.place for s in result.sources] == ["湖北省宣恩县", "云南省鲁甸县"], result.answer
    assert "277人" in result.answer and "112名" in result.answer
    assert "带上县" not in result.answer  # no hint to name a place: the question named two
    result = corpus_service.ask("鲁甸和宣恩比，村正职干部谁的待遇更高？")
    assert result.found and "4200元" in result.answer and "38760元" in result.answer, result.answer


def test_a_clause_about_the_other_side_of_a_pair_is_not_the_fact(corpus_service: KnowledgeService) -> None:
    # "村副职定补干部待遇近24000元" shares 村, 干部 and 待遇 with the question, but it is about 副职.
    _answers(corpus_service, "宣恩村正职干部待遇多少", "38760元")
    _answers(corpus_service, "宣恩村副职干部待遇多少", "24000元")
    # "党支部书记兼村(居)民小组长达600元" is not the pay of 正职 for sharing 村.
    _answers(corpus_service, "鲁甸村正职干部待遇多少", "4200元")


def test_a_heard_figure_is_checked_against_the_document(corpus_service: KnowledgeService) -> None:
    result = corpus_service.ask("听说鲁甸村正职干部现在每月3000元，对吧？")
    first, fact = result.answer.splitlines()[:2]
    assert result.found and "不同" in first and "4200元" in fact, result.answer
    result = corpus_service.ask("我记得宁德提拔了230名脱贫一线乡镇干部，没错吧")
    first, fact = result.answer.splitlines()[:2]
    assert result.found and "一致" in first and "230名" in fact, result.answer
    # A heard duration is not compared; the document's own is given.
    result = _answers(corpus_service, "听说宣恩不称职村干部歇职最长能歇半年，是真的吗？", "1至3个月")
    assert "一致" not in result.answer and "不同" not in result.answer
    # A heard figure does not make an out-of-scope question answerable; a heard term needs a term stated.
    assert not corpus_service.ask("听说鲁甸农村低保每月500元，是真的吗").found
    assert not corpus_service.ask("听说凤庆那个党员创业致富贷款期限是3年，对吧").found


def test_a_verb_split_by_its_aspect_particle_is_the_asked_action(corpus_service: KnowledgeService) -> None:
    # The document says "切实为基层减了压减了负".
    _answers(corpus_service, "鲁甸咋给基层减负的", "减了负")


def test_a_lead_in_before_the_asking_sentence_is_background(corpus_service: KnowledgeService) -> None:
    _answers(
        corpus_service,
        "村里几位副职干部常托我打听外地的待遇情况，故有此一问：宣恩县村副职定补干部一年的待遇大约是多少？",
        "24000",
    )
    _answers(
        corpus_service,
        "常有人说脱贫一线是干部成长的地方，六盘水在这方面落实得如何？请问该市从脱贫攻坚一线共提拔了多少名干部？",
        "1568人",
    )


def test_a_thing_asked_about_the_topic_must_be_named(corpus_service: KnowledgeService) -> None:
    # The 凤庆 passages name the loan and its total, never a repayment term; the built-in note names 预备党员
    # and no 预备期.
    assert not corpus_service.ask("凤庆那个党员创业致富贷款的还款期限是怎么规定的").found
    assert not corpus_service.ask("预备党员的预备期是怎么规定的").found
    # Words asking about the topic as a whole, a figure, or a place in a list name nothing to find.
    _answers(corpus_service, "设支部委员会对正式党员人数有什么要求", "7人")
    _answers(corpus_service, "鲁甸督查交办机制里“一月随访”后面是什么", "一季督促")


def test_the_standard_of_a_sum_of_money_is_a_figure(corpus_service: KnowledgeService) -> None:
    # 六盘水 names the allowance among other benefits and states no sum for it.
    assert not corpus_service.ask("六盘水驻村干部艰苦边远地区津贴的发放标准是什么").found
    _answers(corpus_service, "鲁甸村（社区）正职干部的待遇标准是多少", "4200元")


def test_an_area_asked_needs_an_area_stated(corpus_service: KnowledgeService) -> None:
    # "新建村民小组活动场所305个" counts places; it states no floor area.
    assert not corpus_service.ask("鲁甸村民小组活动场所面积要达到多少平方米").found
    _answers(corpus_service, "宁德村主干中经济能人占多大比例", "63%")  # 多大比例 asks a share


def test_spoken_checks_and_choices_of_period(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "支委会多久开一回来着，按月还是按季", "每月")
    _answers(corpus_service, "在论坛上讲五抓五促的那个组织部长叫个啥名字嘞", "郭学斌")


def test_the_asker_saying_who_they_are_is_background(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "我刚派到村里当第一书记，支部党员大会一般多久开一次？", "每季度")
    _answers(corpus_service, "我刚派到六盘水当第一书记，每年有没有工作经费 给多少", "1万元")


def test_when_asked_is_answered_only_where_the_document_says_when(corpus_service: KnowledgeService) -> None:
    # 宁德 states that the reward exists and its rate, not when it is paid.
    assert not corpus_service.ask("宁德村干部的绩效奖励一般什么时候发").found
    _answers(corpus_service, "支部组织生活会一般放在什么时候开", "第四季度")


def test_a_rate_or_a_list_heard_is_checked_as_such(corpus_service: KnowledgeService) -> None:
    assert not corpus_service.ask("凤庆党员创业致富贷款的年利率是多少").found
    assert not corpus_service.ask("听说党费按收入的0.5%交，真的吗").found
    # 六盘水 names the “四件套” without its items: the reply says so instead of confirming the heard list.
    result = corpus_service.ask("六盘水越冬“四件套”听说是棉被、棉鞋和大衣，是不是？")
    assert not result.found and "四件套" in result.answer, result.answer
    _answers(corpus_service, "宣恩村主职干部报酬底线是照副乡镇长工资水平定的？真的假的", "副乡镇长")


def test_the_passage_naming_the_quoted_term_answers(corpus_service: KnowledgeService) -> None:
    # The window before it is about the same review and names no “一般”.
    _answers(corpus_service, "请问对考核为“一般”等次的党（工）委，鲁甸县委是怎么处理的？", "黄牌")


def test_a_numbered_heading_is_not_the_fact(corpus_service: KnowledgeService) -> None:
    # "二是聚焦“五项制度”抓落实。" names the measure; the clause after it says what it is.
    result = _answers(corpus_service, "鲁甸党组织落实“五项制度”是怎么安排的", "党费日")
    assert "二是" not in result.answer.splitlines()[0]


def test_a_heard_speaker_is_checked_against_the_by_line(corpus_service: KnowledgeService) -> None:
    # Whatever name is heard, the reply gives the document's own.
    _answers(corpus_service, "在论坛上介绍宁德“五抓五促”的是张三，对吧？", "郭学斌")


def test_a_purpose_asked_takes_in_the_clause_giving_it(corpus_service: KnowledgeService) -> None:
    # The mechanism is named, then what it is for ("留住现有人才的同时,吸引新进人才") in the same sentence.
    _answers(corpus_service, "宣恩讲用人不养人 留人不拴人的人才机制 图啥", "留住现有人才")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The measure is restated; the effect follows it in the same sentence.
        ("宣恩推行村干部专职化、权利和责任对等统一，最终起了什么作用？", "职业化进程"),
        # The aspect the asking clause names, after the measure, with its figure.
        ("宣恩县搞党建六联活动以后，在化解矛盾纠纷上有什么成效？", "2000次"),
        # The effect the question names (杜绝), clauses after the measure.
        ("鲁甸发流动红旗和黄牌警告，想杜绝什么样的情况？", "年年在"),
        # The purpose opening the sentence, before the measure.
        ("凤庆县召开双推进述职报告会的目的是什么？", "总结工作经验"),
        # The measure ends its sentence; the purpose is in the next one.
        ("凤庆为什么要用好三大杠杆？", "保障乏力"),
        # 解决 asked: not the 保障 of the measure's own words.
        ("鲁甸县拿1440万元兜底48个薄弱村，要解决什么难题？", "无钱办事"),
        ("宁德选树扶贫先锋、脱贫之星以后，全市形成了什么样的氛围？", "人人思进"),
        # The change of a figure is the new figure.
        ("鲁甸两委减员增效后，副职待遇有什么变化？", "3200元"),
    ],
)
def test_a_purpose_or_effect_is_the_clause_after_the_measure_restated(
    corpus_service: KnowledgeService, question: str, expected: str
) -> None:
    _answers(corpus_service, question, expected)


def test_what_follows_from_a_condition_is_the_clause_after_it(corpus_service: KnowledgeService) -> None:
    # "帮扶效果不好的…" is the condition, not an effect asked; what happens to the unit is asked.
    _answers(corpus_service, "六盘水驻村帮扶效果不好的帮扶单位，年度目标考核会咋样？", "一等奖")
    # The measure (挂联包帮) is named apart; the condition (帮扶不力) and then its consequence follow.
    _answers(corpus_service, "鲁甸挂联包帮 帮扶不力的书记会咋样", "不得评为优秀")


def test_the_other_side_of_a_pair_does_not_answer(corpus_service: KnowledgeService) -> None:
    # 六盘水 buys 人身意外伤害保险 for its village cadres; it says nothing of 养老保险.
    assert not corpus_service.ask("六盘水给村干部交养老保险，单位出多少").found
    _answers(corpus_service, "鲁甸县财政为村干部养老保险补助了多少", "160万元")
    # What the cadre pays himself is not the county's subsidy, nor anyone's wage.
    for question in (
        "鲁甸县村干部养老保险个人每年要交多少",
        "宣恩县村干部养老保险个人交多少单位补多少",
        "湖北那个县的村主职干部养老保险每年单位缴多少",
    ):
        assert not corpus_service.ask(question).found, question


def test_a_grade_named_colloquially_is_the_documents_grade(corpus_service: KnowledgeService) -> None:
    # "考核评了个一般" is the grade 考核为“一般”等次, whose 党(工)委 get a 黄牌.
    _answers(corpus_service, "昭通鲁甸述职考核评了个一般的党工委 会咋处理", "黄牌")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("鲁甸的智慧党建指挥中心花了多少", "180万元"),  # 花 is spending (投入)
        ("支书兼村民小组长另外给钱不", "600元"),  # 给钱 is pay
        ("宣恩县村副职定补干部一年待遇水平大致多少", "24000元"),  # 水平 and 大致 ask nothing more
        ("宣恩全县贫困人口有多少", "90680名"),  # 贫困人口 ~ 贫困群众
        ("六盘水建村级活动阵地按的是什么建设标准", "十有"),  # the standard named after 什么
        # 到会 is a word, 才能 asks nothing, and "半数" is a share
        ("支部党员大会表决的时候到会人数得达到多少才能开会", "半数"),
    ],
)
def test_short_and_spoken_figure_questions(corpus_service: KnowledgeService, question: str, expected: str) -> None:
    _answers(corpus_service, question, expected)


def test_a_length_of_time_asked_is_not_a_year_stated(corpus_service: KnowledgeService) -> None:
    # "2014年以来共选派2000多名干部驻村任职" says when, not for how long.
    assert not corpus_service.ask("宁德驻村第一书记任职期限是几年").found


def test_a_body_asked_is_answered_only_where_one_is_named(corpus_service: KnowledgeService) -> None:
    # The 鲁甸 document says what the centre cost, not who runs it; 六盘水 names its 组织部门.
    assert not corpus_service.ask("鲁甸智慧党建指挥中心平时由哪个部门管").found
    assert not corpus_service.ask("宁德村干部绩效奖励考核办法是哪个单位定的").found
    _answers(corpus_service, "六盘水每年由哪个部门牵头对下级党委抓党建促脱贫进行考核评估", "组织部门")


def test_a_person_asked_in_dialect_is_refused(corpus_service: KnowledgeService) -> None:
    # "是哪个" after a role asks who; the documents name villages and roles, not who holds them now.
    assert not corpus_service.ask("宁德赤溪村现在的村支书是哪个噻").found


def test_the_size_of_a_change_needs_the_change_stated(corpus_service: KnowledgeService) -> None:
    # The 鲁甸 centre's cost is stated, not how much it shortened anything.
    assert not corpus_service.ask("鲁甸智慧党建中心建成后，群众办事时间缩短了多少").found
    _answers(corpus_service, "六盘水村级办公经费增加了多少", "5万元")


def test_a_date_asked_is_stated_with_the_words_asked_about(corpus_service: KnowledgeService) -> None:
    # "2016年以来,提拔重用…乡镇干部230名;" dates promotions, not the reward asked about.
    assert not corpus_service.ask("宁德村干部的绩效奖励每年几月份发放").found
    _answers(corpus_service, "湖北加强村主职干部队伍建设的若干意见是哪年印发的", "2015年")


def test_questions_about_a_document_are_answered_from_its_credit_lines(
    corpus_service: KnowledgeService,
) -> None:
    # The date, editor, by-line and photo credit are in the page's header and footer, not its content.
    result = _answers(corpus_service, "鲁甸那篇四步联动的报道哪天发的", "2021-09-26")
    assert result.sources[0].doc.startswith("003_") and "发布时间" in result.sources[0].quote
    _answers(corpus_service, "宣恩县履行政治职能这篇案例的责编是谁", "王梓辰")
    _answers(corpus_service, "凤庆找问题找对策那篇报道的作者是谁", "李恒昌")
    _answers(corpus_service, "郭学斌发言那张照片是谁拍的", "蒋建华")
    # The 六盘水 page's date line is empty: nothing to answer with.
    assert not corpus_service.ask("六盘水优化四个体系这篇文章是哪天发布的").found


def test_homophone_slips_are_read_as_the_words_meant(corpus_service: KnowledgeService) -> None:
    # Short questions whose key word is mistyped: read as typed, each is refused or answered wrongly.
    _answers(corpus_service, "宣恩社区工作径费", "15万元")
    _answers(corpus_service, "村干布协职多久", "1至3个月")
    _answers(corpus_service, "鲁甸党建径费一年多少", "300万元")


def test_another_batch_than_the_one_asked_does_not_answer(corpus_service: KnowledgeService) -> None:
    assert not corpus_service.ask("宁德第三批驻村第一书记筹措了多少帮扶资金").found
    _answers(corpus_service, "宁德第四批驻村第一书记筹措了多少帮扶资金", "6.55亿元")


def test_a_yes_no_question_about_a_figure_is_checked(corpus_service: KnowledgeService) -> None:
    result = corpus_service.ask("凤庆县43个贫困村里没有集体经济收入的还有25个吗")
    assert result.found and "不同" in result.answer and "20个" in result.answer
    # The 津贴 is granted, its sum is not stated: nothing to check the heard figure against.
    assert not corpus_service.ask("六盘水驻村干部的艰苦边远地区津贴是不是每月600元").found


def test_a_company_asked_is_not_answered_by_the_platform_it_runs(corpus_service: KnowledgeService) -> None:
    assert not corpus_service.ask("凤庆“天之凤”电商服务平台是哪家公司在运营").found


def test_how_a_thing_stands_then_a_figure(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "六盘水村级活动室搞得怎么样了 要多大面积", "200平方米")


def test_the_counted_words_before_the_ask_are_the_list_asked(corpus_service: KnowledgeService) -> None:
    # “双整百千” names the work; the 四步联动 asked about are listed before their name (A、B、C、D四步联动).
    _answers(corpus_service, "鲁甸“双整百千”工作的四步联动具体是哪四步", "高位定标")



def test_a_place_name_across_a_common_word_is_not_read(corpus_service: KnowledgeService) -> None:
    # "近年来凤庆县": the 来凤 of 近年来 is not 来凤县 (which no document covers, so this was refused).
    _answers(corpus_service, "近年来凤庆县有多少名基层党员从创业致富贷款中受益", "553名")


def test_a_head_count_asked_is_the_clause_counting_people(corpus_service: KnowledgeService) -> None:
    # The clause before gives the loan total (4210万元) and names the same words.
    _answers(corpus_service, "凤庆有多少名基层党员从创业致富贷款里受益", "553名")


def test_a_clause_naming_only_whom_takes_in_what_was_done(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "鲁甸考核排在最后的党委会不会挨黄牌", "黄牌")


def test_the_means_said_before_the_action_asked(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "鲁甸是怎么督促台账按时录入的", "日提醒")


def test_a_list_going_on_in_the_next_clause_is_given(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "三会一课指的是哪些会", "支部党员大会")
    _answers(corpus_service, "三会一课是哪三会", "党小组会")


def test_items_asked_by_their_head_word(corpus_service: KnowledgeService) -> None:
    # The asker does not know it is "四个覆盖"; each item ends in 全覆盖.
    _answers(corpus_service, "宁德做到了哪几个全覆盖", "领导挂钩联系全覆盖")


def test_northern_spoken_questions(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "宁德给村集体经济砸了多钱", "亿多元")
    _answers(corpus_service, "凤庆那个电商服务平台叫啥名", "天之凤")
    _answers(corpus_service, "鲁甸那边兼好几个职务的工资咋算", "兼职兼薪")
    # A person's name stays a topic the documents lack.
    assert not corpus_service.ask("六盘水市委书记叫什么名字").found


def test_how_many_must_attend_is_answered_by_the_quorum(corpus_service: KnowledgeService) -> None:
    # A share ("半数"), not a head count, answers how many must be there for the vote to be valid.
    _answers(corpus_service, "支部党员大会要表决，至少得到多少人", "半数")
    assert "半数" not in corpus_service.ask("支部党员大会多少人参加").answer.splitlines()[0]


def test_what_a_named_concept_is_for_lists_its_items(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "凤庆的三个杠杆是干什么的", "强基惠农股份合作经济")


def test_items_asked_by_the_word_before_which(corpus_service: KnowledgeService) -> None:
    # "融合哪些方面": the "四个融合" the best passage names, listed in another paragraph.
    _answers(corpus_service, "凤庆党建和扶贫揉到一块，融合了哪些方面", "目标融合")


def test_the_next_window_stating_more_of_the_question_answers(corpus_service: KnowledgeService) -> None:
    # The top window names the 驻村干部's pay; the next one, in the same paragraph, says what was given
    # for the winter.
    _answers(corpus_service, "六盘水过冬给驻村干部发了什么", "四件套")


def test_the_winter_kit_asked_in_spoken_words(corpus_service: KnowledgeService) -> None:
    # 同志 names no topic, 太冷 is the winter, 配发 is the documents' 配送.
    _answers(corpus_service, "驻村的同志冬天太冷 上面配发了什么", "四件套")


def test_a_passage_stating_every_word_asked_beats_one_sharing_the_place(corpus_service: KnowledgeService) -> None:
    # "减了压减了负" states 减负 split by its particle, which the lexical ranker cannot see; the top passage
    # shares only 鲁甸 and 基层.
    _answers(corpus_service, "鲁甸给基层减负整了啥", "减了负")


def test_national_rules_are_not_left_for_one_countys_practice(corpus_service: KnowledgeService) -> None:
    # 鲁甸's passage on its own 组织生活会 states more of the words; the question names no county.
    result = corpus_service.ask("每年开组织生活会主要是为了做什么")
    assert result.found and result.sources[0].doc == "sanhui-yike.md", result.answer


def test_whose_pay_is_the_yardstick_is_answered_with_the_role(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "村主职干部报酬的底线按谁的工资来定", "副乡镇长")


def test_whether_cadres_can_become_civil_servants(corpus_service: KnowledgeService) -> None:
    # "能考" is the verb 考 with its modal; 有没有机会 asks the same "can".
    _answers(corpus_service, "村干部有没有机会考公务员", "公务员")


def test_a_name_asked_is_answered_by_the_clause_giving_it(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "宣恩那个三年行动计划叫个啥名堂", "整乡提升")
    _answers(corpus_service, "宣恩的党建扶贫工作机制怎么概括", "组织引领")
    _answers(corpus_service, "鲁甸的四级联创工作叫什么名称", "双整百千")
    # The name is two clauses before the one stating most of the question's words.
    _answers(corpus_service, "六盘水组建指挥部按的什么战法", "专职负责")


def test_a_newcomers_situation_told_first_is_background(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "刚到村里发现干部干活拖拉 宣恩歇职要歇多久", "1至3个月")
    # 好多 in the statement is "many", not "how many".
    _answers(corpus_service, "我们村好多人在外打工。六盘水在哪些地方建了劳务服务工作站党组织", "长三角")
    # The asker's own batch is not the batch asked about.
    _answers(corpus_service, "我是宁德第五批第一书记，想问问第四批第一书记筹了多少帮扶资金", "6.55亿元")


def test_items_given_as_numbered_headings(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "宁德五抓五促是哪五条", "抓激励约束机制")
    # One item told by what it is about.
    _answers(corpus_service, "五抓五促里讲激励的那一条", "抓激励约束机制")
    _answers(corpus_service, "五抓五促里哪条是讲队伍的", "抓骨干队伍建设")
    assert not corpus_service.ask("五抓五促里讲党费的那一条").found


def test_a_pair_is_listed_where_its_heading_names_it(corpus_service: KnowledgeService) -> None:
    # The summary naming 四个融合、两个作用、三个杠杆 gives none of the items.
    _answers(corpus_service, "凤庆要发挥哪两个作用", "先锋模范作用")
    _answers(corpus_service, "凤庆党建扶贫融合是哪几个方面", "目标融合")


def test_the_opposite_case_does_not_answer(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "设了支委会的支部，党员大会谁召集", "党支部委员会")
    # A yes/no question is answered by the negated clause.
    _answers(corpus_service, "预备党员能不能参加表决", "没有表决权")


def test_how_long_written_in_words(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "鲁甸支部规范化建设几年见成效", "三年")


def test_the_pages_occasion_and_the_speakers_post(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "郭学斌担任什么职务", "组织部长")
    _answers(corpus_service, "五抓五促是在哪个论坛上交流的", "全国基层党建创新论坛")
    _answers(corpus_service, "凤庆找问题找对策那篇文章是哪个单位写的", "凤庆县委组织部")
    # A meeting the report tells of is content.
    _answers(corpus_service, "凤庆县在什么会上述职的", "述职报告会")


def test_a_post_holder_or_a_score_needs_a_passage_stating_it(corpus_service: KnowledgeService) -> None:
    assert not corpus_service.ask("宣恩尖刀班的班长由什么人担任").found
    _answers(corpus_service, "六盘水指挥部的指挥长由谁担任", "四大班子")
    assert not corpus_service.ask("宣恩先锋指数多少分以上能评先锋党员").found


def test_south_western_and_loose_wordings(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "六盘水活动室要建成啥样才算达标", "200平方米")
    _answers(corpus_service, "鲁甸问题交办机制的节奏是怎样的", "一月随访")
    _answers(corpus_service, "宁德选了哪几类扶贫典型", "扶贫团队")
    _answers(corpus_service, "凤庆扶贫还有啥问题没搞好", "贫困面大")


def test_voice_slips_of_words_the_documents_use_often(corpus_service: KnowledgeService) -> None:
    # 知部 → 支部, 当建 → 党建: no lexicon word, but words of many passages.
    _answers(corpus_service, "请问知部委员会会议 一般多久开一次", "每月")
    _answers(corpus_service, "鲁甸财政每年拨的当建工作经费是多少", "300万元")


def test_very_short_messages(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "组织生活会几季度开", "第四季度")
    _answers(corpus_service, "党员大会表决要到多少人", "半数")
    _answers(corpus_service, "第四批第一书记筹资", "6.55亿元")
    _answers(corpus_service, "宣恩尖刀班搞了多大规模", "279个")


def test_details_next_to_stated_facts_are_refused(corpus_service: KnowledgeService) -> None:
    # How often elections are held, which level approves, the rent of a space let out: never stated.
    for question in (
        "村党组织换届现在是几年一次",
        "宣恩对村干部歇职要报哪一级党委审批",
        "宣恩安置点一楼架空层出租一年租金多少",
    ):
        assert not corpus_service.ask(question).found, question


def test_the_rest_of_a_list_and_ways_named_in_quotes(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "六盘水攻坚战法除了“一名领导专职负责”，另外两条是什么", "专班攻坚")
    _answers(corpus_service, "宣恩村集体经济都有哪些搞法", "车间出租")


def test_two_asks_in_one_message(corpus_service: KnowledgeService) -> None:
    # "…是一个标准吗" checks nothing heard (标准 ends in 准); "后来又加了" asks the sum added (加 ~ 新增).
    _answers(corpus_service, "宣恩社区一年工作经费保障多少？和村里一个标准吗？", "15万元")
    _answers(corpus_service, "宁德一年给村集体经济投多少钱 后来又加了多少", "1亿多元")


def test_a_counted_concept_typed_with_digits(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "3会1课里支委会一般多久开一次", "每月")


def test_greetings_and_the_askers_own_story_are_background(corpus_service: KnowledgeService) -> None:
    # Courtesy, age and who the asker is, told in clauses anywhere in the message, do not make the rule
    # asked about look uncovered.
    _answers(
        corpus_service,
        "您好，我是村里的老党员了，今年七十多岁，想问问组织生活会一年开几回，一般放在啥时候开",
        "每年",
    )
    _answers(corpus_service, "三会一课讲了半天到底是哪几个会，我老是记混", "支部委员会会议")
    # ...and so does what the answer is for.
    _answers(corpus_service, "写支部年度总结要用，支委会按规定多长时间开一次？", "每月")
    # A check of a figure heard is still a check, not the asker's story.
    result = _answers(corpus_service, "六盘水的产业扶贫技术专家库有1327人，我没记错吧？", "一致")
    assert "1327" in result.answer


def test_a_frequency_heard_is_checked_not_searched_for(corpus_service: KnowledgeService) -> None:
    # "一个季度" is what was heard; the meeting asked about is held monthly, not the one held quarterly.
    _answers(corpus_service, "支委会是不是一个季度开一次就够了？", "每月")
    _answers(corpus_service, "党小组会一个月开一次对吗", "每月")


def test_each_of_two_things_asked_with_ge_and_gen(corpus_service: KnowledgeService) -> None:
    result = _answers(corpus_service, "社区跟村的办公经费各给多少", "")
    assert "10万元" in result.answer or "15万元" in result.answer, result.answer


def test_the_speaker_asked_by_his_post(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "宁德五抓五促是哪个组织部长讲的", "郭学斌")


def test_how_rewarded_and_punished_is_the_clause_stating_it(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "鲁甸对党组织书记考核有奖有罚不，怎么奖怎么罚", "流动红旗")


def test_a_countys_xian_typed_as_a_homophone(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "宣恩线社区工作经费多少", "15万元")


def test_how_it_was_decided_asks_the_rule(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "组织部门对下级抓党建促脱贫一年考几次？六盘水那边咋定的", "1次")


def test_a_place_no_document_covers_is_refused(corpus_service: KnowledgeService) -> None:
    # 来凤县 is a county the gazetteer knows but no document is from: 宣恩县's figure must not answer for it.
    assert not corpus_service.ask("来凤县村干部一年工资是多少").found
    assert not corpus_service.ask("来凤的村干部每个月能拿多少钱").found
    _answers(corpus_service, "宣恩县村干部一年工资是多少", "38760")


def test_a_count_of_households_or_head_wants_that_unit(corpus_service: KnowledgeService) -> None:
    # The passage naming 罗先国 states a loan in yuan, not a number of cattle.
    assert not corpus_service.ask("罗先国这几年养了多少头牛").found
    _answers(corpus_service, "宣恩县建档立卡贫困户一共多少户", "27605户")


def test_a_sum_qualified_only_by_a_generic_or_dating_word(corpus_service: KnowledgeService) -> None:
    # "两委干部的待遇": the passage names them 正职, 副职, 委员; "以前的待遇" dates the sum, it does not name it.
    result = _answers(corpus_service, "鲁甸两委干部的待遇现在涨到多少了", "")
    assert "4200元" in result.answer or "2600元" in result.answer, result.answer
    _answers(corpus_service, "鲁甸正职以前的待遇是多少", "2000元")


def test_a_head_count_of_people_asked_is_what_must_be_stated(corpus_service: KnowledgeService) -> None:
    # "辞职的人数": a count of cadres who resigned, which no passage gives (not the 780 cadres at work).
    assert not corpus_service.ask("鲁甸县提高村干部待遇以后，村干部辞职的人数有什么变化").found
    # A quorum asked by the number present is still answered by the share.
    _answers(corpus_service, "支部党员大会选举时到会人数要达到多少才能开", "半数")


def test_the_rule_for_the_askers_own_head_count(corpus_service: KnowledgeService) -> None:
    # 5 members: the rule for fewer than 7 answers, not the one for 7 or more (and the other way round).
    _answers(corpus_service, "我们支部只有5名正式党员，还要开支委会吗", "不足7人")
    _answers(corpus_service, "我们支部有十二个正式党员，要不要设支委会", "7人以上")


def test_items_asked_by_their_head_word_or_with_xie_shenme(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "哪几个融合啊 凤庆党建扶贫那个", "目标融合")
    _answers(corpus_service, "凤庆讲的四个融合具体融些什么", "目标融合")


def test_the_passage_listing_the_kind_asked(corpus_service: KnowledgeService) -> None:
    # "有啥问题": the passage going on to list the problems ("…的问题。从客观上看:一是…"), not the one
    # naming 问题 before its measures.
    _answers(corpus_service, "凤庆双推进工作存在些什么问题", "贫困面大")


def test_when_in_the_year_a_meeting_is_put(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "组织生活会一般放在一年里什么时候开", "第四季度")
    _answers(corpus_service, "组织生活会一般放第几季度开", "第四季度")


def test_how_long_one_lasts_is_not_how_often(corpus_service: KnowledgeService) -> None:
    # No document states how long a 党课 lasts; how often it is given does not answer that.
    assert not corpus_service.ask("党课一次讲多长时间，时长有要求吗").found


def test_what_the_figures_are_for_is_background(corpus_service: KnowledgeService) -> None:
    # "想写个经验稿", "能拿来宣传": why the asker wants it; "有啥数" asks for figures.
    result = _answers(corpus_service, "宣恩壮大村集体经济有啥路子，想写个宣传稿", "")
    assert any(w in result.answer for w in ("车间出租", "产业发展", "入股分红")), result.answer
    _answers(corpus_service, "鲁甸建村级活动场所有啥数能拿来宣传", "5956万元")


def test_the_clause_stating_what_the_amount_counts(corpus_service: KnowledgeService) -> None:
    # "要覆盖多少": the clause stating 覆盖 with its share, not the count of villages without it.
    _answers(corpus_service, "凤庆的贫困村股份合作经济要覆盖多少", "100%")


def test_words_typed_for_entering_and_scoring(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "鲁甸三会一课台账录进平台县里咋督促", "月约谈")
    _answers(corpus_service, "党员平时表现好坏怎么量化", "打分")
    _answers(corpus_service, "宣恩选用干部讲些啥标准", "三严三实")


def test_a_slip_the_dictionary_cut_off_the_word_it_ends(corpus_service: KnowledgeService) -> None:
    # "尖到|班组": the slip (到 for 刀) is read with the 班 the dictionary glued to the next word.
    _answers(corpus_service, "宣恩的脱贫攻坚尖到班组了多少个", "279个")


def test_how_often_typed_with_a_common_character(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "支委会多就开一次", "每月")


def test_the_day_of_a_speech_is_its_pages_date(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "郭学斌那次发言是哪天", "2018年01月08日")


def test_a_rhythm_or_a_set_year_asks_no_act(corpus_service: KnowledgeService) -> None:
    # "怎么个节奏" asks how the mechanism runs, "定在哪年" the year it was set for: neither is a verb
    # the answer must state.
    _answers(corpus_service, "鲁甸的问题交办机制怎么个节奏", "一月随访")
    _answers(corpus_service, "六盘水活动室面积达标的目标定在哪年", "2020年")


def test_measures_asked_as_zhao(corpus_service: KnowledgeService) -> None:
    result = _answers(corpus_service, "凤庆双推进靠哪些招", "")
    assert "四个融合" in result.answer, result.answer


def test_the_askers_situation_told_before_a_question_about_a_places_practice(
    corpus_service: KnowledgeService,
) -> None:
    # Clauses typed apart by spaces that tell the asker's situation are background; the question names
    # the place and what it asks about.
    _answers(corpus_service, "村里几个党员平时表现参差不齐 想搞个打分排名 宣恩那个给党员打分的叫啥办法来着", "先锋指数")
    _answers(corpus_service, "领导让我准备个六盘水经验的汇报 他们优化的那几个体系都是啥来着", "作战体系")
    _answers(corpus_service, "下周党课要讲四下基层 宁德说的那几个全覆盖是哪些", "全覆盖")


def test_a_question_naming_no_topic_asks_about_what_was_told(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "刚当上支书，这活一个月到底能拿多少钱啊", "4200")


def test_how_pay_stands_is_answered_with_each_countys_figure(corpus_service: KnowledgeService) -> None:
    result = corpus_service.ask("村干部工资咋样")
    assert result.found and all(f in result.answer for f in ("38760", "4200", "2000-4000")), result.answer


def test_words_glued_to_a_function_character_and_kindred_words(corpus_service: KnowledgeService) -> None:
    # "村有" is no word; 养殖 ~ 养牛, 补贴 ~ 补助.
    _answers(corpus_service, "我们村有党员想贷款搞养殖，有啥政策没", "创业致富贷款")
    _answers(corpus_service, "村干部的养老保险上面给不给补贴啊", "160万元")
    _answers(corpus_service, "支委会是不是一个季度开一次就够了？我在原单位一直是这么弄的", "每月")


def test_the_wording_asked_is_the_saying_quoted(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "要让村干部没后顾之忧，宣恩那个案例提的三句“有保障”“有前途”原话咋说的？", "干好有前途")


def test_the_conditions_asked_must_be_stated(corpus_service: KnowledgeService) -> None:
    # A passage saying such projects were funded states no condition for getting one.
    result = corpus_service.ask("村里想申请财政扶持的集体经济项目，要具备哪些条件")
    assert not result.found, result.answer


def test_a_rate_asked_is_not_a_total_for_many(corpus_service: KnowledgeService) -> None:
    # "每月多少" wants the monthly rate, not a year's sum for hundreds of cadres in the same sentence.
    _answers(corpus_service, "鲁甸村里副职干部现在一个月多少钱", "3200")


def test_a_verb_asked_as_a_not_a_and_the_askers_doubt(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "冬天驻村冻得够呛 上面发不发过冬的东西", "四件套")
    _answers(corpus_service, "俺们支部开会到底多长时间开一回，有点搞不清", "每")
    _answers(corpus_service, "凤庆贫困户里党员户多不多 是不是就一百来户", "188户")


def test_staying_in_a_village_said_as_xiacun(corpus_service: KnowledgeService) -> None:
    _answers(corpus_service, "下村驻点 组织上给不给买保险啥的", "人身意外伤害保险")
    _answers(corpus_service, "第一书记下村有没有专门的工作经费", "1万元")
    _answers(corpus_service, "宣恩干部下村开了多少会 跑了多少户", "87542户")
