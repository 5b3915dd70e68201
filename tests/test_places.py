"""The place gazetteer and place detection (documents and questions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.documents import Place
from knowledge.places import (
    GAZETTEER_PATH,
    all_place_terms,
    detect_place,
    lookup,
    narrowest,
    places_in_text,
    read_county_slips,
)

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

PROVINCES = [
    *("北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省"),
    *("浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省"),
    *("四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区", "广西壮族自治区"),
    *("西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区"),
]


def _corpus_file(prefix: str) -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return next(CORPUS.glob(f"{prefix}_*.txt"))


def test_gazetteer_has_all_provincial_level_names_with_short_aliases() -> None:
    for name in PROVINCES:
        entry = lookup(name)
        assert entry is not None and entry.level == "province", name
        assert entry.aliases, f"{name} has no short alias"


def test_gazetteer_hierarchy_is_consistent() -> None:
    rows = [
        line.split("\t")
        for line in GAZETTEER_PATH.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith(("#", "name\t"))
    ]
    names = [r[0] for r in rows]
    assert len(names) == len(set(names)), "duplicate place names"
    for name, level, parent, *_ in rows:
        entry = lookup(name)
        assert entry is not None
        if level == "province":
            assert not parent
        else:
            parent_entry = lookup(parent)
            assert parent_entry is not None, f"{name}: unknown parent {parent}"
            allowed = {"province"} if level == "city" else {"province", "city"}
            assert parent_entry.level in allowed, name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("宣恩县", Place("湖北省", "恩施土家族苗族自治州", "宣恩县")),
        ("恩施州", Place("湖北省", "恩施土家族苗族自治州", None)),
        ("六盘水", Place("贵州省", "六盘水市", None)),
        ("闽东", Place("福建省", "宁德市", None)),
        ("鲁甸", Place("云南省", "昭通市", "鲁甸县")),
        ("凤庆", Place("云南省", "临沧市", "凤庆县")),
    ],
)
def test_required_places_and_aliases(name: str, expected: Place) -> None:
    entry = lookup(name)
    assert entry is not None
    assert entry.place == expected


def test_place_terms_for_jieba() -> None:
    terms = all_place_terms()
    assert len(terms) == len(set(terms))
    assert all(len(t) >= 2 for t in terms), "one-character aliases cause false positives"
    for term in ("宣恩县", "宣恩", "恩施州", "六盘水", "宁德", "闽东", "鲁甸", "凤庆县", "内蒙古", "广西"):
        assert term in terms


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("云南省村干部一个月多少钱", ["云南省"]),
        ("鲁甸的村干部待遇怎么样", ["鲁甸县"]),
        ("宁德和六盘水的做法有什么不同", ["宁德市", "六盘水市"]),
        ("恩施州宣恩县的歇职制度", ["恩施土家族苗族自治州", "宣恩县"]),
        ("村支书一个月能拿多少钱", []),
        ("黄河南岸的村子怎么办", []),  # 河南 inside an everyday phrase
        ("上海南京路的社区党委", ["上海市", "南京市"]),  # leftmost-longest: not 海南
        ("祝大家幸福安康", []),  # no alias for 福安市 on purpose
        # The 来 of 以来 / 近年来 followed by 凤庆 is not 来凤; 来凤县 in full still is.
        ("2015年以来凤庆县有多少名党员受益", ["凤庆县"]),
        ("近年来凤庆怎么抓党建", ["凤庆县"]),
        ("来凤县和凤庆县比", ["来凤县", "凤庆县"]),
        ("来凤的村干部待遇", ["来凤县"]),
    ],
)
def test_places_in_question(question: str, names: list[str]) -> None:
    assert [e.name for e in places_in_text(question)] == names


def test_places_in_text_gives_ancestors() -> None:
    (entry,) = places_in_text("鲁甸的")
    assert entry.ancestors == ("昭通市", "云南省")
    assert entry.place.label == "云南省鲁甸县"
    assert entry.place.key == "鲁甸县"


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("000", Place("湖北省", "恩施土家族苗族自治州", "宣恩县")),
        ("001", Place("贵州省", "六盘水市", None)),
        ("002", Place("福建省", "宁德市", None)),
        ("003", Place("云南省", "昭通市", "鲁甸县")),
        ("004", Place("云南省", "临沧市", "凤庆县")),
    ],
)
def test_detect_place_on_raw_corpus(prefix: str, expected: Place) -> None:
    assert detect_place(_corpus_file(prefix).read_text(encoding="utf-8")) == expected


def test_detect_place_nothing_named() -> None:
    assert detect_place("支部工作要点\n每月开展一次主题党日活动。") == Place()
    assert detect_place("") == Place()


def test_detect_place_ignores_a_passing_mention() -> None:
    lines = ["某镇党建工作总结", "全镇党员积极参加志愿服务。", "各支部按时过组织生活。"]
    text = "\n".join([*lines, "今年组织党员赴浙江考察学习一次。"])
    assert detect_place(text) == Place()


def test_detect_place_weighs_title_over_body() -> None:
    text = "凤庆县推进村级集体经济\n全县各村制定了发展计划。\n有干部曾到宁德学习。"
    assert detect_place(text).county == "凤庆县"


def test_detect_place_falls_back_to_regex_for_unknown_county() -> None:
    text = "甘肃省渭源县村干部报酬调整\n渭源县规定村干部报酬按季度发放。"
    place = detect_place(text)
    assert place.province == "甘肃省"
    assert place.county == "渭源县"


def test_detect_place_rejects_phrases_after_a_province() -> None:
    text = "湖北省委组织部印发通知\n湖北省委要求各地抓好落实。"
    assert detect_place(text) == Place(province="湖北省")


def test_a_county_named_with_its_prefecture_is_the_place_asked_about() -> None:
    # "恩施州来凤县" is about 来凤县; 宣恩县, also in 恩施州, must not answer for it.
    assert [e.name for e in narrowest(places_in_text("恩施州来凤县村干部工资多少"))] == ["来凤县"]
    names = [e.name for e in narrowest(places_in_text("云南鲁甸和凤庆的做法"))]
    assert names == ["鲁甸县", "凤庆县"]


def test_a_countys_xian_typed_as_a_homophone_is_read_as_xian() -> None:
    assert read_county_slips("宣恩线那边财政拿了多少钱") == "宣恩县那边财政拿了多少钱"
    assert read_county_slips("鲁甸限第一书记经费多少") == "鲁甸县第一书记经费多少"
    # 现 opening a word of its own stays ("现在"), and a city is not a county.
    assert read_county_slips("宣恩现在村干部工资多少") == "宣恩现在村干部工资多少"
    assert read_county_slips("宁德线上培训") == "宁德线上培训"
