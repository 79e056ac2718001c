"""`monitor model train|eval`: reproduce and measure the committed scoring model."""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor.context import LazyContext
from monitor.errors import UserFacingError
from monitor.scoring.loader import artifact_dir

pass_lazy = click.make_pass_decorator(LazyContext)


def _data_dir(lazy: LazyContext, given: Path | None) -> Path:
    path = given or lazy.app.settings.data_path
    if not path.is_dir():
        raise UserFacingError(
            f"labelled data folder {path} not found: pass --data-dir or set data_dir "
            "(MONITOR_DATA_DIR) to the folder holding semeval2017-task4a-train, tweeteval "
            "and complaints-severity-xci"
        )
    return Path(path)


@click.group()
def model() -> None:
    """Train and evaluate the multi-task scoring model (sentiment, complaint, severity)."""


@model.command()
@click.option("--data-dir", type=click.Path(path_type=Path), help="Labelled data folder.")
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Artifact folder to write (default: the configured model.artifact).",
)
@click.option("--no-resume", is_flag=True, help="Start again instead of resuming a checkpoint.")
@pass_lazy
def train(lazy: LazyContext, data_dir: Path | None, output: Path | None, no_resume: bool) -> None:
    """Reproduce the committed artifact: the recipe's training runs, then their greedy soup.

    Each run is resumable and skipped once trained; all of it takes about two hours on two
    CPU cores.
    """
    import logging

    from monitor.scoring.training.recipe import train_recipe

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    target = output or artifact_dir(lazy.app.settings.model)
    path = train_recipe(_data_dir(lazy, data_dir), target, resume=not no_resume)
    click.echo(f"Artifact written to {path}. Measure it with `monitor model eval`.")


@model.command(name="eval")
@click.option("--data-dir", type=click.Path(path_type=Path), help="Labelled data folder.")
@click.option(
    "--runtime",
    "runtimes",
    multiple=True,
    type=click.Choice(["torch", "onnx-int8"]),
    help="Runtime(s) to measure (default: both).",
)
@click.option("--write", is_flag=True, help="Store the figures in the artifact's metadata.json.")
@pass_lazy
def evaluate(
    lazy: LazyContext, data_dir: Path | None, runtimes: tuple[str, ...], write: bool
) -> None:
    """Print macro-recall on TweetEval test, complaint macro-F1 and urgency-severity Spearman."""
    from monitor.scoring.training.evaluate import evaluate as run_eval
    from monitor.scoring.urgency_eval import urgency_severity_spearman

    app = lazy.app
    folder = _data_dir(lazy, data_dir)
    metrics = run_eval(
        folder,
        artifact_dir(app.settings.model),
        runtimes=runtimes or ("torch", "onnx-int8"),
        write_metadata=write,
    )
    metrics |= urgency_severity_spearman(
        folder, app.model, app.settings.urgency, app.settings.stakes
    )
    click.echo(json.dumps(metrics, indent=2))
