"""Reading .txt/.md/.html/.docx/.pdf files, and skipping bad files with a warning."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import docx
import pytest

from knowledge.documents import Place
from knowledge.loaders import (
    DocumentReadError,
    decode_text,
    iter_documents,
    pdf_lines_to_paragraphs,
    read_document,
    strip_site_name,
)

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

HTML = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>示范村党建工作简报_某某党建网</title>
<meta property="og:title" content="示范村推行党员积分管理">
<meta name="PubDate" content="2022-04-18 09:30">
<script>var tracker = "不应出现的脚本文字";</script>
<style>.x { color: red }</style>
</head><body>
<header><div class="logo">某某党建网</div></header>
<nav>首页 &gt; 基层动态</nav>
<article>
<h1>示范村推行党员积分管理</h1>
<p>鲁甸县示范村把党员参加组织生活、志愿服务的情况记入积分，<strong>每季度</strong>公示一次。</p>
<p>积分排名靠前的党员优先推荐为<em>优秀共产党员</em>人选，
积分过低的由支部书记谈心谈话。</p>
<div>全村共有党员<span>42</span>名。<br>其中女党员9名。</div>
<table><tr><td>季度</td><td>平均积分</td></tr><tr><td>一季度</td><td>86</td></tr></table>
</article>
<aside>热门文章：不应出现的侧栏标题</aside>
<footer>版权所有 不应出现的页脚</footer>
</body></html>
"""

MARKDOWN = """---
title: 村务监督委员会工作规则
date: 2020-07-01
source: 示范镇党委
---
# 村务监督委员会工作规则

## 一、职责

监督委员会每月查看一次村级财务票据，发现问题及时报告镇党委。
"""

GB_TEXT = "宣恩县示范村党员大会记录\n本次党员大会应到党员三十名，实到二十八名，会议讨论了村级道路维护方案。\n"


