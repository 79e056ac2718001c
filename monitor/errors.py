"""The base of every error a user can fix: commands print its message, not a traceback."""


class UserFacingError(Exception):
    """Something the user can fix; the message says what went wrong and what to do."""
