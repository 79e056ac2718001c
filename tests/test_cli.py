from __future__ import annotations

import csv
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.scoring.files import OUTPUT_COLUMNS


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix}{name} "))
    return found


@pytest.mark.parametrize(("name", "command"), _commands(main), ids=lambda v: str(v))
def test_every_command_has_help(name: str, command: click.Command) -> None:
    assert command.help and len(command.help.strip()) > 20, f"`monitor {name}` lacks help text"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"option {param.opts} of `monitor {name}` lacks help text"


def test_init_creates_then_reports_up_to_date(db_url: str) -> None:
    runner = CliRunner()
    env = {"MONITOR_DATABASE_URL": db_url}
    first = runner.invoke(main, ["init"], env=env)
    second = runner.invoke(main, ["init"], env=env)
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "up to date" in second.output


def test_init_from_an_empty_sqlite_file(tmp_path: Path) -> None:
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'new' / 'monitor.db'}"
    result = runner.invoke(main, ["init"], env={"MONITOR_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "upgraded from empty" in result.output
    assert (tmp_path / "new" / "monitor.db").exists()


def test_bad_config_is_one_clear_line_not_a_traceback(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[database]\nurl = 5\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "init"])
    assert result.exit_code == 2
    assert "Error: invalid configuration" in result.output and "`database.url`" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "file not found"),
        (b"", [], "is empty"),
        (b"id,body\n1,hello\n", [], "no text column 'text'; columns found: id, body"),
        (b"id,text\n1,hello\n", ["--id-column", "post"], "no id column 'post'"),
        (b"id,text\n1,caf\xe9 au lait\n", [], "is not UTF-8"),
        (b"{not json}\n", [], "not valid JSON"),
    ],
)
def test_score_rejects_bad_input_clearly(
    tmp_path: Path, content: bytes | None, args: list[str], message: str
) -> None:
    suffix = ".jsonl" if content and content.startswith(b"{") else ".csv"
    source = tmp_path / f"posts{suffix}"
    if content is not None:
        source.write_bytes(content)
    output = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["score", str(source), "-o", str(output), *args])
    assert result.exit_code == 2
    assert message in result.output, result.output
    assert not output.exists()  # nothing half-written


def test_score_writes_every_row_with_the_promised_columns(
    tmp_path: Path, model_cache: Path, text_model: object
) -> None:
    source = tmp_path / "posts.jsonl"
    source.write_text(
        '{"post_id": "1789012345678901234", '
        '"body": "my $899 TV was never delivered, talk to a human"}\n'
        '{"post_id": "2", "body": "love it, thanks!"}\n'
        '{"post_id": "3", "body": ""}\n',
        encoding="utf-8",
    )
    output = tmp_path / "scored.csv"
    result = CliRunner().invoke(
        main,
        ["score", str(source), "-o", str(output), "--text-column", "body"],
        env={"MONITOR_MODEL_CACHE_DIR": str(model_cache)},
    )
    assert result.exit_code == 0, result.output
    assert "Scored 3 posts (1 with empty text)" in result.output
    with output.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == ["1789012345678901234", "2", "3"]
    assert list(rows[0]) == list(OUTPUT_COLUMNS)
    assert float(rows[0]["urgency"]) > float(rows[1]["urgency"]) + 20
    assert "$899 at stake" in rows[0]["explanation"] and rows[0]["intent"] == "delivery"
    assert "delivery" in rows[0]["topics"].split(";") and rows[0]["language"] == "en"
    assert rows[1]["topics"] == "praise" and rows[2]["language"] == "und"
    assert float(rows[0]["sentiment_negative"]) > float(rows[1]["sentiment_negative"])


def test_dashboard_runs_with_production_defaults(tmp_path: Path) -> None:
    from monitor.cli import dashboard_command
    from monitor.context import AppContext
    from monitor.settings import load_settings

    command = dashboard_command(AppContext(load_settings()))
    flags = dict(zip(command[5::2], command[6::2], strict=True))
    assert flags["--server.address"] == "127.0.0.1"  # not every interface
    assert flags["--client.showErrorDetails"] == "none"  # no tracebacks in browsers
    assert flags["--client.toolbarMode"] == "viewer"  # no Deploy, rerun or clear-cache
    assert flags["--server.enableXsrfProtection"] == "true"
    config = tmp_path / "public.toml"
    config.write_text('[dashboard]\naddress = "10.1.2.3"\nerror_details = "full"\n')
    opened = dashboard_command(AppContext(load_settings(config)))
    assert opened[opened.index("--server.address") + 1] == "10.1.2.3"
    assert opened[opened.index("--client.showErrorDetails") + 1] == "full"


