"""How a feature command finds the shared AppContext that `monitor` builds lazily."""

from __future__ import annotations

import click

from monitor.context import AppContext
from monitor.settings import load_settings


def app_from(ctx: click.Context) -> AppContext:
    """The root command's context (`ctx.obj.app`), or one from the default config when the
    command runs on its own (tests, or a group not yet registered in monitor/cli.py)."""
    root = ctx.find_root()
    app = getattr(root.obj, "app", None)
    if isinstance(app, AppContext):
        return app
    if not isinstance(root.obj, AppContext):
        root.obj = AppContext(load_settings())
    return root.obj
