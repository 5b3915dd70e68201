"""Scale: ingest and query a generated corpus of many documents (default 10,000, about 100k passages).

    python -m bench.qa_scale [--docs 10000] [--queries 300] [--keep DIR]

The documents are generated from templates (invented counties, roles, amounts and measures; nothing
from ../shared/corpus), written as .txt files, ingested with the real model, then queried. Prints
ingest throughput (passages/s), index size on disk, resident memory, query latency percentiles, and
the time of an incremental re-ingest after changing 1 % of the documents.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import machine, peak_rss_mib, percentile, rss_mib
from bot.settings import Settings
from knowledge.service import KnowledgeService

SURNAME = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
STEMS = "安平宁和顺兴丰华阳山川河溪江湖林泉石云峰岭桥源乐康寿昌盛福泰"
ROLES = [
    "村党组织书记",
    "村委会主任",
    "村副职干部",
    "“两委”委员",
    "驻村第一书记",
    "村民小组长",
    "村级后备干部",
]
FUNDS = [
    "村级工作经费",
    "村级办公经费",
    "党建工作经费",
    "党员教育培训经费",
    "村级活动场所维修经费",
    "服务群众专项经费",
]
MEASURES = [
    "推行“{a}{b}联动”工作法，由{role}牵头，每月召开一次协调会",
    "建立“{a}{b}积分”管理办法，积分按季度公示并与评优挂钩",
    "实施“{a}{b}引领”工程，组织党员结对帮扶困难群众{n}户",
    "开展“{a}{b}夜校”培训，全年举办{n}期，培训党员群众{m}人次",
    "设立“{a}{b}驿站”{n}个，为群众代办事项{m}件",
]


def _counties(n: int, rng: random.Random) -> list[str]:
    """``n`` distinct invented county names (so that a question naming one has one right answer)."""
    names = [a + b + c + "县" for a in STEMS for b in STEMS for c in STEMS if len({a, b, c}) == 3]
    return rng.sample(names, n)


def make_document(i: int, county: str, rng: random.Random) -> tuple[str, str, list[tuple[str, str]]]:
    """One document's text and a few (question, expected figure) pairs about it."""
    year = rng.randint(2015, 2025)
    title = f"{county}{rng.choice(['加强', '推进', '深化'])}基层党建工作的做法（之{i}）"
    lines = [title, f"发布时间:{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
    facts: list[tuple[str, str]] = []
    # Each role and fund is stated once per document, so every generated question has one right answer.
    roles, funds = rng.sample(ROLES, len(ROLES)), rng.sample(FUNDS, len(FUNDS))
    for _ in range(rng.randint(8, 12)):
        kind = rng.random()
        if kind < 0.35 and roles:
            role = roles.pop()
            pay = rng.randint(8, 60) * 100
            old = pay - rng.randint(2, 10) * 100
            lines.append(
                f"{county}{year}年起将{role}待遇由原来的每月{old}元提高到{pay}元，"
                f"所需资金由县级财政统筹解决，并建立与考核结果挂钩的增长机制，"
                f"{rng.choice(SURNAME)}某等{rng.randint(3, 40)}名干部据此领取了绩效报酬。"
            )
            facts.append((f"{county}{role}每月待遇是多少？", f"{pay}元"))
        elif kind < 0.65 and funds:
            fund = funds.pop()
            amount = rng.randint(1, 30)
            lines.append(
                f"在经费保障上，{county}确保{fund}每年不低于{amount}万元，"
                f"全县{rng.randint(20, 300)}个村（社区）全部纳入财政预算，"
                f"经费使用情况每季度公开一次，接受党员群众监督。"
            )
            facts.append((f"{county}{fund}每年有多少？", f"{amount}万元"))
        else:
            tpl = rng.choice(MEASURES)
            a, b = rng.choice(STEMS), rng.choice(STEMS)
            lines.append(
                f"{county}"
                + tpl.format(a=a, b=b, role=rng.choice(ROLES), n=rng.randint(2, 90), m=rng.randint(100, 9000))
                + f"，{rng.choice(['群众满意度明显提升', '基层组织力显著增强', '村集体经济持续壮大'])}。"
            )
    return title, "\n".join(lines) + "\n", facts


def main() -> None:
    parser = argparse.ArgumentParser(description="scale benchmark of the knowledge index")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="keep the generated corpus and index here")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = args.keep or Path(tempfile.mkdtemp(prefix="dj-scale-"))
    corpus, data = root / "corpus", root / "data"
    corpus.mkdir(parents=True, exist_ok=True)
    facts: list[tuple[str, str]] = []
    for i, county in enumerate(_counties(args.docs, rng)):
        _, text, doc_facts = make_document(i, county, rng)
        (corpus / f"doc{i:05d}.txt").write_text(text, encoding="utf-8")
        facts += doc_facts
    try:
        settings = Settings(data_dir=data, include_builtin_knowledge=False, _env_file=None)  # type: ignore[call-arg]
        from embeddings.encoder import load_encoder
        from knowledge.index_store import IndexStore
        from knowledge.ingest import Ingestor

        encoder = load_encoder(settings.embedding_model)
        ingestor = Ingestor(
            IndexStore(settings.index_dir),
            encoder,
            chunk_max_chars=settings.chunk_max_chars,
            include_builtin=False,
        )
        t0 = time.perf_counter()
        report = ingestor.ingest(corpus)
        ingest_s = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in (settings.index_dir / report.version).rglob("*") if p.is_file())
        ingest_peak = peak_rss_mib()

        for i in range(0, args.docs, 100):  # change 1 % of the documents
            path = corpus / f"doc{i:05d}.txt"
            path.write_text(path.read_text(encoding="utf-8") + "本文件已于近期修订。\n", encoding="utf-8")
        t0 = time.perf_counter()
        again = ingestor.ingest(corpus)
        reingest_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        service = KnowledgeService.open(settings, encoder=encoder)
        load_s = time.perf_counter() - t0
        sample = rng.sample(facts, min(args.queries, len(facts)))
        service.ask(sample[0][0])
        latencies, hits = [], 0
        for question, expected in sample:
            t = time.perf_counter()
            result = service.ask(question)
            latencies.append((time.perf_counter() - t) * 1000)
            hits += expected in result.answer
        print(f"machine: {machine()}")
        print(f"corpus: {args.docs} generated documents -> {report.passages} passages")
        print(
            f"ingest: {ingest_s:.0f} s, {report.passages / ingest_s:.0f} passages/s; "
            f"index on disk {size / 2**20:.0f} MiB; peak RSS during ingest {ingest_peak:.0f} MiB"
        )
        print(
            f"re-ingest after changing 1 % of documents: {reingest_s:.1f} s "
            f"({again.encoded_passages} passages encoded)"
        )
        print(f"load index: {load_s:.1f} s; resident memory serving: {rss_mib():.0f} MiB")
        print(
            f"queries: n={len(latencies)} p50 {percentile(latencies, 50):.0f} ms, "
            f"p95 {percentile(latencies, 95):.0f} ms, p99 {percentile(latencies, 99):.0f} ms; "
            f"expected figure in answer {hits}/{len(sample)}"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
