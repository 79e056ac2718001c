"""`TextModel` backend for any Hugging Face text-classification checkpoint.

Loads offline only (``local_files_only=True``): a hub id must already be in the local
Hugging Face cache, or pass a local folder. The checkpoint's labels are mapped onto
negative/neutral/positive with a configurable mapping; complaint and severity are None.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from monitor.scoring.model import ModelUnavailableError, TextPrediction
from monitor.scoring.text import normalise_for_model

_TARGETS = ("negative", "neutral", "positive")

# Common label names -> sentiment bucket (case-insensitive). LABEL_0..2 follows the
# cardiffnlp twitter-roberta-base-sentiment convention (0 neg, 1 neu, 2 pos).
_DEFAULT_LABELS = {
    "negative": "negative",
    "neg": "negative",
    "label_0": "negative",
    "1 star": "negative",
    "2 stars": "negative",
    "neutral": "neutral",
    "neu": "neutral",
    "label_1": "neutral",
    "3 stars": "neutral",
    "positive": "positive",
    "pos": "positive",
    "label_2": "positive",
    "4 stars": "positive",
    "5 stars": "positive",
}


class HuggingFaceTextModel:
    """Sentiment from a Hugging Face sequence-classification checkpoint (hub id or local path)."""

    def __init__(
        self,
        model: str | Path,
        *,
        label_map: Mapping[str, str] | None = None,
        batch_size: int = 32,
        max_length: int = 128,
        threads: int | None = None,
        version: str | None = None,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ModelUnavailableError(
                f"HuggingFaceTextModel needs torch and transformers ({exc})."
            ) from exc
        name = str(model)
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(name, local_files_only=True)
            self._model = AutoModelForSequenceClassification.from_pretrained(
                name, local_files_only=True
            ).eval()
        except (OSError, ValueError) as exc:
            raise ModelUnavailableError(
                f"The Hugging Face checkpoint {name!r} is not available offline "
                f"({exc.__class__.__name__}: {exc}). "
                "Download it on a machine with internet access (e.g. `huggingface-cli download "
                f"{name} --local-dir <folder>`), copy the folder here and pass its local path, "
                "or fill the local Hugging Face cache."
            ) from exc
        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        self.batch_size = batch_size
        self.max_length = max_length
        self.version = version or f"hf:{name}"
        self._columns = self._resolve_labels(label_map)

    def _resolve_labels(self, label_map: Mapping[str, str] | None) -> dict[int, str]:
        id2label = {int(i): str(lbl) for i, lbl in (self._model.config.id2label or {}).items()}
        mapping = {k.lower(): v for k, v in (label_map or _DEFAULT_LABELS).items()}
        columns: dict[int, str] = {}
        for idx, label in id2label.items():
            target = mapping.get(label.lower())
            if target is None:
                continue
            if target not in _TARGETS:
                raise ValueError(f"label_map target {target!r} must be one of {_TARGETS}")
            columns[idx] = target
        if not columns:
            raise ModelUnavailableError(
                f"None of the checkpoint's labels {sorted(id2label.values())} map to "
                "negative/neutral/positive; "
                "pass label_map={model label name: 'negative'|'neutral'|'positive'}."
            )
        return columns

    def predict(self, texts: Sequence[str]) -> list[TextPrediction]:
        torch = self._torch
        texts = [normalise_for_model(t or "") for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        results: list[TextPrediction | None] = [None] * len(texts)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            batch = self._tokenizer(
                [texts[i] for i in idx],
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            )
            with torch.inference_mode():
                probs = torch.softmax(self._model(**batch).logits, dim=-1).numpy()
            for row, i in enumerate(idx):
                bucket = dict.fromkeys(_TARGETS, 0.0)
                for col, target in self._columns.items():
                    bucket[target] += float(probs[row, col])
                total = sum(bucket.values()) or 1.0
                results[i] = TextPrediction(
                    negative=bucket["negative"] / total,
                    neutral=bucket["neutral"] / total,
                    positive=bucket["positive"] / total,
                )
        return [r for r in results if r is not None]
