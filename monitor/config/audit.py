"""The `[audit]` section: where the audit log's key comes from and where checkpoints go."""

from __future__ import annotations

from pydantic import Field

from monitor.config.base import Section


class AuditSettings(Section):
    # Environment variable holding the audit log's HMAC key (at least 32 characters). Without
    # it entries are only hash-chained, and `monitor audit verify` says so.
    hmac_key_env: str = "MONITOR_AUDIT_KEY"
    # Where `monitor audit checkpoint` writes the chain's head, and/or an alert route name that
    # receives it; keep the file somewhere the database's users cannot write.
    checkpoint_file: str | None = None
    checkpoint_route: str | None = None
    # Id of the first entry written with the key. Only for a log that existed before the key
    # was set: every entry from this id on must be signed (default: all of them).
    hmac_signed_from: int = Field(1, ge=1)
