"""Weight averaging of trained artifacts: exact where it must be, and loadable as a model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from monitor.scoring.encoder_model import DEFAULT_ARTIFACT_DIR, MultiTaskEncoder
from monitor.scoring.training.soup import Ingredient, average, low_rank, write_artifact

TEXTS = [
    "@ShopNowHelp my order never arrived and nobody answers, this is a scam",
    "@ShopNowHelp thanks, the replacement came early!",
    "@ShopNowHelp what time do you open on Sunday?",
]


def test_low_rank_is_exact_for_a_low_rank_update_and_best_otherwise() -> None:
    gen = torch.Generator().manual_seed(0)
    update = torch.randn(40, 6, generator=gen) @ torch.randn(6, 30, generator=gen)
    b, a = low_rank(update, 6)
    assert b.shape == (40, 6) and a.shape == (6, 30)
    assert torch.allclose(b @ a, update, atol=1e-4)
    b2, a2 = low_rank(update, 2)
    error = torch.linalg.matrix_norm(update - b2 @ a2)
    singular = torch.linalg.svdvals(update)
    assert torch.isclose(error, singular[2:].norm(), rtol=1e-3)  # Eckart-Young optimum
    b3, a3 = low_rank(update, 50)  # above the 30-column limit: zero-padded, still exact
    assert b3.shape == (40, 50) and a3.shape == (50, 30)
    assert torch.allclose(b3 @ a3, update, atol=1e-4)


def test_average_of_two_runs_is_their_mean() -> None:
    one = Ingredient(Path("a"), 1, {"q": torch.ones(2, 2)}, {"h": torch.zeros(3)}, {})
    two = Ingredient(Path("b"), 1, {"q": 3 * torch.ones(2, 2)}, {"h": torch.ones(3)}, {})
    deltas, extra = average([one, two])
    assert torch.equal(deltas["q"], 2 * torch.ones(2, 2))
    assert torch.equal(extra["h"], torch.full((3,), 0.5))


def test_a_soup_of_one_artifact_with_itself_predicts_like_it(tmp_path: Path) -> None:
    run = Ingredient.load(DEFAULT_ARTIFACT_DIR)
    rank = json.loads((DEFAULT_ARTIFACT_DIR / "adapter_config.json").read_text())["r"]
    deltas, extra = average([run, run])
    out = write_artifact(deltas, extra, tmp_path / "soup", rank=rank, metadata=run.metadata)
    original = MultiTaskEncoder.load(DEFAULT_ARTIFACT_DIR, runtime="torch", threads=2)
    souped = MultiTaskEncoder.load(out, runtime="torch", threads=2)
    before, after = original.predict_arrays(TEXTS), souped.predict_arrays(TEXTS)
    for output in ("sentiment", "complaint", "severity"):
        np.testing.assert_allclose(after[output], before[output], atol=2e-3)


def test_a_recipe_run_counts_as_trained_only_with_its_own_configuration(
    tmp_path: Path,
) -> None:
    import dataclasses

    from monitor.scoring.training.recipe import RUNS, _finished

    run = RUNS[0]
    folder = tmp_path / run.version
    assert not _finished(folder, run)  # nothing there yet
    folder.mkdir()
    training = dataclasses.asdict(dataclasses.replace(run, threads=1, stop_at_step=None))
    (folder / "metadata.json").write_text(json.dumps({"training": training}))
    assert _finished(folder, run)  # threads do not change the weights
    changed = dataclasses.replace(run, class_weight_power=run.class_weight_power + 0.25)
    assert not _finished(folder, changed)
