"""The `monitor` command. Thin: parses arguments, calls services, prints what happened."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from monitor.auth.passwords import DEMO_PASSWORD
from monitor.children import run_until_stopped, stop, stopping_on_sigterm
from monitor.commands.alerts import alerts
from monitor.commands.audit import audit
from monitor.commands.common import app_context, config_option, no_score_option
from monitor.commands.export import export
from monitor.commands.impostors import impostors
from monitor.commands.model import model
from monitor.commands.users import users
from monitor.context import AppContext, LazyContext
from monitor.db.engine import transaction
from monitor.errors import UserFacingError
from monitor.secrets import mask
from monitor.sources.base import Source

# The pages and the routes that keep the sign-in in a cookie (dashboard/server.py).
DASHBOARD_APP = Path(__file__).resolve().parent.parent / "dashboard" / "server.py"


class MonitorGroup(click.Group):
    """Turns the project's expected errors into one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except UserFacingError as exc:
            raise InputProblem(_one_line(mask(exc))) from exc
        except OSError as exc:  # a file problem no check foresaw: still one clear line
            where = f" ({exc.filename})" if exc.filename else ""
            raise InputProblem(
                f"{mask(exc.strerror or str(exc)).lower()}{where}: check the path and its "
                "permissions, then run again"
            ) from exc


class InputProblem(click.ClickException):
    """Something the user can fix: exit code 2, like click's own usage errors."""

    exit_code = 2


def _one_line(message: str) -> str:
    """Messages that list several problems keep their lines; anything else is one line."""
    return message if message.startswith("invalid configuration:") else " ".join(message.split())


@click.group(cls=MonitorGroup)
@config_option
@click.version_option(package_name="escalation-monitor")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """Social-media escalation monitor: find the posts that need a human now."""
    ctx.obj = LazyContext(config_path)


@main.command()
def init() -> None:
    """Create the database schema, or upgrade it to the newest version (safe to repeat)."""
    app = app_context()
    before, after = app.upgrade_schema()
    where = app.engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"Database {where} is up to date (revision {after}).")
    else:
        click.echo(f"Database {where} upgraded from {before or 'empty'} to revision {after}.")


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    "output_path",
    required=True,
    type=click.Path(path_type=Path),
    help="CSV file to write (id, urgency, sentiment, complaint, severity, intent, explanation).",
)
@click.option("--text-column", default="text", show_default=True, help="Column with the post text.")
@click.option(
    "--id-column",
    default=None,
    help="Column with the post id (default: id, tweet_id or post_id if present, else row number).",
)
def score(input_path: Path, output_path: Path, text_column: str, id_column: str | None) -> None:
    """Score a CSV or JSONL file of posts and write urgency and sentiment per post."""
    import time

    from monitor.output_paths import check_output_path
    from monitor.scoring.files import open_post_file, partial_path, score_file

    app = app_context()
    started = time.perf_counter()
    with open_post_file(input_path, text_column=text_column, id_column=id_column) as posts:
        # Before the model loads and the first row is scored: a wrong output path fails now.
        check_output_path(
            output_path,
            partial=partial_path(output_path),
            inputs=[input_path],
            create_folders=True,
            example="scores.csv",
        )
        summary = score_file(
            posts, output_path, app.model, app.settings.urgency, stakes=app.settings.stakes
        )
    elapsed = time.perf_counter() - started
    note = f" ({summary.empty_text} with empty text)" if summary.empty_text else ""
    click.echo(
        f"Scored {summary.rows} posts{note} in {elapsed:.1f}s "
        f"({summary.rows / max(elapsed, 1e-9):.0f} posts/s) -> {output_path}"
    )


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--source", default="replay", show_default=True, help="Source name to record.")
@no_score_option
def replay(file: Path, source: str, no_score: bool) -> None:
    """Ingest recorded posts from a CSV in the Customer Support on Twitter (TWCS) format."""
    from monitor.ingest_replay import replay_file
    from monitor.sources.replay import ReplayFileError

    app = app_context(migrate=True)
    summary = replay_file(app.sessions, file, source=source, progress=True, sla=app.sla)
    if summary.malformed and not summary.stored and not summary.duplicates:
        raise ReplayFileError(
            f"{summary.describe()}: no row could be stored. Fix the rows named and replay again"
        )
    click.echo(summary.describe())
    if not no_score:
        _score_pending(app)


