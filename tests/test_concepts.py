"""Numbered concepts whose items get a sentence each (knowledge/concepts.py)."""

from __future__ import annotations

from knowledge.concepts import (
    concept_by_head,
    concept_count,
    concept_items,
    gives_items,
    head_asked,
    heading_items,
    introduces_items,
    item_about,
    kind_asked,
    names_concept,
    one_item_asked,
)

PARAGRAPH = (
    "近年来,全县推行“三个到位”。即人员到位,各村配齐专职干部。经费到位:县财政足额保障。"
    "阵地到位,新建活动场所20个。此外还做到资料到位。"
)


def test_items_named_one_sentence_at_a_time_are_collected() -> None:
    assert concept_items(PARAGRAPH, "三个到位") == ["人员到位", "经费到位", "阵地到位"]


def test_the_count_must_be_met_and_the_concept_named() -> None:
    assert concept_items(PARAGRAPH, "四个到位") is None  # a fourth item does not open a sentence
    assert concept_items(PARAGRAPH, "三个覆盖") is None
    assert concept_items(PARAGRAPH, "到位") is None  # not a numbered concept
    listed = "聚焦“五个基本”抓规范。聚焦基本组织、基本队伍、基本活动、基本制度、基本保障。"
    assert concept_items(listed, "五个基本") is None  # listed in one clause: the clause answers


def test_counted_concepts_and_their_counts() -> None:
    assert concept_count("四场硬仗") == 4
    assert concept_count("三大杠杆") == 3
    assert concept_count("双带") == 2
    assert concept_count("五抓五促") == 5
    assert concept_count("尖刀班") is None


def test_a_list_in_the_clause_naming_the_concept_gives_its_items() -> None:
    before = ("党员要做到学习好、工作好、作风好“三个好”。",)
    assert gives_items(before, 0, "三个好")
    after = ("二是抓好“两项保障”。落实办公经费和人员报酬,确保村级组织正常运转。",)
    assert gives_items(after, 0, "两项保障")
    # Another name of the same concept ("三个" / "三大").
    assert gives_items(("三是用好“三大杠杆”。合作社、贷款和电商是三大杠杆。",), 0, "三个杠杆")


def test_a_concept_only_named_in_passing_gives_no_items() -> None:
    passing = ("围绕“四场硬仗”“两项改革”等重点工作,列出12个培训专题,开展实训9000余次。",)
    assert not gives_items(passing, 0, "四场硬仗")
    # A list of other counted concepts is not a list of this one's items.
    concepts = ("做好四个融合、发挥两个作用、用好三个杠杆,继续抓好工作。",)
    assert not gives_items(concepts, 0, "三个杠杆")


def test_numbered_items_repeating_the_concept_parts_give_it() -> None:
    doc = (
        "我们坚持“两抓两促”。",
        "1.抓班子建设,促发展有力量。选好配强村级班子。",
        "2.抓产业培育,促群众增收。发展特色种养业。",
    )
    assert gives_items(doc, 0, "两抓两促")
    assert not gives_items(doc, 0, "四场硬仗")


def test_a_name_the_asker_coined_is_not_named_by_the_document() -> None:
    paragraphs = ("选树百个“扶贫团队”、百名“扶贫先锋”、百个“脱贫之星”。",)
    assert not names_concept(paragraphs, "三个百")
    assert names_concept(("用好三大杠杆。",), "三个杠杆")


def test_a_list_of_figures_after_a_concept_is_not_its_items() -> None:
    text = "按照“五好”标准建设活动室,目前新建活动室12个、改扩建8个、修缮6个。"
    assert not gives_items((text,), 0, "五好")
    assert gives_items(("按照“三好”标准:房子好、设施好、制度好。",), 0, "三好")


def test_items_asked_by_their_head_word_find_the_concept() -> None:
    # "做到了哪几个全覆盖": the asker does not know the count; the paragraph's "四个覆盖" has that head.
    paragraph = "我们做到“四个覆盖”。即甲乙全覆盖,说明。丙丁全覆盖,说明。"
    assert concept_by_head(paragraph, "全覆盖") == "四个覆盖"
    assert concept_by_head(paragraph, "全融合") is None


def test_the_head_word_asked_without_a_count() -> None:
    assert head_asked("做到了哪几个全覆盖") == "全覆盖"
    assert head_asked("具体是融合哪些方面") == "融合"
    assert head_asked("村干部一个月多少钱") is None


def test_a_generic_word_after_which_points_back_to_the_head() -> None:
    # "融合是哪几个方面": 方面 is how the asker counts, 融合 is the head of the "四个融合".
    assert head_asked("党建扶贫融合是哪几个方面") == "融合"
    assert head_asked("做到了哪几个全覆盖") == "全覆盖"


def test_items_given_as_numbered_headings_across_paragraphs() -> None:
    doc = (
        "我们坚持“两抓两促”。",
        "1.抓班子建设,促发展有力量。选好配强村级班子。",
        "2.抓产业培育,促群众增收。发展特色种养业。",
    )
    assert heading_items(doc, "两抓两促") == [(1, "抓班子建设,促发展有力量"), (2, "抓产业培育,促群众增收")]
    assert heading_items(doc, "三抓三促") is None  # three are named, two are given
    # The heading that names a concept is not one of its items.
    pair = ("二是发挥好“两个作用”。发挥好党组织的堡垒作用和党员的先锋作用。", "一是发挥作用不充分。")
    assert not gives_items(pair, 1, "两个作用")


def test_one_item_told_by_what_it_is_about() -> None:
    assert one_item_asked("两抓两促里讲产业的那一条")
    assert one_item_asked("哪条是讲班子的")
    assert not one_item_asked("两抓两促是什么")
    headings = ["抓班子建设,促发展有力量", "抓产业培育,促群众增收"]
    weights = {"产业": {"产业": 1.0}, "讲": {"讲": 1.0}}
    assert item_about(headings, "两抓两促", weights) == 1
    # The concept's own parts (抓, 促) are in every item; a word in none tells nothing.
    assert item_about(headings, "两抓两促", {"抓": {"抓": 1.0}}) is None
    assert item_about(headings, "两抓两促", {"党费": {"党费": 1.0}}) is None


def test_a_head_word_asked_with_a_spoken_particle() -> None:
    assert head_asked("哪几个融合啊融合") == "融合"
    assert head_asked("做到了哪几个全覆盖") == "全覆盖"


def test_the_kind_whose_items_are_asked_and_the_passage_listing_them() -> None:
    assert kind_asked("双推进工作有啥问题") == "问题"
    assert kind_asked("查出来有 哪些困难") == "困难"
    assert kind_asked("双推进工作咋搞的") is None
    listing = "取得成绩的同时,也认识到工作中还有一些不容忽视的问题。从客观上看:一是贫困面大。"
    assert introduces_items(listing, "问题")
    # Naming the kind before going on to measures does not list it.
    assert not introduces_items("面对问题和不足,坚持以问题导向,做好四个融合。", "问题")
