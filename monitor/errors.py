"""The base of every error a user can fix: commands print its message, not a traceback."""

from __future__ import annotations

from typing import Any

from monitor.secrets import mask


class UserFacingError(Exception):
    """Something the user can fix; the message says what went wrong and what to do.

    The message is shown to people and stored, and often quotes an upstream answer (a gateway
    may echo the token it was sent), so configured secrets are masked in it here, once.
    """

    def __init__(self, message: object = "", *args: Any) -> None:
        super().__init__(mask(message), *args)