@main.command()
@click.option("--no-dashboard", is_flag=True, help="Prepare the data but do not serve the UI.")
@click.option("--seed", type=int, default=None, help="Random seed (default: demo.seed in config).")
@click.option(
    "--no-live", is_flag=True, help="Do not run the poller beside the dashboard (no new posts)."
)
@click.option(
    "--into-existing-database",
    is_flag=True,
    help="Also load demo customers, orders and posts into a database that already has users "
    "or data (never the demo accounts). Without it, such a database is refused.",
)
def demo(
    no_dashboard: bool,
    seed: int | None,
    no_live: bool,
    into_existing_database: bool,
) -> None:
    """Prepare a demo database, load scored demo data and serve the dashboard.

    Only an empty database (which then becomes a demo database) or one the demo created is
    used; the demo accounts never go anywhere else.
    """
    from monitor.auth.accounts import ensure_demo_users
    from monitor.demo.guard import prepare_demo_database
    from monitor.demo.seed import load_demo

    app = app_context(migrate=True)
    cfg = app.settings.demo
    where = app.engine.url.render_as_string(hide_password=True)
    with transaction(app.sessions) as session:
        demo_accounts = prepare_demo_database(session, where, into_existing=into_existing_database)
        summary = load_demo(
            session,
            seed=cfg.seed if seed is None else seed,
            customers=cfg.customers,
            posts=cfg.posts,
            days=cfg.days,
            now=datetime.now(UTC),
            sla=app.sla,
        )
        password = os.environ.get("MONITOR_DEMO_PASSWORD") or DEMO_PASSWORD
        if demo_accounts:
            ensure_demo_users(session, password)
    click.echo(f"Demo data: {summary}")
    _check_impostors(app)  # before scoring: an impostor's reply is not a customer's post
    _score_pending(app)
    if demo_accounts:
        click.echo(
            "Demo sign-in: users agent, senior, supervisor, analyst and admin, password "
            f"{'from MONITOR_DEMO_PASSWORD' if password != DEMO_PASSWORD else repr(password)} "
            "(demo accounts only: never use them on real data)."
        )
    else:
        click.echo(
            "No demo accounts created: this database was not created by the demo. "
            "Sign in with its own accounts."
        )
    if no_dashboard:
        return
    # The scheduler runs in its own process, as in production: new demo posts keep arriving,
    # get scored and alerted while the team works the queue.
    with stopping_on_sigterm():  # docker stop or kill stops the children too
        poller = (
            None
            if no_live
            else subprocess.Popen([sys.executable, "-m", "monitor.cli", "run"], env=_child_env(app))
        )
        try:
            _serve_dashboard(app)
        finally:
            stop(poller)


@main.command()
def dashboard() -> None:
    """Serve the Streamlit dashboard (the database must exist: run `monitor init`)."""
    _serve_dashboard(app_context())


@main.command()
def run() -> None:
    """Poll every configured source on its interval and score new posts, until stopped.

    Start as many as you like against one PostgreSQL database: each source is polled by one
    process at a time, and a survivor takes over a stopped process's sources.
    """
    from monitor.scheduler import build_scheduler, core_jobs
    from monitor.sources.redact import install_redaction

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("apscheduler", "alembic"):  # a line per tick or per start-up check is noise
        logging.getLogger(noisy).setLevel(logging.WARNING)
    install_redaction()
    app = app_context(migrate=True)
    sources = _build_sources(app)
    scheduler = build_scheduler(core_jobs(app, sources))
    names = ", ".join(source.name for source, _ in sources) or "none"
    click.echo(f"Polling {len(sources)} sources ({names}); Ctrl+C to stop.")
    # SIGTERM (systemd, docker stop) stops as cleanly as Ctrl+C: running jobs finish their
    # transaction or roll it back; nothing is half-stored either way.
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


