"""Writing an artifact folder: LoRA adapter, its config, heads and LayerNorms, metadata."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import torch

from monitor.scoring import encoder_model as em

# The linear layers LoRA adapts in every encoder block (attention and feed-forward).
LORA_TARGETS = ["query", "key", "value", "dense"]
BASE_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


def write_artifact_folder(
    output_dir: Path,
    *,
    adapter: dict[str, torch.Tensor],
    lora_config: Any,
    extra: dict[str, torch.Tensor],
    metadata: dict,
) -> Path:
    """Write everything to a temp folder, then swap it in, so a crash never leaves half an
    artifact. The adapter is stored in fp16, heads and LayerNorms in fp32."""
    from safetensors.torch import save_file

    output_dir = Path(output_dir)
    tmp = output_dir.with_name(output_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_file(
        {k: v.detach().to(torch.float16).contiguous() for k, v in adapter.items()},
        str(tmp / em.ADAPTER_FILE),
    )
    lora_config.save_pretrained(str(tmp))
    config_path = tmp / em.ADAPTER_CONFIG_FILE
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = BASE_MODEL_ID  # not the local package path
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    save_file(
        {k: v.detach().float().contiguous() for k, v in extra.items()}, str(tmp / em.HEADS_FILE)
    )
    (tmp / em.METADATA_FILE).write_text(
        json.dumps(metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    if output_dir.exists():
        shutil.rmtree(output_dir)
    tmp.rename(output_dir)
    return output_dir
