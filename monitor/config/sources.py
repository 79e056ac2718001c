"""The `[[sources]]` entries: which platforms to poll and the names of the environment
variables holding their credentials. Building a source from an entry is monitor/sources/registry.py.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from monitor.config.base import Section

_USER_ENVS = "consumer_key_env consumer_secret_env access_token_env access_token_secret_env"
X_USER_ENVS = tuple(_USER_ENVS.split())
X_FIELDS = ("user_id", "bearer_token_env", *X_USER_ENVS)
FACEBOOK_FIELDS = ("page_id", "page_token_env")
INSTAGRAM_FIELDS = (*FACEBOOK_FIELDS, "ig_user_id")


class SourceConfig(Section):
    """One `[[sources]]` entry. Fields of the other platform are an error, not ignored."""

    name: str = Field(min_length=1)
    platform: Literal["x", "facebook", "instagram", "replay", "demo"]
    interval_seconds: int = Field(default=60, ge=1)
    base_url: str | None = None  # e.g. https://api.x.com, a gateway, a local test server
    max_pages: int = Field(default=5, ge=1, le=100)
    # X
    user_id: str | None = None  # the brand account's numeric id, not its @handle
    bearer_token_env: str | None = None
    consumer_key_env: str | None = None
    consumer_secret_env: str | None = None
    access_token_env: str | None = None
    access_token_secret_env: str | None = None
    include_dms: bool = False
    # Facebook
    page_id: str | None = None
    page_token_env: str | None = None
    graph_version: str = "v24.0"
    include_messenger: bool = False
    # Instagram (through the connected Page: page_id, page_token_env, graph_version; DMs with
    # include_dms)
    ig_user_id: str | None = None  # the Instagram professional account's id
    # Replay and demo
    path: str | None = None  # replay: a CSV in the TWCS format
    posts_per_poll: int = Field(default=20, ge=1, le=10_000)
    seed: int = 7

    @field_validator("user_id", "page_id", "ig_user_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        # TOML has 64-bit integers; keep ids as text so they never pass through a float.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (e.g. https://api.x.com)")
        return value

    @field_validator("graph_version")
    @classmethod
    def _version(cls, value: str) -> str:
        return parse_graph_version(value)

    @model_validator(mode="after")
    def _platform_fields(self) -> SourceConfig:
        own = {"x": X_FIELDS, "facebook": FACEBOOK_FIELDS, "instagram": INSTAGRAM_FIELDS}.get(
            self.platform, ()
        )
        fields = (*X_FIELDS, *INSTAGRAM_FIELDS)
        foreign = [f for f in fields if f not in own and getattr(self, f)]
        if self.include_dms and self.platform not in ("x", "instagram"):
            foreign.append("include_dms")
        if self.include_messenger and self.platform != "facebook":
            foreign.append("include_messenger")
        if self.path and self.platform != "replay":
            foreign.append("path")
        if self.platform == "replay" and not self.path:
            raise ValueError("a replay source needs path, a CSV file in the TWCS format")
        if foreign:
            raise ValueError(f"{', '.join(foreign)} do not apply to platform {self.platform!r}")
        if self.platform == "x":
            self._check_x()
        elif self.platform == "facebook" and not (self.page_id and self.page_token_env):
            raise ValueError("a facebook source needs page_id and page_token_env")
        elif self.platform == "instagram" and not (
            self.page_id and self.page_token_env and self.ig_user_id
        ):
            raise ValueError(
                "an instagram source needs ig_user_id (the professional account's id), and "
                "page_id and page_token_env of the Facebook Page it is connected to"
            )
        return self

    def _check_x(self) -> None:
        if not self.user_id or not self.user_id.isdigit():
            raise ValueError("an x source needs user_id, the brand account's numeric id")
        given = [f for f in X_USER_ENVS if getattr(self, f)]
        if given and len(given) < len(X_USER_ENVS):
            missing = sorted(set(X_USER_ENVS) - set(given))
            raise ValueError(f"OAuth 1.0a user context needs all four variables; add {missing}")
        if not given and not self.bearer_token_env:
            raise ValueError("an x source needs bearer_token_env or the four OAuth 1.0a *_env")
        if self.include_dms and not given:
            raise ValueError("include_dms needs the OAuth 1.0a user tokens (*_env), not a bearer")


def parse_graph_version(value: str) -> str:
    """ "v24.0" or "24.0" -> "v24.0"; anything else is a ValueError naming the key."""
    match = re.fullmatch(r"v?(\d+\.\d+)", value.strip())
    if match is None:
        raise ValueError(f"graph_version {value!r} is not a Graph API version like v24.0")
    return f"v{match.group(1)}"
