"""`monitor model train|eval`: reproduce and measure the committed scoring model."""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor.commands.common import app_context, data_dir_option
from monitor.context import AppContext
from monitor.errors import UserFacingError
from monitor.scoring.loader import artifact_dir, topic_head_dir
from monitor.scoring.training.labelled_tweets import SPLITS


def _data_dir(app: AppContext, given: Path | None) -> Path:
    path = given or app.settings.data_path
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
@data_dir_option
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Artifact folder to write (default: the configured model.artifact).",
)
@click.option("--no-resume", is_flag=True, help="Start again instead of resuming a checkpoint.")
@click.option(
    "--topics-only",
    is_flag=True,
    help="Only (re)train the topic head on the committed encoder (about two minutes).",
)
@click.option(
    "--use-corrections",
    is_flag=True,
    help="Add the intents agents corrected on case pages to the topic head's training data "
    "(off by default: corrections are unreviewed).",
)
def train(
    data_dir: Path | None,
    output: Path | None,
    no_resume: bool,
    topics_only: bool,
    use_corrections: bool,
) -> None:
    """Reproduce the committed artifacts: the encoder's training runs and their greedy soup
    (about two hours on two CPU cores; each run resumable and skipped once trained), then
    the topic head (skipped when present unless --no-resume or --use-corrections)."""
    import logging

    from monitor.scoring.training.labelled_tweets import LABELS_PATH
    from monitor.scoring.training.recipe import train_recipe
    from monitor.scoring.training.topic_head import train_topic_head

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    app = app_context()
    settings = app.settings
    folder = _data_dir(app, data_dir)
    encoder = artifact_dir(settings.model)
    if not topics_only:
        encoder = train_recipe(folder, output or encoder, resume=not no_resume)
        click.echo(f"Encoder artifact written to {encoder}.")
    head = topic_head_dir(settings.model)
    if head is None:
        click.echo("No topic head configured (model.topic_head is empty): nothing more to do.")
        return
    if head.exists() and not (no_resume or use_corrections or topics_only):
        click.echo(f"Topic head {head} already trained: skipped (use --no-resume to retrain).")
        return
    corrections = []
    if use_corrections:
        from monitor.cases.feedback import corrections as stored
        from monitor.scoring.training.topic_data import TopicExample

        with app.sessions() as session:
            corrections = [
                TopicExample(c.text, frozenset({c.intent}), "correction")
                for c in stored(session)
                if c.kind == "intent" and c.intent
            ]
        click.echo(f"Using {len(corrections)} intent corrections from the team.")
    path = train_topic_head(
        folder, head, artifact_dir=encoder, labels_file=LABELS_PATH, corrections=corrections
    )
    click.echo(f"Topic head written to {path}. Measure it with `monitor model eval`.")


@model.command(name="eval")
@data_dir_option
@click.option(
    "--runtime",
    "runtimes",
    multiple=True,
    type=click.Choice(["torch", "onnx-int8"]),
    help="Runtime(s) to measure (default: both).",
)
@click.option("--write", is_flag=True, help="Store the figures in the artifact's metadata.json.")
@click.option(
    "--benchmarks/--no-benchmarks",
    default=True,
    help="TweetEval and X-CI figures (several minutes); --no-benchmarks skips them.",
)
@click.option(
    "--split",
    "splits",
    multiple=True,
    type=click.Choice(list(SPLITS)),
    help="Hand-labelled split(s) to report (default: all; `holdout` is the held-out one).",
)
def evaluate(
    data_dir: Path | None,
    runtimes: tuple[str, ...],
    write: bool,
    benchmarks: bool,
    splits: tuple[str, ...],
) -> None:
    """Print macro-recall on TweetEval test, complaint macro-F1 and urgency-severity Spearman;
    urgency, topic and language figures on the hand-labelled TWCS tweets (per split, each
    beside a keyword baseline: dev and test are tuned on, holdout is held out); how far second
    annotators agree with those labels; and agreement with the team's corrections."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from monitor.cases.feedback import corrections
    from monitor.scoring.labelled_eval import corrections_agreement, report, score_labelled
    from monitor.scoring.training.labelled_tweets import load_labelled_tweets

    app = app_context()
    folder = _data_dir(app, data_dir)
    metrics: dict = {}
    if benchmarks:
        from monitor.scoring.training.evaluate import evaluate as run_eval
        from monitor.scoring.urgency_eval import urgency_severity_spearman

        metrics |= run_eval(
            folder,
            artifact_dir(app.settings.model),
            runtimes=runtimes or ("torch", "onnx-int8"),
            write_metadata=write,
        )
        metrics |= urgency_severity_spearman(
            folder, app.model, app.settings.urgency, app.settings.stakes
        )
    labelled = [
        tweet for tweet in load_labelled_tweets(folder) if tweet.split in (splits or SPLITS)
    ]
    scored = score_labelled(labelled, app.model, app.settings.urgency, app.settings.stakes)
    metrics["labelled_tweets"] = report(scored)
    metrics["annotator_agreement"] = _annotator_agreement(splits or SPLITS)
    try:
        with app.sessions() as session:
            stored = corrections(session)
    except SQLAlchemyError as exc:  # no database yet, or not migrated: the rest still counts
        reason = str(exc.orig if isinstance(exc, DBAPIError) else exc).splitlines()[0]
        metrics["team_corrections"] = {
            "unavailable": f"{reason}; run `monitor init` against the team's database"
        }
    else:
        metrics["team_corrections"] = corrections_agreement(
            stored, app.model, app.settings.urgency, app.settings.stakes
        )
    click.echo(json.dumps(metrics, indent=2))


def _annotator_agreement(splits: tuple[str, ...] | list[str]) -> dict:
    """Second annotators against the main labels, per split (how much a label is a reading)."""
    from monitor.scoring.annotator_agreement import agreement, read_second_labels
    from monitor.scoring.training.labelled_tweets import read_labels

    labels, second = read_labels(), read_second_labels()
    return {
        split: agreement([label for label in labels if label.split == split], second)
        for split in splits
    }
