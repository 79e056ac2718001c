"""Pick and load the configured text model once per process."""

from __future__ import annotations

import threading
from pathlib import Path

from monitor.config import ModelSettings
from monitor.scoring.model import ModelUnavailableError, TextModel

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def artifact_dir(settings: ModelSettings) -> Path:
    return _artifact_path(settings.artifact)


def topic_head_dir(settings: ModelSettings) -> Path | None:
    return _artifact_path(settings.topic_head) if settings.topic_head else None


def _artifact_path(name: str) -> Path:
    path = Path(name).expanduser()
    return path if path.is_absolute() else ARTIFACTS / path


_LOADED: dict[str, TextModel] = {}
_LOCK = threading.Lock()


def load_text_model(settings: ModelSettings) -> TextModel:
    """Load the model the settings name; cached per process, because loading takes seconds."""
    key = settings.model_dump_json()
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = _load(settings)
        return _LOADED[key]


def _load(settings: ModelSettings) -> TextModel:
    if settings.backend == "huggingface":
        from monitor.scoring.hf_model import HuggingFaceTextModel

        if not settings.checkpoint:
            raise ModelUnavailableError(
                'setting `model.checkpoint` is required when model.backend = "huggingface": '
                "give a Hugging Face model id or a local folder"
            )
        return HuggingFaceTextModel(
            settings.checkpoint,
            label_map=dict(settings.label_map),
            batch_size=settings.batch_size,
            threads=settings.threads,
        )
    from monitor.scoring.encoder_model import MultiTaskEncoder

    return MultiTaskEncoder.load(
        artifact_dir(settings),
        runtime=settings.runtime,
        batch_size=settings.batch_size,
        threads=settings.threads,
        cache_dir=Path(settings.cache_dir).expanduser() if settings.cache_dir else None,
        topic_head_dir=topic_head_dir(settings),
    )
