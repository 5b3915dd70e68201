"""Metadata (title, date, publisher, author, place) and content paragraphs from raw text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.cleaning import normalize_whitespace
from knowledge.documents import Place
from knowledge.metadata import extract_metadata, parse_date, publisher_from_source

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
DEV = SHARED / "eval" / "dev.jsonl"
LEFTOVERS = (
    *("[打印]", "[[收藏]]", "[TT]", "扫一扫", "责任编辑", "责编", "上一篇", "下一篇", "返回顶部", "关键词"),
    *("发布时间", "打印本页", "位置:", "文章来源", "尊敬的各位领导", " 摄"),
)


def _corpus(prefix: str) -> tuple[str, str]:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    path = next(CORPUS.glob(f"{prefix}_*.txt"))
    return path.name, path.read_text(encoding="utf-8")


CASES = [
    # prefix, title starts with, date, publisher, place, (min, max) paragraphs
    (
        "000",
        "履行政治职能",
        "2020-05-12",
        "www.71.cn",
        Place("湖北省", "恩施土家族苗族自治州", "宣恩县"),
        (8, 14),
    ),
    ("001", "六盘水优化", None, None, Place("贵州省", "六盘水市", None), (4, 8)),
    (
        "002",
        "坚持“五抓五促”",
        "2018-01-08",
        "人民网-中国共产党新闻网",
        Place("福建省", "宁德市", None),
        (6, 10),
    ),
    ("003", "四步联动", "2021-09-26", "中国网", Place("云南省", "昭通市", "鲁甸县"), (4, 8)),
    ("004", "凤庆县", "2016-09-02", None, Place("云南省", "临沧市", "凤庆县"), (5, 10)),
]


@pytest.mark.parametrize(("prefix", "title", "date", "publisher", "place", "n_paragraphs"), CASES)
def test_corpus_metadata(
    prefix: str,
    title: str,
    date: str | None,
    publisher: str | None,
    place: Place,
    n_paragraphs: tuple[int, int],
) -> None:
    name, raw = _corpus(prefix)
    meta, paragraphs = extract_metadata(raw, file_name=name)
    assert meta.title.startswith(title)
    assert meta.date == date
    assert meta.publisher == publisher
    assert meta.place == place
    low, high = n_paragraphs
    assert low <= len(paragraphs) <= high


def test_corpus_titles_skip_kicker_byline_and_take_subtitle() -> None:
    name, raw = _corpus("002")
    meta, paragraphs = extract_metadata(raw, file_name=name)
    assert "论坛" not in meta.title  # the kicker line is not the headline
    assert meta.author == "郭学斌"  # from the by-line under the headline
    assert not any(p.startswith(("第四届", "福建省宁德市委常委")) for p in paragraphs)

    name, raw = _corpus("003")
    meta, paragraphs = extract_metadata(raw, file_name=name)
    assert meta.title.endswith("全面过硬") and "——鲁甸县" in meta.title  # subtitle appended
    assert not any(p.startswith("——") for p in paragraphs)
    assert meta.author == "张振平"

    name, raw = _corpus("004")
    meta, _ = extract_metadata(raw, file_name=name)
    assert meta.author is not None and "凤庆县委组织部" in meta.author


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_corpus_paragraphs_clean_and_verbatim(prefix: str) -> None:
    name, raw = _corpus(prefix)
    meta, paragraphs = extract_metadata(raw, file_name=name)
    normalized_raw = "\n".join(normalize_whitespace(line) for line in raw.splitlines())
    for paragraph in paragraphs:
        assert paragraph == paragraph.strip() and paragraph
        assert paragraph in normalized_raw, "paragraphs are slices of the page text, not rewrites"
        assert paragraph != meta.title
        for marker in LEFTOVERS:
            assert marker not in paragraph, f"{marker!r} left in {paragraph[:30]!r}"


def test_dev_set_facts_survive_cleaning() -> None:
    if not DEV.is_file():
        pytest.skip(f"dev set not found at {DEV}")
    checked = 0
    for line in DEV.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if not item.get("doc"):
            continue
        raw = (CORPUS / item["doc"]).read_text(encoding="utf-8")
        _, paragraphs = extract_metadata(raw, file_name=item["doc"])
        text = "\n".join(paragraphs)
        assert any(fact in text for fact in item["expect_any"]), item["id"]
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2020年05月12日 15:30", "2020-05-12"),
        ("发布时间:2021-09-26 12:07:34", "2021-09-26"),
        ("2018年01月08日10:31", "2018-01-08"),
        ("发布时间:2016/9/2 8:51:02", "2016-09-02"),
        ("2019.11.3", "2019-11-03"),
        ("发布时间:", None),
        ("2021年13月40日", None),
        ("第2000-4000元", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_publisher_from_source() -> None:
    assert publisher_from_source("http://www.example.cn/2020/0512/1.shtml") == "www.example.cn"
    assert publisher_from_source("www.example.org/a/b") == "www.example.org"
    assert publisher_from_source("某某网-频道") == "某某网-频道"
    assert publisher_from_source("  ") is None


def test_plain_text_without_header_uses_file_stem() -> None:
    raw = "全村共有党员四十二名，分为三个党小组，每季度至少开展一次集中学习。"
    meta, paragraphs = extract_metadata(raw, file_name="支部概况.txt")
    assert meta.title == "支部概况"
    assert paragraphs == [raw]
    assert meta.date is None and meta.place == Place()


def test_section_heading_is_not_a_title() -> None:
    raw = "一、基本情况\n示范村现有党员三十名，其中女党员八名。"
    meta, paragraphs = extract_metadata(raw, file_name="情况汇报.txt")
    assert meta.title == "情况汇报"
    assert paragraphs[0] == "一、基本情况"


def test_hints_override_and_title_line_is_removed() -> None:
    raw = "村级事务公开办法\n发布时间：2020-01-01\n村务公开栏每季度更新一次，重大事项随时公开。"
    meta, paragraphs = extract_metadata(raw, file_name="a.html", title="村级事务公开办法", date="2022-02-02")
    assert meta.title == "村级事务公开办法"
    assert meta.date == "2022-02-02"
    assert paragraphs == ["村务公开栏每季度更新一次，重大事项随时公开。"]


MARKDOWN = """---
title: "示范县村干部报酬办法"
date: 2021/3/5
source: 示范县委组织部
author: 某某
place: 云南省鲁甸县
---
# 一级标题只是重复

