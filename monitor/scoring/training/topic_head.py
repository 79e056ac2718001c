"""Train the topic head: one logistic regression per topic on frozen sentence embeddings.

The encoder is not touched, so the sentiment, complaint and severity heads (and their
benchmark figures) stay exactly as they were; the head reads the embedding output of the
same ONNX pass. Training takes about a minute on two cores once the embeddings are cached
(`.cache/training/topic-embeddings/`, keyed by the encoder artifact's weights hash).

    python -m monitor.scoring.training.topic_head --data-dir ../shared/data \\
        --output monitor/scoring/artifacts/topics-v1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from monitor.scoring import encoder_model as em
from monitor.scoring.topics import HEAD_FILE, META_FILE, TOPICS
from monitor.scoring.training import data as D
from monitor.scoring.training.topic_data import (
    TopicExample,
    bitext_examples,
    label_matrix,
    labelled_tweet_ids,
    seed_examples,
    twcs_reply_examples,
)

log = logging.getLogger(__name__)

VERSION = "topics-v1"
CENTRE_COMPONENTS = 8  # dominant directions removed before similarity and the head
TWCS_WEIGHT = 4.0  # a real tweet counts as much as four chatbot utterances
SEED_WEIGHT = 8.0  # few, written to cover what Bitext lacks
CORRECTION_WEIGHT = 4.0
REGULARISATION_C = 2.0
DEFAULT_THRESHOLD = 0.5
SEED = 13
CACHE = Path(".cache") / "training" / "topic-embeddings"


def embed_cached(
    encoder: em.MultiTaskEncoder, texts: Sequence[str], fingerprint: str
) -> np.ndarray:
    """Raw (uncentred) embeddings, cached per encoder and text list."""
    digest = hashlib.sha256(("\x00".join(texts) + fingerprint).encode()).hexdigest()[:16]
    path = CACHE / f"{digest}.npy"
    if path.exists():
        return np.load(path)
    vectors = encoder.predict_arrays(list(texts))["embedding"]
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def centring_statistics(vectors: np.ndarray, components: int) -> tuple[np.ndarray, np.ndarray]:
    mean = vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(vectors - mean, full_matrices=False)
    return mean.astype(np.float32), vt[:components].astype(np.float32)


def best_thresholds(labels: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    """Per topic, the threshold with the best F1 (0.5 when a topic has no positives)."""
    thresholds = {}
    for j, topic in enumerate(TOPICS):
        best, best_f1 = 0.5, -1.0
        if labels[:, j].sum() > 0:
            for t in np.arange(0.1, 0.95, 0.025):
                pred = probs[:, j] >= t
                tp = float((pred & (labels[:, j] == 1)).sum())
                f1 = 2 * tp / max(float(pred.sum() + labels[:, j].sum()), 1.0)
                if f1 > best_f1:
                    best, best_f1 = float(t), f1
        thresholds[topic] = round(best, 3)
    return thresholds


def train_topic_head(
    data_dir: Path,
    output_dir: Path,
    *,
    artifact_dir: Path = em.DEFAULT_ARTIFACT_DIR,
    labels_file: Path | None = None,
    corrections: Sequence[TopicExample] = (),
    thresholds: dict[str, float] | None = None,
    thresholds_from: str = "default 0.5",
    threads: int | None = None,
) -> Path:
    """Train and write the topic head folder; returns it."""
    from safetensors.numpy import save_file
    from sklearn.linear_model import LogisticRegression

    encoder = em.MultiTaskEncoder.load(artifact_dir, threads=threads)
    fingerprint = em.artifact_fingerprint(artifact_dir)
    excluded = labelled_tweet_ids(labels_file) if labels_file else set()
    examples = bitext_examples(data_dir) + seed_examples() + twcs_reply_examples(data_dir, excluded)
    examples += list(corrections)
    log.info(
        "topic head: %d examples (%d excluded evaluation tweets)", len(examples), len(excluded)
    )

    # Centring statistics from tweets of the sentiment and complaint training data: real
    # tweets, no routing labels involved, and none of the evaluation tweets.
    pool = [e.text for e in D.load_xci(data_dir, "train")]
    semeval, _ = D.load_semeval_train(data_dir)
    pool += [e.text for e in random.Random(SEED).sample(semeval, 6000)]
    mean, components = centring_statistics(
        embed_cached(encoder, pool, fingerprint), CENTRE_COMPONENTS
    )
    vectors = embed_cached(encoder, [e.text for e in examples], fingerprint)
    labels = np.asarray(label_matrix(examples), dtype=np.int64)
    weights = np.array(
        [
            {"bitext": 1.0, "seed": SEED_WEIGHT, "twcs-reply": TWCS_WEIGHT}.get(
                e.source, CORRECTION_WEIGHT
            )
            for e in examples
        ]
    )

    def fit(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        weight = np.zeros((vectors.shape[1], len(TOPICS)), np.float32)
        bias = np.zeros(len(TOPICS), np.float32)
        for j, topic in enumerate(TOPICS):
            y = labels[rows, j]
            if y.min() == y.max():  # no positives (e.g. account_security without TWCS data)
                bias[j] = -6.0 if y.max() == 0 else 6.0
                continue
            model = LogisticRegression(C=REGULARISATION_C, max_iter=2000, class_weight="balanced")
            model.fit(vectors[rows], y, sample_weight=weights[rows])
            weight[:, j] = model.coef_[0]
            bias[j] = model.intercept_[0]
            log.info("topic head: fitted %s (%d positives)", topic, int(y.sum()))
        return weight, bias

    weight, bias = fit(np.ones(len(examples), dtype=bool))
    # Thresholds picked on held-out training examples would fit Bitext's clean chatbot
    # sentences, not tweets; 0.5 is used until `thresholds` are tuned on labelled dev tweets.
    thresholds = thresholds or dict.fromkeys(TOPICS, DEFAULT_THRESHOLD)

    output_dir = Path(output_dir)
    tmp = output_dir.with_name(output_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_file(
        {"weight": weight, "bias": bias, "mean": mean, "components": components},
        str(tmp / HEAD_FILE),
    )
    counts = {
        source: sum(1 for e in examples if e.source == source)
        for source in ("bitext", "seed", "twcs-reply", "correction")
    }
    metadata = {
        "version": VERSION,
        "topics": list(TOPICS),
        "thresholds": thresholds,
        "thresholds_from": thresholds_from,
        "encoder": encoder.version,
        "encoder_fingerprint": fingerprint,
        "examples": counts,
        "excluded_evaluation_tweets": len(excluded),
        "centre_components": CENTRE_COMPONENTS,
        "training": {
            "C": REGULARISATION_C,
            "twcs_weight": TWCS_WEIGHT,
            "seed_weight": SEED_WEIGHT,
            "seed": SEED,
        },
    }
    (tmp / META_FILE).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
    if output_dir.exists():
        shutil.rmtree(output_dir)
    tmp.rename(output_dir)
    return output_dir


def main() -> None:  # pragma: no cover - command-line entry point
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--labels", type=Path, default=Path("evaluation/twcs-labels.csv"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    print(train_topic_head(args.data_dir, args.output, labels_file=args.labels))


if __name__ == "__main__":  # pragma: no cover
    main()
