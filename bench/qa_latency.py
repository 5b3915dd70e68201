"""Policy Q&A speed and memory over a corpus: cold start, warm query latency, resident memory.

    python -m bench.qa_latency [--corpus ../shared/corpus] [--rounds 20]

Cold start is measured from interpreter start to a loaded service (imports, model, index); warm
latency over the development and project questions asked ``--rounds`` times each, in-process (what a
gateway worker thread does).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before the heavy imports: cold start includes them

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from bench.common import machine, peak_rss_mib, percentile, rss_mib  # noqa: E402
from bot.settings import Settings  # noqa: E402
from knowledge.service import KnowledgeService  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description="policy Q&A latency and memory")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    questions = []
    for path in (REPO.parent / "shared" / "eval" / "dev.jsonl", REPO / "bench" / "data" / "qa_extra.jsonl"):
        if path.is_file():
            questions += [json.loads(x)["question"] for x in path.read_text(encoding="utf-8").splitlines() if x]
    tmp = Path(tempfile.mkdtemp(prefix="dj-bench-"))
    try:
        settings = Settings(data_dir=tmp, _env_file=None)  # type: ignore[call-arg]
        service = KnowledgeService.open(settings)
        service.ingestor().ingest(args.corpus)
        service.close()
        # Cold start proper: a fresh service loading the built index (the model is loaded again too).
        t0 = time.perf_counter()
        service = KnowledgeService.open(settings)
        load_s = time.perf_counter() - t0
        first_ready_s = time.perf_counter() - STARTED
        service.ask("支部党员大会多久开一次？")  # first query warms caches
        latencies = []
        for _ in range(args.rounds):
            for q in questions:
                t = time.perf_counter()
                service.ask(q)
                latencies.append((time.perf_counter() - t) * 1000)
        info = service.describe()
        print(f"machine: {machine()}")
        print(f"corpus: {args.corpus} -> {info['documents']} documents, {info['passages']} passages")
        print(f"cold start: model+index load {load_s:.2f} s; interpreter start to first load "
              f"{first_ready_s - load_s:.2f} s (imports, first model load, ingest)")
        print(f"warm queries: n={len(latencies)} p50 {percentile(latencies, 50):.1f} ms, "
              f"p95 {percentile(latencies, 95):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
              f"max {max(latencies):.1f} ms")
        print(f"resident memory: {rss_mib():.0f} MiB now, peak {peak_rss_mib():.0f} MiB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
