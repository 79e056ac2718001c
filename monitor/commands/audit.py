"""`monitor audit`: check the audit log, and anchor its head outside the database."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from monitor.alerts.send import send
from monitor.cases.audit_verify import ChainReport, Checkpoint, checkpoint_of, verify_chain
from monitor.commands.common import app_context
from monitor.context import AppContext
from monitor.settings import audit_key


@click.group()
def audit() -> None:
    """The tamper-evident audit log of every action taken in the dashboard or CLI."""


def _signature_line(app: AppContext, report: ChainReport) -> str:
    name = app.settings.audit.hmac_key_env
    if audit_key(app.settings.audit) is None:
        return (
            f"HMAC: not checked, no key in ${name} (audit.hmac_key_env): a rewrite that "
            "recomputes every hash is caught only by a checkpoint; see README, Money safety"
        )
    return f"HMAC: {report.signed} signatures checked with the key in ${name}"


def _verified(app: AppContext, checkpoint: Checkpoint | None) -> ChainReport:
    with app.sessions() as session:
        return verify_chain(session, checkpoint=checkpoint)


@audit.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A file written by `monitor audit checkpoint`: also detect deleted or rewritten "
    "entries up to it (default: audit.checkpoint_file, when set).",
)
def verify(checkpoint_path: Path | None) -> None:
    """Check every entry's hash and signature, and that resolutions and ledger payments
    match their entries; exit 1 and name the first bad entry if any."""
    app = app_context()
    configured = app.settings.audit.checkpoint_file
    path = checkpoint_path or (Path(configured) if configured else None)
    checkpoint = Checkpoint.load(path) if path else None
    report = _verified(app, checkpoint)
    lines = [_signature_line(app, report), *report.notes]
    if checkpoint is None:
        lines.append(
            "checkpoint: none given, so entries removed from the end cannot show; run "
            "`monitor audit checkpoint` regularly and verify with --checkpoint FILE"
        )
    elif report.intact:
        lines.append(
            f"checkpoint of {checkpoint.at:%Y-%m-%d %H:%M} UTC ({checkpoint.entries} entries) "
            "matches"
        )
    if report.intact:
        click.echo(report.describe() + "; resolutions and ledger match the log")
        for line in lines:
            click.echo(line)
        return
    click.echo(report.describe(), err=True)
    for line in lines:
        click.echo(line, err=True)
    raise SystemExit(1)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@audit.command("checkpoint")
@click.option(
    "--output",
    "output_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write the head hash, count and time to (default: audit.checkpoint_file).",
)
@click.option(
    "--route",
    default=None,
    help="Alert route that also receives the checkpoint (default: audit.checkpoint_route).",
)
def checkpoint(output_path: Path | None, route: str | None) -> None:
    """Verify the log, then record its head (hash, count, time) outside the database, so a
    later `verify --checkpoint FILE` detects truncation and rewriting. Run it from cron."""
    app = app_context()
    cfg = app.settings.audit
    path = output_path or (Path(cfg.checkpoint_file) if cfg.checkpoint_file else None)
    route_name = route or cfg.checkpoint_route
    if path is None and route_name is None:
        raise click.UsageError(
            "say where the checkpoint goes: --output FILE and/or --route NAME "
            "(or set audit.checkpoint_file / audit.checkpoint_route in the config)"
        )
    destination = app.settings.alerts.route(route_name) if route_name else None
    if route_name and destination is None:
        known = ", ".join(r.name for r in app.settings.alerts.routes) or "none configured"
        raise click.ClickException(f"no alert route named {route_name!r} (known: {known})")
    anchor = checkpoint_of(_verified(app, None))
    text = anchor.to_json()
    if path is not None:
        _write_atomically(path, text)
        click.echo(f"Checkpoint written to {path}: {anchor.entries} entries, head {anchor.head_id}")
    if destination is not None:
        result = send(
            destination,
            "Audit log checkpoint",
            f"Save this line as a file for `monitor audit verify --checkpoint FILE`:\n{text}",
            app.settings.alerts.delivery.timeout_seconds,
        )
        if not result.ok:
            raise click.ClickException(f"checkpoint not sent via {result.route}: {result.error}")
        click.echo(f"Checkpoint sent via {result.route} ({result.target}).")
