"""Line-level removal of web-page leftovers, without losing content."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.cleaning import classify_line, clean_lines, clean_text, meta_fields, normalize_whitespace

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
LEFTOVER_MARKERS = (
    *("[打印]", "[[收藏]]", "[TT]", "返回顶部", "扫一扫", "责任编辑", "责编", "上一篇", "下一篇", "关键词:"),
    *("发布时间", "打印本页", "您当前所在的位置", "首页 >", "文章来源", "http"),
)


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return sorted(CORPUS.glob("*.txt"))


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("首页 > 工作动态 基层党建", "breadcrumb"),
        ("您当前所在的位置: 首页 » 新闻中心 » 通知公告", "breadcrumb"),
        ("当前位置：首页 > 党建要闻", "breadcrumb"),
        ("某某党建网>>组织建设", "breadcrumb"),
        ("[打印]", "toolbar"),
        ("[[收藏]]", "toolbar"),
        ("[TT]", "toolbar"),
        ("返回顶部", "toolbar"),
        ("打印本页 关闭本页", "toolbar"),
        ("字体: 打印本页 关闭本页", "toolbar"),
        ("字体：【大】【中】【小】", "toolbar"),
        ("微信“扫一扫”添加“某某党建”", "share"),
        ("扫一扫在手机打开当前页", "share"),
        ("分享到：微信 微博 QQ空间", "share"),
        ("责任编辑:李四", "editor"),
        ("(责编:张三、李四)", "editor"),
        ("（编辑：王五）", "editor"),
        ("文章来源:http://www.example.cn/2020/0101/1.shtml", "source"),
        ("来源：某某日报", "source"),
        ("上一篇:", "nav"),
        ("下一篇：关于做好换届工作的通知", "nav"),
        ("关键词:党建,基层,支部", "keywords"),
        ("发布时间:", "publication"),
        ("发布时间：2019-03-05 09:12:00 | 来源：某某网 | 作者：张三", "publication"),
        ("2020年05月12日 15:30", "publication"),
        ("2018年01月08日10:31 来源:某某网", "publication"),
        ("作者:某县委组织部 张三 发布时间:2017/3/8 9:05:11 点击率:12", "publication"),
        ("某县委书记在会上讲话。某某网记者张三 摄", "caption"),
        ("尊敬的各位领导、同志们:", "greeting"),
    ],
)
def test_leftover_lines_are_recognised(line: str, kind: str) -> None:
    assert classify_line(normalize_whitespace(line)) == kind


@pytest.mark.parametrize(
    "line",
    [
        "村里建了微信群，党员扫一扫二维码就能进群学习，支部每周在群里推送一次学习材料。",
        "打印机和电脑由乡镇统一配发，村级活动室不再自行购置。",
        "来源于群众的意见建议，要在一周内给出答复。",
        "时间：每月5日上午",  # a meeting record's field is content
        "2019年3月，全县召开党建工作推进会，部署下一阶段任务。",
        "三、宣传片拍摄",
        "上一年度考核为优秀的村干部，按规定发放奖励。",
        "编辑部门的同志要按时报送信息。",
        "首页设计要简洁明了，方便群众查询办事指南。",
        "大家好才是真的好，支部要带着群众一起干。",
    ],
)
def test_content_lines_survive(line: str) -> None:
    assert classify_line(line) is None
    assert clean_lines([line]).lines == (line,)


def test_whitespace_is_normalised_but_not_other_characters() -> None:
    raw = "\u3000\u3000村干部\u00a0\u00a0报酬，按月发放；\u200b合计3,600元。 "
    assert normalize_whitespace(raw) == "村干部 报酬，按月发放；合计3,600元。"


def test_greeting_sentence_is_trimmed_from_a_speech() -> None:
    cleaned = clean_lines(["大家好。我是来自某县的代表，下面汇报三点做法。"])
    assert cleaned.lines == ("我是来自某县的代表，下面汇报三点做法。",)
    assert [r.kind for r in cleaned.removed] == ["greeting"]


def test_removed_lines_keep_their_text_and_position() -> None:
    cleaned = clean_text("示范标题\n发布时间:2021-01-02\n\n正文第一段。\n[打印]")
    assert cleaned.lines == ("示范标题", "正文第一段。")
    assert cleaned.line_index == (0, 3)
    assert [(r.index, r.kind) for r in cleaned.removed] == [(1, "publication"), (4, "toolbar")]


def test_meta_fields() -> None:
    assert meta_fields("发布时间:2021-10-08 08:30:00 | 来源:某网 | 作者:张三 | 责任编辑:李四") == [
        ("date", "2021-10-08 08:30:00"),
        ("source", "某网"),
        ("author", "张三"),
        ("editor", "李四"),
    ]
    assert meta_fields("2018年01月08日10:31 来源:某某网-频道") == [
        ("date", "2018年01月08日10:31"),
        ("source", "某某网-频道"),
    ]
    assert meta_fields("发布时间:") == [("date", "")]
    assert meta_fields("2019年3月5日，全县召开大会。") is None
    assert meta_fields("时间：每月5日") is None


def test_corpus_leftovers_gone_and_content_kept() -> None:
    for path in _corpus_files():
        raw = path.read_text(encoding="utf-8")
        cleaned = clean_text(raw)
        for line in cleaned.lines:
            for marker in LEFTOVER_MARKERS:
                assert marker not in line, f"{path.name}: {marker!r} left in {line[:30]!r}"
        # Every long raw line (a content paragraph) is kept, verbatim up to whitespace and a greeting.
        kept = "\n".join(cleaned.lines)
        for raw_line in raw.splitlines():
            line = normalize_whitespace(raw_line)
            if len(line) > 200:
                assert line[-100:] in kept, f"{path.name}: lost content {line[:30]!r}"