@main.command()
@click.argument("source_name", metavar="SOURCE")
@click.option(
    "--once",
    is_flag=True,
    help="Accepted for older scripts; `poll` always runs exactly one poll cycle.",
)
@no_score_option
def poll(source_name: str, once: bool, no_score: bool) -> None:
    """Poll one configured source once and print what it fetched.

    One cycle with or without --once; `monitor run` polls every source on its interval.
    """
    from monitor.polling import poll_source
    from monitor.sources.redact import install_redaction

    install_redaction()
    app = app_context(migrate=True)
    by_name = {source.name: source for source, _ in _build_sources(app, only=source_name)}
    outcome = poll_source(
        app.engine,
        app.sessions,
        by_name[source_name],
        sla=app.sla,
        unhealthy_after=app.settings.scheduler.unhealthy_after_failures,
    )
    click.echo(outcome.describe())
    if outcome.stored and not no_score:
        _score_pending(app)
    if outcome.status == "error":
        raise SystemExit(1)


def _build_sources(app: AppContext, only: str | None = None) -> list[tuple[Source, float]]:
    from monitor.sources.registry import build_source

    configs = app.settings.sources
    if only is not None:
        configs = [config for config in configs if config.name == only]
        if not configs:
            known = ", ".join(c.name for c in app.settings.sources) or "none configured"
            raise click.ClickException(f"no source named {only!r} in the config (known: {known})")
    return [(build_source(config), float(config.interval_seconds)) for config in configs]


def _check_impostors(app: AppContext) -> None:
    from monitor.impostors.job import run_impostor_checks

    settings = app.settings
    run = run_impostor_checks(
        app.engine, app.sessions, settings.brand, settings.impostors, {}, sla=app.sla
    )
    click.echo(run.describe().capitalize() + ".")


def _score_pending(app: AppContext) -> None:
    from monitor.cases.rollup import score_and_roll_up

    click.echo("Loading the scoring model...")
    count = score_and_roll_up(app.sessions, app.model, app.settings)
    click.echo(f"Scored {count} new posts with {app.model.version}.")


def _child_env(app: AppContext) -> dict[str, str]:
    env = dict(os.environ)
    env["MONITOR_CONFIG"] = app.settings.source_file
    env["MONITOR_DATABASE_URL"] = app.settings.database.url
    return env


def dashboard_command(app: AppContext) -> list[str]:
    """`streamlit run` with production defaults: listen on the configured address (localhost
    unless set), no error details or developer menu (rerun, clear cache, Deploy) in browsers,
    no file watching, no usage statistics."""
    cfg = app.settings.dashboard
    return [
        sys.executable, "-m", "streamlit", "run", str(DASHBOARD_APP),
        "--server.address", cfg.address,
        "--server.port", str(cfg.port),
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--server.enableXsrfProtection", "true",
        "--client.showErrorDetails", cfg.error_details,
        "--client.toolbarMode", "viewer",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


def _serve_dashboard(app: AppContext) -> None:
    from monitor.auth import cookies

    cookies.secret()  # a bad MONITOR_SESSION_SECRET is refused now, not at the first sign-in
    cfg = app.settings.dashboard
    host = "localhost" if cfg.address in ("127.0.0.1", "::1", "localhost") else cfg.address
    click.echo(f"Dashboard on http://{host}:{cfg.port} (Ctrl+C to stop)")
    with contextlib.suppress(KeyboardInterrupt), stopping_on_sigterm():
        run_until_stopped(dashboard_command(app), _child_env(app))


for command in (model, alerts, export, users, audit, impostors):
    main.add_command(command)

if __name__ == "__main__":
    main()