## 一、报酬标准

正职每月**3600元**，
副职每月2800元，由县财政按月拨付。

- 第一项：按时[公示](http://example.cn)
* 第二项：`年度`考核

1. 先公示
2) 再发放

| 职务 | 月报酬 |
|---|---|
| 正职 | 3600元 |

> 引用的说明文字。
"""


def test_markdown_front_matter_headings_lists() -> None:
    meta, paragraphs = extract_metadata(MARKDOWN, file_name="办法.md")
    assert meta.title == "示范县村干部报酬办法"
    assert meta.date == "2021-03-05"
    assert meta.publisher == "示范县委组织部"
    assert meta.author == "某某"
    assert meta.place == Place("云南省", "昭通市", "鲁甸县")
    assert paragraphs == [
        "一级标题只是重复",
        "一、报酬标准",
        "正职每月3600元，副职每月2800元，由县财政按月拨付。",
        "- 第一项：按时公示",
        "- 第二项：年度考核",
        "1. 先公示",
        "2) 再发放",
        "职务 | 月报酬",
        "正职 | 3600元",
        "引用的说明文字。",
    ]


def test_markdown_first_heading_is_title_without_front_matter() -> None:
    text = "# 凤庆县党员积分办法\n\n党员积分每季度公示一次，积分结果作为评优依据。\n"
    meta, paragraphs = extract_metadata(text, file_name="jifen.md")
    assert meta.title == "凤庆县党员积分办法"
    assert paragraphs == ["党员积分每季度公示一次，积分结果作为评优依据。"]
    assert meta.place.county == "凤庆县"


def test_title_with_a_space_is_not_taken_for_a_byline() -> None:
    raw = "做群众满意的好书记 当致富路上带头人\n示范村书记带领村民发展特色种植，去年村集体收入明显增加。"
    meta, paragraphs = extract_metadata(raw, file_name="a.txt")
    assert meta.title == "做群众满意的好书记 当致富路上带头人"
    assert meta.author is None and len(paragraphs) == 1
