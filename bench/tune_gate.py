"""Tune the "not found" thresholds on labelled in- and out-of-scope questions, then check held-out ones.

    python -m bench.tune_gate [--data bench/data/qa_extra.jsonl] [--corpus ../shared/corpus]
                              [--tune tune,holdout,...] [--check holdout6,dev]

Builds a fresh index of the corpus in a temporary data directory, ranks every question once, then
scores each threshold combination on the ``--tune`` splits (out-of-scope refused + answerable kept)
and reports the chosen thresholds on the ``--check`` splits (../shared/eval/dev.jsonl is "dev"), which
are never used for choosing. A held-out split that has been looked at may join ``--tune``; judge the
result on a split nobody has seen yet.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
from dataclasses import replace
from pathlib import Path

from bot.settings import Settings
from knowledge.gate import GateParams, answerable
from knowledge.service import KnowledgeService

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO / "bench" / "data" / "qa_extra.jsonl")
    parser.add_argument("--dev", type=Path, default=REPO.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--tune", default="tune", help="comma-separated splits to choose the thresholds on")
    parser.add_argument("--check", default="holdout,dev", help="comma-separated splits to report only")
    args = parser.parse_args()
    tune_splits = set(args.tune.split(","))
    check_splits = args.check.split(",")
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    dev = [
        dict(json.loads(line), split="dev")
        for line in args.dev.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), _env_file=None)  # type: ignore[call-arg]
        service = KnowledgeService.open(settings)
        service.ingestor().ingest(args.corpus)
        decided = [(r, service.decide(r["question"])) for r in [*rows, *dev]]

    def score(params: GateParams, splits: set[str]) -> tuple[int, int, int, int]:
        kept = refused = n_in = n_ood = 0
        for r, d in decided:
            if r["split"] not in splits:
                continue
            ok = answerable(d.query, d.ranked[0] if d.ranked else None, params)
            if r["type"] == "ood":
                n_ood += 1
                refused += not ok
            else:
                n_in += 1
                kept += ok
        return kept, n_in, refused, n_ood

    grid = itertools.product(
        [0.3, 0.33, 0.35, 0.38, 0.4, 0.42, 0.45, 0.5, 0.55],
        [0.5, 0.55, 0.6, 0.62, 0.65, 0.68, 0.7, 0.72, 0.75, 0.78, 0.8],
        [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 1.01],
    )
    results = []
    for cov, dense, strong in grid:
        params = GateParams(min_coverage=cov, min_dense=dense, strong_coverage=strong)
        kept, n_in, refused, n_ood = score(params, tune_splits)
        # Refusing an out-of-scope question matters more than keeping one answerable question.
        results.append((2 * refused / n_ood + kept / n_in, -abs(cov - 0.45) - abs(dense - 0.6), params))
    results.sort(key=lambda t: (t[0], t[1]), reverse=True)
    print(f"best on {sorted(tune_splits)} (objective = 2·ood_refused + answerable_kept):")
    for obj, _, params in results[:5]:
        print(f"  {obj:.3f}  {params}")
    chosen = results[0][2]
    for split in [args.tune, *check_splits]:
        kept, n_in, refused, n_ood = score(chosen, set(split.split(",")))
        print(f"{split:10.10s} answerable kept {kept}/{n_in}, out-of-scope refused {refused}/{n_ood}")
    default = GateParams(
        **{k: getattr(settings, f"gate_{k}") for k in ("min_coverage", "min_dense", "strong_coverage")}
    )
    if replace(default) != chosen:
        kept, n_in, refused, n_ood = score(default, tune_splits)
        print(f"(settings now: {default}: objective {2 * refused / n_ood + kept / n_in:.3f} on the tune splits)")


if __name__ == "__main__":
    main()
