"""Greedy weight averaging ("model soup") of fine-tuned artifacts, selected on TweetEval val.

Runs that start from the same base weights, the same LoRA and head initialisation (the same
seed) and differ only in their training schedule or loss weights land close enough together
that averaging their weights usually beats each of them (Wortsman et al., 2022, "Model
soups"). Inference costs stay those of one model: the averaged adapter is merged into the
base weights like any other.

Greedy soup: order the runs by their val macro-recall, start from the best one, and keep each
further run only if adding it to the average raises val macro-recall. The test set is never
looked at. The averaged low-rank updates are compressed back to one LoRA adapter of the
requested rank with a truncated SVD, so the artifact keeps its size and format; every
candidate is scored as it would ship, compressed.

    python -m monitor.scoring.training.soup --data-dir ../shared/data \\
        --output monitor/scoring/artifacts/minilm-mt-v6 --version minilm-mt-v6 \\
        .cache/training/runs/minilm-mt-v2 .cache/training/runs/minilm-mt-v4 \\
        .cache/training/runs/minilm-mt-v5
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from monitor.scoring import encoder_model as em
from monitor.scoring.training import data as D
from monitor.scoring.training.artifact import LORA_TARGETS, write_artifact_folder
from monitor.scoring.training.evaluate import macro_recall

log = logging.getLogger("monitor.scoring.training")

_LORA_A, _LORA_B = ".lora_A.weight", ".lora_B.weight"


@dataclass
class Ingredient:
    """One trained artifact, as full-size weight updates (one per adapted layer)."""

    path: Path
    rank: int
    deltas: dict[str, torch.Tensor]  # module name -> scaling * B @ A, fp32
    extra: dict[str, torch.Tensor]  # heads and LayerNorms, fp32
    metadata: dict

    @classmethod
    def load(cls, path: Path) -> Ingredient:
        from safetensors.torch import load_file

        path = Path(path)
        config = json.loads((path / em.ADAPTER_CONFIG_FILE).read_text(encoding="utf-8"))
        if config.get("use_dora") or config.get("use_rslora"):
            raise ValueError(f"{path}: only plain LoRA adapters can be averaged")
        scaling = config["lora_alpha"] / config["r"]
        adapter = load_file(str(path / em.ADAPTER_FILE))
        deltas = {
            name.removesuffix(_LORA_A): scaling
            * (adapter[name.removesuffix(_LORA_A) + _LORA_B].float() @ tensor.float())
            for name, tensor in adapter.items()
            if name.endswith(_LORA_A)
        }
        extra = {k: v.float() for k, v in load_file(str(path / em.HEADS_FILE)).items()}
        metadata = json.loads((path / em.METADATA_FILE).read_text(encoding="utf-8"))
        return cls(path, config["r"], deltas, extra, metadata)


def average(ingredients: list[Ingredient]) -> tuple[dict, dict]:
    """Uniform average of the weight updates and of the heads and LayerNorms."""
    first = ingredients[0]
    for other in ingredients[1:]:
        if set(other.deltas) != set(first.deltas) or set(other.extra) != set(first.extra):
            raise ValueError(f"{other.path} does not have the layers of {first.path}")
    deltas = {k: torch.stack([i.deltas[k] for i in ingredients]).mean(0) for k in first.deltas}
    extra = {k: torch.stack([i.extra[k] for i in ingredients]).mean(0) for k in first.extra}
    return deltas, extra


def low_rank(delta: torch.Tensor, rank: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, A) with B @ A the best rank-``rank`` approximation of ``delta`` (truncated SVD).

    Above the matrix's own rank limit the factors are padded with zeros, so every layer of
    an adapter has the same LoRA rank.
    """
    u, s, vh = torch.linalg.svd(delta, full_matrices=False)
    keep = min(rank, s.shape[0])
    root = s[:keep].sqrt()
    b = torch.zeros(delta.shape[0], rank)
    a = torch.zeros(rank, delta.shape[1])
    b[:, :keep] = u[:, :keep] * root
    a[:keep] = root[:, None] * vh[:keep]
    return b, a


def write_artifact(
    deltas: dict[str, torch.Tensor],
    extra: dict[str, torch.Tensor],
    output_dir: Path,
    *,
    rank: int,
    metadata: dict,
) -> Path:
    """An artifact in the usual format: LoRA (alpha = r, so B @ A is the update) + heads."""
    from peft import LoraConfig

    adapter: dict[str, torch.Tensor] = {}
    for name, delta in deltas.items():
        adapter[name + _LORA_B], adapter[name + _LORA_A] = low_rank(delta, rank)
    config = LoraConfig(r=rank, lora_alpha=rank, target_modules=LORA_TARGETS, bias="none")
    return write_artifact_folder(
        output_dir, adapter=adapter, lora_config=config, extra=extra, metadata=metadata
    )


def val_macro_recall(artifact_dir: Path, texts: list[str], labels: np.ndarray) -> float:
    model = em.MultiTaskEncoder.load(artifact_dir, runtime="torch")
    return macro_recall(labels, model.predict_arrays(texts)["sentiment"].argmax(1))


def greedy_soup(
    data_dir: Path, artifacts: list[Path], output_dir: Path, *, version: str, rank: int
) -> dict:
    """Build the greedy soup of ``artifacts`` at ``output_dir``; returns the selection record."""
    val = D.read_tweeteval_sentiment(Path(data_dir), "val")
    texts, labels = [e.text for e in val], np.array([e.label for e in val])
    ingredients = [Ingredient.load(path) for path in artifacts]
    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / "candidate"

        def score(members: list[Ingredient]) -> float:
            """Val macro-recall of the average at the rank that ships."""
            deltas, extra = average(members)
            write_artifact(deltas, extra, candidate, rank=rank, metadata=members[0].metadata)
            return val_macro_recall(candidate, texts, labels)

        alone = {i.path.name: score([i]) for i in ingredients}
        log.info("val macro-recall of each run at rank %d: %s", rank, alone)
        ranked = sorted(ingredients, key=lambda i: alone[i.path.name], reverse=True)
        soup, best = [ranked[0]], alone[ranked[0].path.name]
        for ingredient in ranked[1:]:
            trial = score([*soup, ingredient])
            log.info("adding %s: val %.2f (soup so far %.2f)", ingredient.path.name, trial, best)
            if trial > best:
                soup, best = [*soup, ingredient], trial
    log.info("soup of %s: val %.2f at rank %d", [i.path.name for i in soup], best, rank)
    selection = {
        "metric": "tweeteval_val_macro_recall",
        "method": f"greedy soup (uniform weight average), then truncated SVD to rank {rank}",
        "ingredients": [i.metadata.get("version", i.path.name) for i in soup],
        "candidates": {
            i.metadata.get("version", i.path.name): round(alone[i.path.name], 4)
            for i in ingredients
        },
        "val_macro_recall": best,
    }
    leader = soup[0].metadata
    metadata = {
        **leader,
        "version": version,
        "selection": selection,
        "metrics": {},
        "soup_training": [i.metadata.get("training", {}) for i in soup],
    }
    metadata["training"] = {
        **leader.get("training", {}),
        "version": version,
        "lora_r": rank,
        "lora_alpha": rank,
    }
    deltas, extra = average(soup)
    write_artifact(deltas, extra, output_dir, rank=rank, metadata=metadata)
    return selection


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("artifacts", type=Path, nargs="+", help="trained artifact folders")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--rank", type=int, default=32)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    print(
        json.dumps(
            greedy_soup(
                args.data_dir, args.artifacts, args.output, version=args.version, rank=args.rank
            ),
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
