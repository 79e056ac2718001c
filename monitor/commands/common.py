"""What the commands share: the app context of the `monitor` command, and options used twice.

Groups here must not import monitor.cli (it imports them), so they find the root context's
lazily built AppContext by duck typing, or build one when invoked on their own.
"""

from __future__ import annotations

from pathlib import Path

import click

from monitor.context import AppContext
from monitor.settings import load_settings


def app_context(*, migrate: bool = False) -> AppContext:
    """The command's AppContext; with `migrate`, the schema is created or upgraded first.

    Commands that write (init, replay, demo, run, poll, users add, impostors check) migrate,
    so a fresh database works without a separate `monitor init`.
    """
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root().obj if ctx is not None else None
    app = getattr(root, "app", None)
    if not isinstance(app, AppContext):
        app = AppContext(load_settings())
    if migrate:
        app.upgrade_schema()
    return app


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="MONITOR_CONFIG",
    help="Settings file (default: $MONITOR_CONFIG or config/monitor.toml in the project).",
)
no_score_option = click.option(
    "--no-score", is_flag=True, help="Store the posts without scoring them."
)
data_dir_option = click.option(
    "--data-dir", type=click.Path(path_type=Path), help="Labelled data folder."
)
