"""The training runs behind the committed artifact, and how they are combined into it.

`monitor model train` runs this recipe: each run is resumable and skipped when its artifact
is already there, then the runs are combined by a greedy soup selected on TweetEval val
(see `soup.py`). On two CPU cores each run takes 30-45 minutes.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

from monitor.scoring import encoder_model as em
from monitor.scoring.training.soup import greedy_soup
from monitor.scoring.training.train import DEFAULT_SCRATCH, TrainConfig, train

log = logging.getLogger("monitor.scoring.training")

VERSION = "minilm-mt-v6"
SOUP_RANK = 32

# Same seed, so the same LoRA and head initialisation: what lets their weights be averaged.
RUNS = [
    TrainConfig(version="minilm-mt-v2", class_weight_power=0.5),
    TrainConfig(version="minilm-mt-v4", class_weight_power=0.0),
    TrainConfig(version="minilm-mt-v5", class_weight_power=0.0, sentiment_epochs=2.0),
]


def _finished(run_dir: Path, config: TrainConfig) -> bool:
    """The run's artifact exists and was trained with this very configuration."""
    meta_path = run_dir / em.METADATA_FILE
    if not meta_path.exists():
        return False
    trained = json.loads(meta_path.read_text(encoding="utf-8")).get("training", {})
    known = {field.name for field in dataclasses.fields(TrainConfig)}
    if set(trained) - known:  # written by another version of the training code
        return False
    return TrainConfig(**{**trained, "stop_at_step": None}).fingerprint() == config.fingerprint()


def train_recipe(
    data_dir: Path,
    output_dir: Path,
    *,
    resume: bool = True,
    scratch_dir: Path | None = None,
    threads: int = 2,
) -> Path:
    """Train the runs not trained yet, then write their greedy soup to ``output_dir``."""
    scratch = Path(scratch_dir) if scratch_dir else DEFAULT_SCRATCH
    run_dirs = []
    for n, planned in enumerate(RUNS, start=1):
        run = dataclasses.replace(planned, threads=threads)
        run_dir = scratch / "runs" / run.version
        if resume and _finished(run_dir, run):
            log.info("run %d/%d (%s) already trained", n, len(RUNS), run.version)
        else:
            log.info("run %d/%d (%s)", n, len(RUNS), run.version)
            train(data_dir, run_dir, resume=resume, scratch_dir=scratch / run.version, config=run)
        run_dirs.append(run_dir)
    log.info("combining %d runs", len(run_dirs))
    greedy_soup(data_dir, run_dirs, output_dir, version=VERSION, rank=SOUP_RANK)
    return Path(output_dir)
