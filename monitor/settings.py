"""Read the one `Settings` (monitor/config/) from a TOML file plus environment overrides.

Secrets (API tokens, webhook URLs with keys) are read only from the environment. A bad value
stops start-up with a message naming the key, the file and the environment variable, instead
of failing later mid-poll.
"""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from monitor.config import DEFAULT_CONFIG, AuditSettings, Settings
from monitor.config.sla import RENAMED
from monitor.db.engine import AuditKey
from monitor.errors import UserFacingError

log = logging.getLogger(__name__)


class SettingsError(UserFacingError):
    """The configuration is unusable; the message names the key and how to fix it."""


# Old keys already warned about: a process says it once, not on every reload.
_WARNED: set[str] = set()


def _read_renamed_keys(tree: dict[str, Any], config_path: Path) -> dict[str, str]:
    """Move each renamed key to its new place; giving both spellings is a refusal.

    Returns new key -> old key for the keys moved, so an error names what the file says."""
    moved: dict[str, str] = {}
    for old, new in RENAMED.items():
        old_section, old_key = old.split(".")
        new_section, new_key = new.split(".")
        section = tree.get(old_section)
        if not isinstance(section, dict) or old_key not in section:
            continue
        target = tree.setdefault(new_section, {})
        if not isinstance(target, dict):
            continue  # validation names the malformed section
        if new_key in target:
            raise SettingsError(
                f"both `{old}` and `{new}` are set in {config_path}: `{old}` was renamed to "
                f"`{new}`; remove `{old}`"
            )
        target[new_key] = section.pop(old_key)
        moved[new] = old
        if old not in _WARNED:
            _WARNED.add(old)
            log.warning(
                "setting `%s` in %s is deprecated: rename it to `%s` (it still works for now)",
                old,
                config_path,
                new,
            )
    for section_name in {old.split(".")[0] for old in RENAMED}:
        if tree.get(section_name) == {}:  # a section left empty by the move is gone
            del tree[section_name]
    return moved


# Environment variables that override single keys: name -> dotted key.
ENV_OVERRIDES = {
    "MONITOR_DATABASE_URL": "database.url",
    "MONITOR_MODEL_RUNTIME": "model.runtime",
    "MONITOR_MODEL_CACHE_DIR": "model.cache_dir",
    "MONITOR_DATA_DIR": "data_dir",
}


def _set_dotted(tree: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[leaf] = value


def _describe(error: dict[str, Any], config_path: Path, moved: dict[str, str]) -> str:
    key = ".".join(str(part) for part in error["loc"])
    # A key the file gives in its old spelling is named as written, and where it moved.
    named = f"`{moved[key]}` (now `{key}`)" if key in moved else f"`{key}`"
    env = next((name for name, dotted in ENV_OVERRIDES.items() if dotted == key), None)
    where = f"in {config_path}" + (f" or the {env} environment variable" if env else "")
    if error["type"] == "extra_forbidden":
        return f"unknown setting {named} {where}: remove it or check its spelling"
    got = error.get("input")
    shown = "" if isinstance(got, dict) else f" (got {got!r})"
    return f"setting {named} {where}: {error['msg']}{shown}"


def load_settings(path: str | Path | None = None) -> Settings:
    """Read settings from `path`, `$MONITOR_CONFIG` or config/monitor.toml, then the environment."""
    chosen = path or os.environ.get("MONITOR_CONFIG") or DEFAULT_CONFIG
    config_path = Path(chosen).expanduser()
    if not config_path.is_file():
        raise SettingsError(
            f"config file {config_path} not found: pass --config PATH or set MONITOR_CONFIG"
        )
    try:
        tree: dict[str, Any] = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"config file {config_path} is not valid TOML: {exc}") from exc
    moved = _read_renamed_keys(tree, config_path)
    for name, dotted in ENV_OVERRIDES.items():
        if os.environ.get(name):
            _set_dotted(tree, dotted, os.environ[name])
    tree["source_file"] = str(config_path)
    try:
        return Settings.model_validate(tree)
    except ValidationError as exc:
        problems = [_describe(dict(e), config_path, moved) for e in exc.errors()]
        if len(problems) == 1:  # the usual case: one line
            raise SettingsError(f"invalid configuration: {problems[0]}") from exc
        listed = "\n  ".join(problems)
        raise SettingsError(f"invalid configuration:\n  {listed}") from exc


def audit_key(audit: AuditSettings) -> AuditKey | None:
    """The audit key from the environment, or None when unset; a short key stops start-up."""
    value = os.environ.get(audit.hmac_key_env, "")
    if not value:
        return None
    if len(value) < 32:
        raise SettingsError(
            f"{audit.hmac_key_env} (audit.hmac_key_env) must have at least 32 characters: "
            'generate one with `python -c "import secrets; print(secrets.token_hex(32))"`'
        )
    return AuditKey(value.encode("utf-8"), audit.hmac_signed_from)
