"""Numbered concepts whose items get a sentence each (knowledge/concepts.py)."""

from __future__ import annotations

from knowledge.concepts import concept_items

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
