"""Checks of the committed multi-task encoder artifact (torch fp32 and onnx-int8 runtimes)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from monitor.scoring.encoder_model import DEFAULT_ARTIFACT_DIR, MultiTaskEncoder
from monitor.scoring.model import ModelUnavailableError, TextPrediction

NEGATIVE = [
    "This is the worst airline ever. Lost my bag, rude staff, never flying with you again!",
    "I hate this phone, it crashes every single day. Total garbage.",
]
POSITIVE = [
    "Absolutely love the new update, thank you so much! Best app ever :)",
    "Had a wonderful dinner tonight, amazing food and lovely staff!",
]
COMPLAINT = (
    "@AmazonHelp my order is 2 weeks late, nobody answers my emails and I was charged twice. "
    "Fix this now."
)
PRAISE = "@AmazonHelp thank you for the quick delivery, great service as always!"


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    cache_dir = tmp_path_factory.getbasetemp() / "onnx-cache"
    return {
        "torch": MultiTaskEncoder.load(DEFAULT_ARTIFACT_DIR, runtime="torch", threads=2),
        "onnx-int8": MultiTaskEncoder.load(
            DEFAULT_ARTIFACT_DIR, runtime="onnx-int8", threads=2, cache_dir=cache_dir
        ),
    }


@pytest.mark.parametrize("runtime", ["torch", "onnx-int8"])
def test_negative_scores_higher_than_positive(models, runtime):
    preds = models[runtime].predict(NEGATIVE + POSITIVE)
    assert all(isinstance(p, TextPrediction) for p in preds)
    for neg in preds[: len(NEGATIVE)]:
        for pos in preds[len(NEGATIVE) :]:
            assert neg.negative > pos.negative
            assert pos.positive > neg.positive
    for p in preds:
        assert p.negative + p.neutral + p.positive == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize("runtime", ["torch", "onnx-int8"])
def test_complaint_and_severity(models, runtime):
    complaint, praise = models[runtime].predict([COMPLAINT, PRAISE])
    assert complaint.complaint > praise.complaint
    assert complaint.severity > praise.severity
    assert 0.0 <= praise.severity <= 4.0 and 0.0 <= complaint.severity <= 4.0


def test_int8_agrees_with_fp32(models):
    texts = NEGATIVE + POSITIVE + [COMPLAINT, PRAISE]
    fp32 = models["torch"].predict(texts)
    int8 = models["onnx-int8"].predict(texts)

    def argmax(p: TextPrediction) -> int:
        scores = (p.negative, p.neutral, p.positive)
        return scores.index(max(scores))

    assert [argmax(p) for p in fp32] == [argmax(p) for p in int8]
    for a, b in zip(fp32, int8, strict=True):
        assert (a.complaint > 0.5) == (b.complaint > 0.5)


MIXED = [POSITIVE[0] * 3, "ok", NEGATIVE[1], "", COMPLAINT, "great", PRAISE * 2, NEGATIVE[0]]


@pytest.mark.parametrize("runtime", ["torch", "onnx-int8"])
def test_output_order_follows_input_order(models, runtime):
    model = models[runtime]
    forward = model.predict(MIXED)
    backward = model.predict(MIXED[::-1])[::-1]
    assert len(forward) == len(MIXED)
    for a, b in zip(forward, backward, strict=True):
        assert a.negative == pytest.approx(b.negative, abs=1e-5)
        assert a.complaint == pytest.approx(b.complaint, abs=1e-5)
    # the clearly negative / positive posts land where they were put
    assert forward[2].negative > forward[0].negative
    assert forward[7].negative > forward[5].negative


def test_small_batches_match_one_by_one(models):
    # fp32 only: int8 activations are quantised per batch, so batch composition moves
    # int8 scores a little by design.
    model = models["torch"]
    small_batches = MultiTaskEncoder(
        version=model.version,
        runtime=model.runtime,
        max_length=model.max_length,
        tokenizer=model._tokenizer,
        runner=model._runner,
        batch_size=3,
    )
    batched = small_batches.predict(MIXED)
    one_by_one = [model.predict([t])[0] for t in MIXED]
    for a, b in zip(batched, one_by_one, strict=True):
        assert a.negative == pytest.approx(b.negative, abs=1e-4)
        assert a.positive == pytest.approx(b.positive, abs=1e-4)
        assert a.complaint == pytest.approx(b.complaint, abs=1e-4)
        assert a.severity == pytest.approx(b.severity, abs=1e-3)


@pytest.mark.parametrize("runtime", ["torch", "onnx-int8"])
def test_empty_and_non_english_do_not_crash(models, runtime):
    preds = models[runtime].predict(["", "   ", "今日は本当に最悪なサービスでした", "🙂🙂🙂"])
    assert len(preds) == 4
    assert models[runtime].predict([]) == []
    assert models[runtime].version == "minilm-mt-v6"


def test_missing_artifact_raises(tmp_path):
    with pytest.raises(ModelUnavailableError, match="monitor model train"):
        MultiTaskEncoder.load(tmp_path / "nope", runtime="torch")
