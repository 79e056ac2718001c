"""The scoring interface every text-model backend implements.

The rest of the product only sees `TextModel.predict`, so a better backend (a fine-tuned
multi-task encoder, an ONNX export, a Hugging Face checkpoint) can replace the first one
without touching ingestion, urgency or the dashboard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from monitor.errors import UserFacingError


class ModelUnavailableError(UserFacingError):
    """The configured model cannot be loaded; the message says why and how to fix it."""


@dataclass(frozen=True, slots=True)
class TextPrediction:
    """What a text model says about one post; optional outputs are None if a backend lacks them."""

    negative: float
    neutral: float
    positive: float
    complaint: float | None = None  # probability that the post is a complaint
    severity: float | None = None  # expected complaint severity, 0 (none) .. 4 (blame)
    # Unit-length sentence vector from the same encoder pass (stakes exemplars compare to it).
    embedding: np.ndarray | None = field(default=None, compare=False, repr=False)
    topics: dict[str, float] | None = None  # topic -> probability, from a trained topic head


class TextModel(Protocol):
    """A batch text classifier. `version` is recorded on every stored score."""

    version: str

    def predict(self, texts: Sequence[str]) -> list[TextPrediction]:
        """Score a batch of raw post texts (normalisation is the backend's job)."""
        ...
