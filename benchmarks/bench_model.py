"""Throughput and accuracy of the multi-task encoder runtimes on the TweetEval sentiment test.

Prints posts/s (tokenisation included) for MultiTaskEncoder onnx-int8 and torch fp32, and
for a plain `transformers` feature-extraction pipeline over the same base encoder with its
default batch size, plus the macro-averaged recall of each MultiTaskEncoder runtime.
Figures only, no pass/fail.

    HF_HUB_OFFLINE=1 python benchmarks/bench_model.py [--data-dir ../shared/data]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "true")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from monitor.scoring.encoder_model import DEFAULT_ARTIFACT_DIR, MultiTaskEncoder, base_model_path  # noqa: E402
from monitor.scoring.training.data import read_tweeteval_sentiment  # noqa: E402
from monitor.scoring.training.evaluate import macro_recall  # noqa: E402


def bench_encoder(
    runtime: str, texts: list[str], labels: np.ndarray, args: argparse.Namespace
) -> None:
    start = time.perf_counter()
    model = MultiTaskEncoder.load(
        args.artifact,
        runtime=runtime,
        batch_size=args.batch_size,
        threads=args.threads,
        cache_dir=args.cache_dir,
    )
    load_s = time.perf_counter() - start
    model.predict(texts[:64])  # warm-up
    start = time.perf_counter()
    preds = model.predict(texts)
    elapsed = time.perf_counter() - start
    argmax = np.array([int(np.argmax((p.negative, p.neutral, p.positive))) for p in preds])
    print(
        f"MultiTaskEncoder {runtime:9s}: {len(texts) / elapsed:8.1f} posts/s  "
        f"({len(texts)} posts in {elapsed:6.1f}s, "
        f"load {load_s:4.1f}s)  macro-recall {macro_recall(labels, argmax):.2f}",
        flush=True,
    )


def bench_pipeline(texts: list[str], args: argparse.Namespace) -> None:
    import torch
    from transformers import pipeline

    if args.threads:
        torch.set_num_threads(args.threads)
    pipe = pipeline(
        "feature-extraction",
        model=str(base_model_path()),
        tokenizer=str(base_model_path()),
        framework="pt",
        device="cpu",
    )
    subset = texts[: args.pipeline_limit] if args.pipeline_limit else texts
    pipe(subset[:16])  # warm-up
    start = time.perf_counter()
    for _ in pipe(subset, truncation=True, max_length=64):
        pass
    elapsed = time.perf_counter() - start
    print(
        f"transformers pipeline (feature-extraction, default batch size): "
        f"{len(subset) / elapsed:8.1f} posts/s  "
        f"({len(subset)} posts in {elapsed:6.1f}s)  macro-recall n/a (no sentiment head)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--artifact", type=Path, default=DEFAULT_ARTIFACT_DIR)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument(
        "--pipeline-limit",
        type=int,
        default=3000,
        help="posts timed for the (slow) pipeline baseline; 0 = all",
    )
    parser.add_argument(
        "--skip", action="append", default=[], choices=["onnx-int8", "torch", "pipeline"]
    )
    args = parser.parse_args()

    test = read_tweeteval_sentiment(args.data_dir, "test")
    texts = [e.text for e in test]
    labels = np.array([e.label for e in test])
    print(
        f"TweetEval sentiment test: {len(texts)} posts; cpu_count={os.cpu_count()} "
        f"threads={args.threads or 'auto'}"
    )
    for runtime in ("onnx-int8", "torch"):
        if runtime not in args.skip:
            bench_encoder(runtime, texts, labels, args)
    if "pipeline" not in args.skip:
        bench_pipeline(texts, args)


if __name__ == "__main__":
    main()
