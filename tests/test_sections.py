"""Headings a passage sits under (knowledge/sections.py)."""

from __future__ import annotations

from knowledge.sections import headings_before, only_headings

# Made-up text in the documents' layout: a lead sentence, then numbered measures in the running text.
PARAGRAPH = (
    "抓实保障,建立机制见长效。一是建立结对帮扶机制。按照分级负责的思路,全县20名县级领导联系乡镇,"
    "45名第一书记全部驻村。二是建立督办机制。每季度通报一次,年底集中考评。"
)


def test_a_passage_inside_a_paragraph_gets_the_lead_and_the_item_it_is_under() -> None:
    start = PARAGRAPH.index("全县20名")
    assert headings_before(PARAGRAPH, start) == "抓实保障,建立机制见长效。一是建立结对帮扶机制。"
    # After the second item's heading, that item is the one the passage is under.
    start = PARAGRAPH.index("每季度")
    assert headings_before(PARAGRAPH, start) == "抓实保障,建立机制见长效。二是建立督办机制。"


def test_a_passage_opening_its_paragraph_has_no_headings_above_it() -> None:
    assert headings_before(PARAGRAPH, 0) == ""
    long_lead = "近年来,全县上下认真贯彻落实各项部署要求,持续推进基层组织建设和干部队伍建设工作。其后续写。"
    assert headings_before(long_lead, long_lead.index("其后")) == ""  # a long first sentence is content


def test_only_headings() -> None:
    assert only_headings("抓实保障,建立机制见长效。一是建立结对帮扶机制。")
    assert not only_headings("一是建立结对帮扶机制。全县20名县级领导联系乡镇,45名第一书记全部驻村。")
    assert not only_headings("")
