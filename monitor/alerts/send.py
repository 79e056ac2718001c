"""One message to one route through apprise; the only module that talks to apprise.

Returns an error string instead of raising, because a failed delivery is an expected outcome
that the caller records on the alert row; the error never contains the route's secrets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import apprise

from monitor.alerts.escape import BODY_FORMAT, neutral, title_for
from monitor.alerts.urls import RouteConfigError, mask_url, protect, route_url
from monitor.config import RouteSettings
from monitor.secrets import mask
from monitor.text import clip, visible

ERROR_LIMIT = 1000  # characters of an upstream error kept on the alert row

# (url, title, body, timeout seconds) -> None when delivered, else the reason it was not.
Notifier = Callable[[str, str, str, float], str | None]


@dataclass(frozen=True)
class SendResult:
    route: str
    target: str  # the masked URL: safe to print
    error: str | None
    permanent: bool = False  # retrying cannot help until the configuration changes

    @property
    def ok(self) -> bool:
        return self.error is None


def apprise_notify(url: str, title: str, body: str, timeout: float) -> str | None:
    notifier = apprise.Apprise(asset=apprise.AppriseAsset(secure_logging=True))
    if not notifier.add(url):
        raise RouteConfigError(
            f"apprise cannot use the URL {mask_url(url)}: check its scheme and parts against "
            "https://appriseit.com/services/"
        )
    title = title_for(notifier[0].notify_format, title)
    result = notifier.notify(body=body, title=title, body_format=BODY_FORMAT, timeout=timeout)
    if result:
        return None
    problems = [
        entry.message for entry in result.logs() if entry.level in ("WARNING", "ERROR", "CRITICAL")
    ]
    return "; ".join(problems)[:1000] or f"delivery failed ({result.status.name.lower()})"


def send(
    route: RouteSettings, title: str, body: str, timeout: float, notifier: Notifier | None = None
) -> SendResult:
    try:
        url = route_url(route)
    except RouteConfigError as exc:
        return SendResult(route.name, f"${route.url_env}", str(exc), permanent=True)
    scrubber = protect([url]) if route.url_env else None
    permanent = False
    try:
        error = (notifier or apprise_notify)(url, neutral(title), neutral(body), timeout)
    except RouteConfigError as exc:
        error, permanent = str(exc), True
    except Exception as exc:  # a plugin bug must not kill the job; record it instead
        error = f"{type(exc).__name__}: {exc}"
    if error and scrubber is not None:
        error = scrubber.redact(error)
    if error:
        error = clip(visible(mask(error)), ERROR_LIMIT)
    return SendResult(route.name, mask_url(url), error, permanent)
