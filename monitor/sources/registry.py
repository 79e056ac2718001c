"""Build a source from its configuration; secrets come only from the environment.

The configuration names environment variables (`bearer_token_env = "X_BEARER_TOKEN"`), never
tokens, so config files can be committed and shared. A missing variable is a permanent
`SourceError` naming the variable, raised when the source is built rather than mid-poll.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from monitor.config.sources import X_USER_ENVS, SourceConfig
from monitor.sources.base import Source, SourceError
from monitor.sources.facebook import FacebookSource
from monitor.sources.instagram import InstagramSource
from monitor.sources.stream import DemoStreamSource, ReplaySource
from monitor.sources.x import XSource


def build_source(config: SourceConfig, env: Mapping[str, str] = os.environ) -> Source:
    """The `Source` for `config`, with credentials from `env`."""
    if config.platform == "x":
        assert config.user_id is not None  # checked by SourceConfig
        user = [_secret(config, env, getattr(config, f)) for f in X_USER_ENVS]
        return XSource(
            config.name,
            config.user_id,
            bearer_token=_secret(config, env, config.bearer_token_env),
            consumer_key=user[0],
            consumer_secret=user[1],
            access_token=user[2],
            access_token_secret=user[3],
            include_dms=config.include_dms,
            base_url=config.base_url,
            max_pages=config.max_pages,
            app_hint=config.bearer_token_env or "the X bearer token",
            user_hint=f"{config.access_token_env} and {config.access_token_secret_env}",
        )
    if config.platform == "facebook":
        assert config.page_id is not None and config.page_token_env is not None
        return FacebookSource(
            config.name,
            config.page_id,
            str(_secret(config, env, config.page_token_env)),
            graph_version=config.graph_version,
            include_messenger=config.include_messenger,
            base_url=config.base_url,
            max_pages=config.max_pages,
            env_hint=config.page_token_env,
        )
    if config.platform == "instagram":
        assert config.page_id and config.page_token_env and config.ig_user_id
        return InstagramSource(
            config.name,
            config.page_id,
            config.ig_user_id,
            str(_secret(config, env, config.page_token_env)),
            include_messages=config.include_dms,
            graph_version=config.graph_version,
            base_url=config.base_url,
            max_pages=config.max_pages,
            env_hint=config.page_token_env,
        )
    if config.platform == "replay":
        assert config.path is not None
        return ReplaySource(
            config.name, Path(config.path).expanduser(), posts_per_poll=config.posts_per_poll
        )
    return DemoStreamSource(config.name, seed=config.seed, posts_per_poll=config.posts_per_poll)


def _secret(config: SourceConfig, env: Mapping[str, str], variable: str | None) -> str | None:
    if variable is None:
        return None
    value = env.get(variable, "").strip()
    if not value:
        raise SourceError(
            f"Source {config.name!r}: the environment variable {variable} is not set. Set it to "
            f"the {config.platform} credential it names and restart.",
            permanent=True,
        )
    return value
