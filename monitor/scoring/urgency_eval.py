"""Does urgency rank complaints by severity? Spearman of urgency against X-CI severity."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from monitor.config import StakesSettings, UrgencySettings
from monitor.scoring.assess import assess
from monitor.scoring.model import TextModel
from monitor.scoring.training import data as D
from monitor.scoring.training.evaluate import spearman
from monitor.scoring.urgency import PostContext, compute_urgency


def urgency_severity_spearman(
    data_dir: Path, model: TextModel, weights: UrgencySettings, stakes: StakesSettings
) -> dict[str, float]:
    """Score the held-out X-CI tweets as lone public posts (no author or order context, which
    the data set lacks) and correlate urgency with severity (0 for non-complaints)."""
    examples = D.load_xci(data_dir, "eval")
    texts = [example.text for example in examples]
    predictions = model.predict(texts)
    urgency = np.array(
        [
            compute_urgency(
                prediction,
                seen.signals,
                PostContext(),
                weights,
                stakes=seen.stakes,
                topic_scores=seen.topic_scores,
                language_supported=seen.language_supported,
            ).score
            for prediction, seen in zip(
                predictions, assess(texts, predictions, model, stakes), strict=True
            )
        ]
    )
    severity = np.array([example.severity for example in examples])
    return {
        "urgency_severity_spearman": round(spearman(urgency, severity), 4),
        "urgency_eval_rows": float(len(examples)),
    }