def make_docx(path: Path, *, core_title: str | None = None) -> None:
    document = docx.Document()
    if core_title:
        document.core_properties.title = core_title
    document.add_heading("示范村集体经济发展方案", level=0)
    document.add_paragraph("示范村以合作社为平台发展茶叶种植，村集体每年分红不少于5万元。")
    document.add_heading("一、收益分配", level=1)
    document.add_paragraph("分红收益的百分之三十用于公益事业，其余按股分配。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "项目"
    table.cell(0, 1).text = "金额"
    table.cell(1, 0).text = "公益事业"
    table.cell(1, 1).text = "1.5万元"
    document.add_paragraph("方案经村民代表会议表决通过后实施。")
    document.save(str(path))


def make_pdf(lines: list[str], title: str) -> bytes:
    """A minimal one-page PDF (Helvetica, ASCII text), with a correct cross-reference table."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = " ".join(f"({esc(line)}) Tj T*" for line in lines)
    stream = f"BT /F1 11 Tf 14 TL 72 720 Td {ops} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({esc(title)}) >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("latin-1")
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("latin-1")
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    out += trailer.encode("latin-1")
    return bytes(out)


PDF_LINES = [
    "Section one: allowances",
    "Village cadres in the pilot county receive a monthly allowance of",
    "3200 yuan, paid from the county budget before the tenth day of the",
    "month.",
    "Section two: records",
    "Each branch keeps minutes of every meeting and files them with the",
    "township party committee every quarter.",
]


def test_read_txt_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "record.txt"
    path.write_bytes(GB_TEXT.encode("gb18030"))
    doc = read_document(path, doc_id="record.txt")
    assert doc.meta.title == "宣恩县示范村党员大会记录"
    assert doc.paragraphs == ("本次党员大会应到党员三十名，实到二十八名，会议讨论了村级道路维护方案。",)
    assert doc.meta.place.county == "宣恩县"
    assert doc.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.file_name == "record.txt" and doc.doc_id == "record.txt" and not doc.builtin


def test_decode_text_variants() -> None:
    text = "支部书记带头讲党课。"
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert decode_text(text.encode("gb18030")) == text
    assert decode_text(text.encode("utf-16")) == text
    with pytest.raises(DocumentReadError):
        decode_text(b"\x00\x01\x02binary\x00")


def test_read_html(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    doc = read_document(path, doc_id="page.html")
    assert doc.meta.title == "示范村推行党员积分管理"
    assert doc.meta.date == "2022-04-18"
    assert doc.meta.place == Place("云南省", "昭通市", "鲁甸县")
    text = "\n".join(doc.paragraphs)
    for unwanted in ("不应出现", "var tracker", "color", "首页", "某某党建网"):
        assert unwanted not in text
    assert doc.paragraphs[0] == (
        "鲁甸县示范村把党员参加组织生活、志愿服务的情况记入积分，每季度公示一次。"
    )  # inline <strong> stays inside its paragraph
    assert "积分排名靠前的党员优先推荐为优秀共产党员人选，积分过低的由支部书记谈心谈话。" in doc.paragraphs
    assert "全村共有党员42名。" in doc.paragraphs and "其中女党员9名。" in doc.paragraphs
    assert any("一季度" in p and "86" in p for p in doc.paragraphs)
    assert doc.meta.title not in doc.paragraphs


def test_read_markdown_with_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "rules.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = read_document(path, doc_id="rules.md", builtin=True)
    assert doc.builtin
    assert doc.meta.title == "村务监督委员会工作规则"
    assert doc.meta.date == "2020-07-01"
    assert doc.meta.publisher == "示范镇党委"
    assert doc.paragraphs == ("一、职责", "监督委员会每月查看一次村级财务票据，发现问题及时报告镇党委。")


def test_read_docx_title_from_title_style_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    make_docx(path)
    doc = read_document(path, doc_id="plan.docx")
    assert doc.meta.title == "示范村集体经济发展方案"
    assert doc.paragraphs == (
        "示范村以合作社为平台发展茶叶种植，村集体每年分红不少于5万元。",
        "一、收益分配",
        "分红收益的百分之三十用于公益事业，其余按股分配。",
        "项目 | 金额",
        "公益事业 | 1.5万元",
        "方案经村民代表会议表决通过后实施。",
    )


def test_read_docx_title_from_core_properties(tmp_path: Path) -> None:
    path = tmp_path / "plan2.docx"
    make_docx(path, core_title="集体经济方案（修订稿）")
    doc = read_document(path, doc_id="plan2.docx")
    assert doc.meta.title == "集体经济方案（修订稿）"
    assert doc.paragraphs[0] == "示范村集体经济发展方案"  # a heading that is not the title is kept


def test_read_pdf(tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    path.write_bytes(make_pdf(PDF_LINES, "Allowance notice"))
    doc = read_document(path, doc_id="notice.pdf")
    assert doc.meta.title == "Allowance notice"
    assert (
        "Village cadres in the pilot county receive a monthly allowance of 3200 yuan, paid from the county "
        "budget before the tenth day of the month." in doc.paragraphs
    )
    assert "Section two: records" in doc.paragraphs


def test_pdf_lines_are_rejoined_into_paragraphs() -> None:
    lines = [
        "一、工作要求",
        "各村党支部要按照规定的时间节点完成党员信息采集工作，确保",
        "数据准确完整，并于每月底前报送镇党委组织委员审核汇总。",
        "- 2 -",
        "二、时间安排",
        "三月底前完成。",
    ]
    assert pdf_lines_to_paragraphs(lines) == [
        "一、工作要求",
        "各村党支部要按照规定的时间节点完成党员信息采集工作，确保数据准确完整，并于每月底前报送镇党委组织委员审核汇总。",
        "二、时间安排",
        "三月底前完成。",
    ]


def test_read_document_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(DocumentReadError, match="empty"):
        read_document(empty, doc_id="empty.txt")
    odd = tmp_path / "data.xyz"
    odd.write_text("文字", encoding="utf-8")
    with pytest.raises(DocumentReadError, match="unsupported"):
        read_document(odd, doc_id="data.xyz")
    missing = tmp_path / "missing.txt"
    with pytest.raises(DocumentReadError):
        read_document(missing, doc_id="missing.txt")


def test_iter_documents_reads_good_files_and_warns_about_bad_ones(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a_page.html").write_text(HTML, encoding="utf-8")
    (tmp_path / "b_rules.md").write_text(MARKDOWN, encoding="utf-8")
    make_docx(tmp_path / "sub" / "plan.docx")
    (tmp_path / "sub" / "record.txt").write_bytes(GB_TEXT.encode("gb18030"))
    (tmp_path / "notice.pdf").write_bytes(make_pdf(PDF_LINES, "Allowance notice"))
    # Bad files: each must be skipped with a warning naming it.
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "junk.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "only_leftovers.txt").write_text("[打印]\n返回顶部\n上一篇:\n", encoding="utf-8")
    (tmp_path / "locked.txt").write_text("锁定的文件内容。", encoding="utf-8")
    # Silently ignored: unsupported types, hidden files, Word lock files.
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (tmp_path / ".hidden.txt").write_text("隐藏文件。", encoding="utf-8")
    (tmp_path / "~$plan.docx").write_bytes(b"lock")

    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with caplog.at_level(logging.WARNING, logger="knowledge.loaders"):
        docs = list(iter_documents(tmp_path))

    expected = ["a_page.html", "b_rules.md", "notice.pdf", "sub/plan.docx", "sub/record.txt"]
    assert [d.doc_id for d in docs] == expected
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    for bad in ("broken.docx", "empty.txt", "junk.txt", "only_leftovers.txt", "locked.txt"):
        assert sum(bad in w for w in warnings) == 1, f"no single warning naming {bad}: {warnings}"
    assert len(warnings) == 5
    assert not any(name in " ".join(warnings) for name in ("photo.jpg", ".hidden.txt", "~$plan.docx"))


def test_iter_documents_over_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    docs = list(iter_documents(CORPUS))
    assert [d.doc_id for d in docs] == sorted(p.name for p in CORPUS.glob("*.txt"))
    assert all(d.paragraphs and d.meta.title and d.meta.place.key for d in docs)


def test_iter_documents_needs_a_folder(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        list(iter_documents(tmp_path / "nope"))


@pytest.mark.parametrize(
    ("title", "headline"),
    [
        ("村干部报酬提高到2000-4000元 - 某某党建网", "村干部报酬提高到2000-4000元"),
        ("示范村党建简报_基层动态_某某网", "示范村党建简报"),
        ("示范村党建简报", "示范村党建简报"),
    ],
)
def test_strip_site_name(title: str, headline: str) -> None:
    assert strip_site_name(title) == headline
