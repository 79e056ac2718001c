"""Held-out evaluation of a multi-task encoder artifact.

* Sentiment: TweetEval sentiment test (12,284 tweets), macro-averaged recall x100 (the
  official SemEval-2017 4A metric); TweetEval val is reported too.
* Complaint: X-CI held-out part (the 25% never trained on), macro-F1 at p >= 0.5.
* Severity: Spearman correlation of the expected severity with X-CI ``Severity`` (0..4) on
  the same held-out rows.

Every metric is computed for each requested runtime (``torch`` fp32 and ``onnx-int8``);
keys of the int8 runtime carry an ``int8_`` prefix.

    HF_HUB_OFFLINE=1 python -m monitor.scoring.training.evaluate \\
        --data-dir ../shared/data --artifact monitor/scoring/artifacts/minilm-mt-v6 --write
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from monitor.scoring.training import data as D

_PREFIX = {"torch": "", "onnx-int8": "int8_"}


def macro_recall(labels: np.ndarray, preds: np.ndarray, n_classes: int = 3) -> float:
    recalls = [
        float((preds[labels == c] == c).mean()) for c in range(n_classes) if (labels == c).any()
    ]
    return float(np.mean(recalls)) * 100.0


def macro_f1(labels: np.ndarray, preds: np.ndarray) -> float:
    scores = []
    for c in (0, 1):
        tp = float(((preds == c) & (labels == c)).sum())
        fp = float(((preds == c) & (labels != c)).sum())
        fn = float(((preds != c) & (labels == c)).sum())
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation (average ranks for ties), without a scipy dependency."""
    import pandas as pd

    rx = pd.Series(np.asarray(x, dtype=float)).rank().to_numpy()
    ry = pd.Series(np.asarray(y, dtype=float)).rank().to_numpy()
    return float(np.corrcoef(rx, ry)[0, 1])


def evaluate(
    data_dir: Path,
    artifact_dir: Path,
    *,
    runtimes: tuple[str, ...] = ("torch", "onnx-int8"),
    cache_dir: Path | None = None,
    threads: int | None = None,
    write_metadata: bool = False,
) -> dict[str, float]:
    """Measure the artifact on held-out data; optionally store the figures in metadata.json.

    Returns ``sentiment_macro_recall``, ``sentiment_val_macro_recall``, ``complaint_macro_f1``,
    ``severity_spearman`` (fp32 torch runtime) and the same with an ``int8_`` prefix for the
    quantised runtime, plus ``int8_macro_recall_drop`` when both ran.
    """
    from monitor.scoring.encoder_model import METADATA_FILE, MultiTaskEncoder

    data_dir, artifact_dir = Path(data_dir), Path(artifact_dir)
    test = D.read_tweeteval_sentiment(data_dir, "test")
    val = D.read_tweeteval_sentiment(data_dir, "val")
    xci = D.load_xci(data_dir, "eval")
    test_y = np.array([e.label for e in test])
    val_y = np.array([e.label for e in val])
    xci_c = np.array([e.complaint for e in xci])
    xci_s = np.array([e.severity for e in xci])

    metrics: dict[str, float] = {}
    for runtime in runtimes:
        model = MultiTaskEncoder.load(
            artifact_dir, runtime=runtime, threads=threads, cache_dir=cache_dir
        )
        prefix = _PREFIX[runtime]
        start = time.perf_counter()
        test_out = model.predict_arrays([e.text for e in test])
        elapsed = time.perf_counter() - start
        val_out = model.predict_arrays([e.text for e in val])
        xci_out = model.predict_arrays([e.text for e in xci])
        metrics[f"{prefix}sentiment_macro_recall"] = macro_recall(
            test_y, test_out["sentiment"].argmax(1)
        )
        metrics[f"{prefix}sentiment_accuracy"] = float(
            (test_out["sentiment"].argmax(1) == test_y).mean() * 100
        )
        metrics[f"{prefix}sentiment_val_macro_recall"] = macro_recall(
            val_y, val_out["sentiment"].argmax(1)
        )
        metrics[f"{prefix}complaint_macro_f1"] = macro_f1(
            xci_c, (xci_out["complaint"] >= 0.5).astype(int)
        )
        metrics[f"{prefix}severity_spearman"] = spearman(xci_out["severity"], xci_s)
        complaints = xci_c == 1
        metrics[f"{prefix}severity_spearman_complaints_only"] = spearman(
            xci_out["severity"][complaints], xci_s[complaints]
        )
        metrics[f"{prefix}test_posts_per_second"] = len(test) / elapsed
    if "torch" in runtimes and "onnx-int8" in runtimes:
        metrics["int8_macro_recall_drop"] = (
            metrics["sentiment_macro_recall"] - metrics["int8_sentiment_macro_recall"]
        )
    metrics = {k: round(v, 4) for k, v in metrics.items()}

    if write_metadata:
        path = artifact_dir / METADATA_FILE
        meta = json.loads(path.read_text(encoding="utf-8"))
        meta["metrics"] = {
            **metrics,
            "eval_data": {
                "sentiment": f"tweeteval/sentiment test ({len(test)} tweets); val ({len(val)})",
                "complaint_severity": (
                    f"X-CI held-out part ({len(xci)} rows; sha1 bucket >= {D.XCI_TRAIN_PERCENT})"
                ),
            },
            "command": "python -m monitor.scoring.training.evaluate --data-dir ../shared/data "
            f"--artifact {artifact_dir.as_posix()} --write",
        }
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)
    return metrics


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Evaluate a multi-task encoder artifact on held-out data."
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--artifact", type=Path, required=True)
    parser.add_argument("--runtime", action="append", choices=sorted(_PREFIX), default=None)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--write", action="store_true", help="store the metrics in the artifact's metadata.json"
    )
    args = parser.parse_args(argv)
    metrics = evaluate(
        args.data_dir,
        args.artifact,
        runtimes=tuple(args.runtime or ("torch", "onnx-int8")),
        cache_dir=args.cache_dir,
        threads=args.threads,
        write_metadata=args.write,
    )
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
