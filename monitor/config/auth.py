"""The `[auth]` settings section: sign-in throttling, session lifetime and single sign-on."""

from __future__ import annotations

from pydantic import Field

from monitor.config.base import Section
from monitor.vocab import Role


class SsoSettings(Section):
    """Streamlit `st.login` (OIDC); the provider itself is configured in .streamlit/secrets.toml."""

    enabled: bool = False
    provider: str | None = None  # a named provider in secrets.toml [auth.<name>], or the default
    # Exact e-mail addresses -> role; checked before the domain rule below.
    roles: dict[str, Role] = Field(default_factory=dict)
    # Anyone signing in with an address at one of these domains gets `default_role`.
    domains: tuple[str, ...] = ()
    default_role: Role | None = None


class AuthSettings(Section):
    # Failed sign-ins are throttled, never a hard lock (see monitor/auth/throttle.py): after
    # `client_free_failures` from one address, each next attempt waits 1, 2, 4... seconds up
    # to `client_max_delay_seconds`; after `account_free_failures` on one username (from all
    # addresses together), up to `account_max_delay_seconds`. Counts expire after the window.
    client_free_failures: int = Field(default=5, ge=1, le=100)
    client_max_delay_seconds: float = Field(default=900.0, gt=0, le=86_400)
    account_free_failures: int = Field(default=20, ge=1, le=10_000)
    account_max_delay_seconds: float = Field(default=30.0, gt=0, le=3_600)
    throttle_window_minutes: float = Field(default=15.0, gt=0, le=24 * 60)
    # Reverse proxies whose X-Forwarded-For header is believed (addresses or networks). The
    # default trusts a proxy on the same machine, which is how `monitor dashboard` is meant
    # to be published (it listens on localhost only).
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    local_accounts: bool = True  # the username + password form
    sso: SsoSettings = SsoSettings()
