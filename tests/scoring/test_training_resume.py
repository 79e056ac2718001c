"""A tiny real training run: checkpoints, resuming a run that stopped, starting afresh, export."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import torch

from monitor.scoring import encoder_model as em
from monitor.scoring.training.train import TrainConfig, train

POSITIVE = ["love the new app", "great service today", "thanks for the quick help", "so happy"]
NEGATIVE = ["worst support ever", "my parcel is lost again", "refund me now", "never again"]
NEUTRAL = ["store opens at nine", "ordered a blue one", "is it in stock", "see you monday"]
COMPLAINTS = ["you charged me twice", "the box arrived broken", "still waiting for my refund"]
FINE = ["where do I find the size chart", "do you ship to Spain", "what time do you close"]
CONFIG = TrainConfig(
    version="tiny", batch_size=4, sentiment_epochs=1.0, xci_ratio=0.5, lora_r=4, lora_alpha=8,
    eval_every=3, checkpoint_every=2, max_steps=6, threads=1,
)  # fmt: skip


def _data(folder: Path) -> Path:
    """The three labelled sets in their real file formats, a few lines each."""
    tweeteval = folder / "tweeteval" / "sentiment"
    tweeteval.mkdir(parents=True)
    for split, texts, labels in (("val", ["good", "bad", "okay"], "2 0 1"), ("test", ["meh"], "1")):
        (tweeteval / f"{split}_text.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
        (tweeteval / f"{split}_labels.txt").write_text(labels.replace(" ", "\n") + "\n")
    semeval = folder / "semeval2017-task4a-train"
    semeval.mkdir()
    rows = [
        f"{n}\t{label}\t{text} {round_}"
        for round_ in range(2)
        for label, texts in (("positive", POSITIVE), ("negative", NEGATIVE), ("neutral", NEUTRAL))
        for n, text in enumerate(texts)
    ]
    (semeval / "twitter-train-A.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    xci = folder / "complaints-severity-xci"
    xci.mkdir()
    with (xci / "X-CI_Dataset.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "tweet", "label", "Severity"])
        for n in range(4):
            for text in COMPLAINTS:
                writer.writerow([n, f"@shop {text} #{n}", 1, 1 + n % 4])
            for text in FINE:
                writer.writerow([n, f"@shop {text} #{n}", 0, 0])
    return folder


def _checkpoint(scratch: Path) -> dict:
    return torch.load(scratch / "checkpoint.pt", weights_only=False)


def test_a_stopped_run_resumes_from_its_checkpoint_and_exports(tmp_path: Path) -> None:
    data, scratch = _data(tmp_path / "data"), tmp_path / "scratch"
    # Stopped at step 4 (stop_at_step is not part of the fingerprint, like a shortened job).
    train(data, tmp_path / "a", scratch_dir=scratch, progress=False,
          config=dataclasses.replace(CONFIG, stop_at_step=4))  # fmt: skip
    stopped = _checkpoint(scratch)
    assert stopped["step"] == 4 and stopped["fingerprint"] == CONFIG.fingerprint()
    assert [h["step"] for h in stopped["history"]] == [3, 4]

    out = train(data, tmp_path / "b", scratch_dir=scratch, config=CONFIG, progress=False)
    done = _checkpoint(scratch)
    assert done["step"] == 6 and [h["step"] for h in done["history"]] == [3, 4, 6]
    assert "resumed from step 4" in (scratch / "train.log").read_text(encoding="utf-8")
    meta = json.loads((out / em.METADATA_FILE).read_text(encoding="utf-8"))
    assert meta["history"] == done["history"] and meta["selection"]["step"] in (3, 4, 6)
    assert meta["training"]["max_steps"] == 6 and meta["data"]["xci_train"] > 0
    best = torch.load(scratch / "best.pt", weights_only=False)
    assert best["step"] == meta["selection"]["step"]

    # A finished run resumed again trains nothing and writes the very same weights.
    again = train(data, tmp_path / "c", scratch_dir=scratch, config=CONFIG, progress=False)
    for name in (em.ADAPTER_FILE, em.HEADS_FILE):
        assert (again / name).read_bytes() == (out / name).read_bytes()
    assert _checkpoint(scratch)["step"] == 6

    # Without resume the checkpoints go and the run starts again from step 0.
    fresh = dataclasses.replace(CONFIG, stop_at_step=2)
    train(data, tmp_path / "d", scratch_dir=scratch, config=fresh, resume=False, progress=False)
    restarted = _checkpoint(scratch)
    assert restarted["step"] == 2 and [h["step"] for h in restarted["history"]] == [2]
