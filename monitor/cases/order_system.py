"""Carrying out an approved resolution in the order system.

Two adapters share one protocol: a local ledger table (the default, and the demo) and an HTTP
webhook for a real order system. Both are keyed by the resolution's idempotency key, so a
retry after a timeout or a crash returns the first result instead of paying twice.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config import OrderSystemSettings
from monitor.db.models import LedgerEntry
from monitor.errors import UserFacingError


class OrderSystemError(UserFacingError):
    """The order system did not confirm the resolution. `permanent`: it refused the request
    itself, so retrying the same request cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class ResolutionOrder:
    """What the order system needs to carry out one resolution."""

    idempotency_key: str
    resolution_id: int
    action: str
    order_id: str | None
    amount: Decimal | None
    currency: str
    details: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        return {
            "idempotency_key": self.idempotency_key,
            "resolution_id": self.resolution_id,
            "action": self.action,
            "order_id": self.order_id,
            "amount": None if self.amount is None else str(self.amount),
            "currency": self.currency,
            "details": self.details,
        }


class OrderSystem(Protocol):
    # True: execute() writes in the caller's database transaction, so the decision and its
    # execution commit together. False: an outside system, called after the decision commits
    # through monitor.outbound (claim, call, record).
    in_database: bool

    def execute(self, order: ResolutionOrder) -> str:
        """Carry out the resolution once; returns the order system's reference."""
        ...


class LedgerOrderSystem:
    """Writes a `ledger_entries` row in the caller's transaction."""

    in_database = True

    def __init__(self, session: Session) -> None:
        self.session = session

    def execute(self, order: ResolutionOrder) -> str:
        existing = self.session.scalars(
            select(LedgerEntry).where(LedgerEntry.idempotency_key == order.idempotency_key)
        ).first()
        if existing is None:
            existing = LedgerEntry(
                idempotency_key=order.idempotency_key,
                resolution_id=order.resolution_id,
                order_id=order.order_id,
                action=order.action,
                amount=order.amount,
                currency=order.currency,
                details=order.details or None,
            )
            self.session.add(existing)
            self.session.flush()
        return f"ledger-{existing.id}"


class WebhookOrderSystem:
    """POSTs the resolution as JSON with an `Idempotency-Key` header.

    Connection errors, timeouts, 429 and 5xx are retried with the same key; the receiving
    system must treat a repeated key as the same request (the usual contract of payment APIs).
    A 2xx answer may carry `{"reference": "..."}`.
    """

    in_database = False

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        http: requests.Session | None = None,
    ) -> None:
        self.url, self.timeout, self.retries, self.backoff = url, timeout, retries, backoff
        self.http = http or requests.Session()

    def execute(self, order: ResolutionOrder) -> str:
        body = json.dumps(order.payload())
        headers = {"Content-Type": "application/json", "Idempotency-Key": order.idempotency_key}
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self.http.post(
                    self.url, data=body, headers=headers, timeout=self.timeout
                )
            except requests.RequestException as exc:
                problem = f"{type(exc).__name__}"  # never echo the URL: it may hold a key
                continue
            if response.status_code == 429 or response.status_code >= 500:
                problem = f"HTTP {response.status_code}"
                continue
            if response.status_code >= 400:
                raise OrderSystemError(
                    f"the order system refused resolution {order.resolution_id}: "
                    f"HTTP {response.status_code} {response.text[:200]}",
                    permanent=True,
                )
            try:
                reference = str(response.json().get("reference") or "")
            except ValueError:
                reference = ""
            return reference or f"webhook-{order.idempotency_key[:12]}"
        raise OrderSystemError(
            f"the order system did not confirm resolution {order.resolution_id} after "
            f"{self.retries + 1} attempts ({problem}); it is safe to retry"
        )


def order_system_for(settings: OrderSystemSettings, session: Session) -> OrderSystem:
    if settings.kind == "ledger":
        return LedgerOrderSystem(session)
    url = os.environ.get(settings.webhook_url_env, "")
    if not url:
        raise OrderSystemError(
            f"clearance.order_system.kind is webhook but {settings.webhook_url_env} is not set"
        )
    return WebhookOrderSystem(url, timeout=settings.timeout_seconds, retries=settings.retries)
