"""Policy Q&A speed and memory over a corpus: cold start, warm query latency, resident memory.

    python -m bench.qa_latency [--corpus ../shared/corpus] [--rounds 20]

Cold start is measured in a fresh process from its creation to the first answer (interpreter, imports,
model, index); warm
latency over the development and project questions asked ``--rounds`` times each, in-process (what a
gateway worker thread does).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, peak_rss_mib, percentile, rss_mib
from bot.settings import Settings
from knowledge.service import KnowledgeService

REPO = Path(__file__).resolve().parents[1]


_COLD = """
import time, psutil
from bot.settings import Settings
from knowledge.service import KnowledgeService
s = KnowledgeService.open(Settings(data_dir={data!r}, _env_file=None))
s.ask("支部党员大会多久开一次？")
print(time.time() - psutil.Process().create_time())
"""


def _cold_start(data_dir: Path) -> float:
    """Seconds from process creation to the first answer, in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", _COLD.format(data=str(data_dir))],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description="policy Q&A latency and memory")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes timed for cold start")
    args = parser.parse_args()
    questions = []
    for path in (REPO.parent / "shared" / "eval" / "dev.jsonl", REPO / "bench" / "data" / "qa_extra.jsonl"):
        if path.is_file():
            questions += [
                json.loads(x)["question"] for x in path.read_text(encoding="utf-8").splitlines() if x
            ]
    tmp = Path(tempfile.mkdtemp(prefix="dj-bench-"))
    try:
        settings = Settings(data_dir=tmp, _env_file=None)  # type: ignore[call-arg]
        service = KnowledgeService.open(settings)
        service.ingestor().ingest(args.corpus)
        service.close()
        colds = sorted(_cold_start(tmp) for _ in range(max(1, args.cold_runs)))
        t0 = time.perf_counter()
        service = KnowledgeService.open(settings)
        load_s = time.perf_counter() - t0
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
        print(
            f"cold start (fresh process: interpreter, imports, model, index, first answer), "
            f"{len(colds)} runs: median {percentile(colds, 50):.2f} s, max {colds[-1]:.2f} s; "
            f"model+index load in a warm process: {load_s:.2f} s"
        )
        print(
            f"warm queries: n={len(latencies)} p50 {percentile(latencies, 50):.1f} ms, "
            f"p95 {percentile(latencies, 95):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
            f"max {max(latencies):.1f} ms"
        )
        print(f"resident memory: {rss_mib():.0f} MiB now, peak {peak_rss_mib():.0f} MiB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