def test_poll_runs_one_cycle_with_or_without_once(tmp_path: Path) -> None:
    """`--once` was required once; it is still accepted, and a poll is one cycle either way.
    The first poll also creates the schema of a fresh database."""
    runner = CliRunner()
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'monitor.db'}"}
    first = runner.invoke(main, ["poll", "demo-stream", "--no-score"], env=env)
    second = runner.invoke(main, ["poll", "demo-stream", "--once", "--no-score"], env=env)
    for result in (first, second):
        assert result.exit_code == 0, result.output
        assert "demo-stream: ok; fetched 3, stored 3" in result.output, result.output
    unknown = runner.invoke(main, ["poll", "nowhere", "--no-score"], env=env)
    assert unknown.exit_code != 0 and "no source named 'nowhere'" in unknown.output


def test_dashboard_refuses_a_short_session_secret(tmp_path: Path) -> None:
    from monitor.auth import cookies

    cookies.secret.cache_clear()
    url = f"sqlite:///{tmp_path / 'm.db'}"
    env = {"MONITOR_DATABASE_URL": url, "MONITOR_SESSION_SECRET": "too short"}
    try:
        result = CliRunner().invoke(main, ["dashboard"], env=env)
    finally:
        cookies.secret.cache_clear()
    assert result.exit_code == 2, result.output
    assert "MONITOR_SESSION_SECRET must have at least 32 characters" in result.output


@pytest.mark.parametrize("command", ["replay", "poll"])
def test_stored_posts_get_the_configured_sla_hours(tmp_path: Path, command: str) -> None:
    """`[sla]` sets every first-response deadline, whichever command stores the post."""
    from datetime import timedelta

    from sqlalchemy import select

    from monitor.db.engine import make_engine, session_factory
    from monitor.db.models import Case, Post

    config = tmp_path / "sla.toml"
    config.write_text(
        "[sla]\npublic_hours = 10\nprivate_hours = 30\ncritical_urgency = 100\n"
        '[[sources]]\nname = "demo-stream"\nplatform = "demo"\n',
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    if command == "replay":
        recorded = tmp_path / "twcs.csv"
        recorded.write_text(
            "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
            "7,115712,True,Tue Oct 31 22:11:45 +0000 2017,@sprintcare my phone is dead,,\n",
            encoding="utf-8",
        )
        args = ["replay", str(recorded), "--no-score"]
    else:
        args = ["poll", "demo-stream", "--no-score"]
    result = CliRunner().invoke(
        main, ["--config", str(config), *args], env={"MONITOR_DATABASE_URL": url}
    )
    assert result.exit_code == 0, result.output

    engine = make_engine(url)
    with session_factory(engine)() as session:
        # Cases the brand already answered have no clock running.
        cases = session.scalars(select(Case).where(Case.sla_due_at.is_not(None))).all()
        assert cases
        for case in cases:
            posts = session.scalars(select(Post).where(Post.case_id == case.id, Post.inbound))
            # The clock starts at one of the customer's posts, with that post's hours.
            deadlines = {
                p.created_at + timedelta(hours=30 if p.kind == "dm" else 10) for p in posts
            }
            assert case.sla_due_at in deadlines, case.id
    engine.dispose()


def test_model_eval_reports_the_held_out_tweets_and_annotator_agreement(
    tmp_path: Path, model_cache: Path, text_model: object
) -> None:
    shared = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    result = CliRunner().invoke(
        main,
        ["model", "eval", "--data-dir", str(shared), "--no-benchmarks", "--split", "holdout"],
        env={
            "MONITOR_MODEL_CACHE_DIR": str(model_cache),
            "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
        },
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert set(figures["labelled_tweets"]) == {"holdout"}
    assert figures["labelled_tweets"]["holdout"]["posts"] == 206
    # Brands with 30 or more tweets get their own figures (marksandspencer 51, Tesco 41).
    brands = figures["labelled_tweets"]["holdout"]["by_brand"]
    assert set(brands) == {"marksandspencer", "Tesco", "AmazonHelp"}
    assert brands["AmazonHelp"]["posts"] == 36 and 0 <= brands["AmazonHelp"]["delivery_f1"] <= 1
    agreement = figures["annotator_agreement"]
    assert set(agreement) == {"holdout"} and agreement["holdout"]["posts"] == 206
    assert agreement["holdout"]["urgency_quadratic_kappa"] >= 0.85
    # No migrated database: the corrections say how to get one instead of failing the run.
    assert "monitor init" in figures["team_corrections"]["unavailable"]
