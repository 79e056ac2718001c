"""A trained model written by `export_artifact` loads back and predicts as it did in memory."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from monitor.scoring.encoder_model import MultiTaskEncoder
from monitor.scoring.training.train import (
    TrainConfig,
    build_model,
    export_artifact,
    predict_tokens,
    tokenize,
)


def test_exported_artifact_predicts_like_the_model_in_memory(tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    from monitor.scoring import encoder_model as em

    cfg = TrainConfig(version="export-check", lora_r=4)
    torch.manual_seed(0)
    model = build_model(cfg)
    with torch.no_grad():  # a LoRA update and heads that differ from their initial values
        for param in model.parameters():
            if param.requires_grad:
                param.add_(0.05 * torch.randn_like(param))
    texts = ["@ShopNowHelp where is my parcel??", "love it, thanks!", "refund me now"]
    tokenizer = AutoTokenizer.from_pretrained(str(em.base_model_path()), local_files_only=True)
    expected = predict_tokens(model, tokenize(tokenizer, texts, cfg.max_length))

    out = export_artifact(model, cfg, tmp_path / "artifact", {"history": []})

    assert json.loads((out / "adapter_config.json").read_text())["r"] == 4
    loaded = MultiTaskEncoder.load(out, runtime="torch", threads=2)
    assert loaded.version == "export-check"
    got = loaded.predict_arrays(texts)
    # The fp16 adapter moves outputs by far less than the tolerance.
    np.testing.assert_allclose(got["sentiment"], expected["sentiment"], atol=2e-3)
    np.testing.assert_allclose(got["complaint"], expected["complaint"], atol=2e-3)
    expected_severity = expected["severity"] @ np.arange(expected["severity"].shape[1])
    np.testing.assert_allclose(got["severity"], expected_severity, atol=1e-2)
