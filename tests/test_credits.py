"""Questions about a document itself, answered from its credit lines (knowledge/credits.py)."""

from __future__ import annotations

from knowledge.credits import Credit, credit_asked, credit_fact, find_credit
from knowledge.documents import DocumentMeta
from knowledge.metadata import extract_metadata

# A page of our own with the usual header and footer of a news site.
PAGE = """首页 > 基层党建
某县探索村级事务新办法
发布时间:2022-03-04 09:15:00 | 来源:某某网 | 作者:李四 | 责任编辑:王五
某县今年为每个村安排办公经费3万元。
会场上,县委组织部负责人介绍情况。某某网赵六 摄
全县村干部参加了培训。
(责编:钱七、孙八)
"""


def test_credit_lines_are_kept_as_written() -> None:
    meta, paragraphs = extract_metadata(PAGE, file_name="page.txt")
    assert meta.credits == (
        "发布时间:2022-03-04 09:15:00 | 来源:某某网 | 作者:李四 | 责任编辑:王五",
        "会场上,县委组织部负责人介绍情况。某某网赵六 摄",
        "(责编:钱七、孙八)",
    )
    assert not any("责编" in p or "摄" in p for p in paragraphs)  # still out of the content


def test_an_empty_label_credits_nobody() -> None:
    meta, _ = extract_metadata("某县的做法\n发布时间:\n正文一句话。\n", file_name="a.txt")
    assert meta.credits == ()


def test_what_a_question_about_the_document_asks() -> None:
    assert credit_asked("这篇报道是哪天发布的") == "date"
    assert credit_asked("郭学斌在论坛上发言是哪天") == "date"  # a speech's day is its page's date
    assert credit_asked("宣恩县这篇案例是什么时间发表的？") == "date"
    assert credit_asked("这篇文章的责任编辑是谁") == "editor"
    assert credit_asked("发言的现场照片是谁拍摄的") == "photo"
    assert credit_asked("这篇报道的作者是谁") == "author"
    assert credit_asked("这篇文章来源是哪个网站") == "publisher"
    # About what the document reports, not about the document.
    assert credit_asked("述职报告会是什么时候开的") is None
    assert credit_asked("若干意见是哪年印发的") is None
    assert credit_asked("县委书记是谁") is None


def test_the_credit_asked_is_read_from_its_line() -> None:
    meta, _ = extract_metadata(PAGE, file_name="page.txt")
    line = meta.credits[0]
    assert find_credit(meta, "date") == Credit("date", line, "2022-03-04")
    assert find_credit(meta, "editor") == Credit("editor", line, "王五")
    assert find_credit(meta, "author") == Credit("author", line, "李四")
    assert find_credit(meta, "publisher") == Credit("publisher", line, "某某网")
    photo = find_credit(meta, "photo")
    assert photo is not None and photo.value == "某某网赵六"
    assert find_credit(DocumentMeta("无署名"), "date") is None


def test_the_fact_names_the_document() -> None:
    fact = credit_fact("某县探索村级事务新办法", Credit("date", "2022年3月4日", "2022年3月4日"))
    assert fact == "《某县探索村级事务新办法》发布于2022年3月4日"


# A speech as news sites publish it: the occasion above the headline, the speaker's post under it.
SPEECH = """第二届全省乡村治理论坛交流发言
某县抓实村级事务的做法
某省某县县委常委、组织部长  张三
2021年05月06日10:31 来源:某某网
大家好。我是某县的代表张三。今年全县为每个村安排办公经费3万元。
"""


def test_the_occasion_and_the_speakers_post_are_kept() -> None:
    meta, paragraphs = extract_metadata(SPEECH, file_name="speech.txt")
    assert meta.title == "某县抓实村级事务的做法" and meta.author == "张三"
    assert meta.credits[:2] == ("第二届全省乡村治理论坛交流发言", "某省某县县委常委、组织部长 张三")
    assert not any("论坛" in p or "组织部长" in p for p in paragraphs)
    assert find_credit(meta, "occasion") == Credit("occasion", meta.credits[0], "论坛")
    role = find_credit(meta, "role")
    assert role is not None and role.line == "某省某县县委常委、组织部长 张三"
    assert find_credit(DocumentMeta("无署名", credits=("某某网 摄",)), "role") is None


def test_the_occasion_of_a_speech_is_asked() -> None:
    assert credit_asked("这个经验是在哪个论坛上交流的") == "occasion"
    assert credit_asked("张三在什么会议上发言的") == "occasion"
    # Where a meeting was held is content, not the page's occasion.
    assert credit_asked("支部党员大会在哪个会议室开") is None
    # A unit's name is a name: "哪个单位写的" asks the author.
    assert credit_asked("这篇文章是哪个单位写的") == "author"
