"""The operator commands end to end, in a subprocess: ingest, docs, ask (text and --json -), eval, remove."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures_knowledge import DEV_SET

pytestmark = pytest.mark.model


def _bot(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJ_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True, env=env, timeout=300
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    data = tmp_path_factory.mktemp("cli-data")
    done = _bot(data, "ingest", str(corpus_dir))
    assert done.returncode == 0, done.stderr
    assert "7 documents" in done.stdout  # five corpus documents + two built-in ones
    return data


def test_docs_lists_metadata(data_dir: Path) -> None:
    out = _bot(data_dir, "docs", "--json")
    assert out.returncode == 0, out.stderr
    docs = {d["file_name"]: d for d in map(json.loads, out.stdout.splitlines())}
    assert docs["000_09c274ac9bae1aaa.txt"]["date"] == "2020-05-12"
    assert docs["000_09c274ac9bae1aaa.txt"]["place"] == "湖北省宣恩县"


def test_ask_json_reads_stdin_lines(data_dir: Path) -> None:
    out = _bot(data_dir, "ask", "--json", "-", stdin="宣恩县村主职干部一年工资多少？\n\n怎样办理护照？\n")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == 2  # blank lines are skipped
    first, second = lines
    assert set(first) == {"question", "found", "answer", "sources"}
    assert first["found"] is True and "38760" in first["answer"]
    source = first["sources"][0]
    assert set(source) == {"doc", "title", "date", "place", "paragraph", "quote", "score"}
    assert source["doc"] == "000_09c274ac9bae1aaa.txt"
    assert second["found"] is False and second["sources"] == []


def test_ask_prints_the_answer(data_dir: Path) -> None:
    out = _bot(data_dir, "ask", "支部党员大会多久开一次？")
    assert out.returncode == 0, out.stderr
    assert "每季度" in out.stdout and "出处：" in out.stdout


def test_eval_prints_the_scores(data_dir: Path) -> None:
    if not DEV_SET.is_file():
        pytest.skip(f"{DEV_SET} not found")
    out = _bot(data_dir, "eval", str(DEV_SET))
    assert out.returncode == 0, out.stderr
    for label in ("answer accuracy", "citation accuracy", "hit@1", "MRR", "out-of-scope refused"):
        assert label in out.stdout


def test_corrupt_index_is_refused_with_a_clear_message(tmp_path: Path, data_dir: Path) -> None:
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    version = (copy / "index" / "CURRENT").read_text().strip()
    (copy / "index" / version / "passages.jsonl").write_text("garbage\n", encoding="utf-8")
    out = _bot(copy, "ask", "支部党员大会多久开一次？")
    assert out.returncode == 2
    assert "corrupt" in out.stderr and "python -m bot ingest" in out.stderr


def test_bad_arguments_are_clear(tmp_path: Path) -> None:
    out = _bot(tmp_path, "ingest", str(tmp_path / "missing"))
    assert out.returncode == 2 and "is not a folder" in out.stderr
    out = _bot(tmp_path, "eval", str(tmp_path / "missing.jsonl"))
    assert out.returncode == 2 and "not found" in out.stderr
