"""What feature command groups share: the app context of the `monitor` command, if any.

Groups here must not import monitor.cli (it imports them), so they find the root context's
lazily built AppContext by duck typing, or build one when invoked on their own.
"""

from __future__ import annotations

import click

from monitor.context import AppContext
from monitor.settings import load_settings


def app_context() -> AppContext:
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root().obj if ctx is not None else None
    app = getattr(root, "app", None)
    if isinstance(app, AppContext):
        return app
    return AppContext(load_settings())
