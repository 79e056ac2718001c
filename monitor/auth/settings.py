"""The `[auth]` settings section: lockout, session lifetime and optional single sign-on."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["agent", "senior", "supervisor", "analyst", "admin"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SsoSettings(_Section):
    """Streamlit `st.login` (OIDC); the provider itself is configured in .streamlit/secrets.toml."""

    enabled: bool = False
    provider: str | None = None  # a named provider in secrets.toml [auth.<name>], or the default
    # Exact e-mail addresses -> role; checked before the domain rule below.
    roles: dict[str, Role] = Field(default_factory=dict)
    # Anyone signing in with an address at one of these domains gets `default_role`.
    domains: tuple[str, ...] = ()
    default_role: Role | None = None


class AuthSettings(_Section):
    # Failed sign-ins in a row before the account is locked for `lockout_minutes`.
    lockout_failures: int = Field(default=5, ge=1, le=100)
    lockout_minutes: float = Field(default=15.0, gt=0)
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    local_accounts: bool = True  # the username + password form
    sso: SsoSettings = SsoSettings()
