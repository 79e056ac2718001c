"""`monitor demo` keeps its data, and above all its published-password accounts, to itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from casework import make_user
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.auth import accounts
from monitor.cli import main
from monitor.db.models import Customer, Post, User
from monitor.demo.guard import is_demo_database

DEMO_USERS = set(accounts.DEMO_USERS)


@pytest.fixture
def demo(db_url: str, tmp_path: Path, model_cache: Path) -> Callable[..., Result]:
    """The real command on a small demo world, without the dashboard."""
    config = tmp_path / "demo.toml"
    config.write_text("[demo]\ncustomers = 4\nposts = 12\ndays = 1\n", encoding="utf-8")
    env = {
        "MONITOR_DATABASE_URL": db_url,
        "MONITOR_MODEL_CACHE_DIR": str(model_cache),
        "MONITOR_DEMO_PASSWORD": "",
    }
    runner = CliRunner()
    return lambda *args: runner.invoke(
        main, ["--config", str(config), "demo", "--no-dashboard", *args], env=env
    )


def usernames(session: Session) -> set[str]:
    session.expire_all()
    return set(session.scalars(select(User.username)))


def test_a_real_installation_is_refused_and_left_untouched(session: Session, demo) -> None:
    make_user(session, "root", "admin")
    session.commit()
    result = demo()
    assert result.exit_code == 2, result.output
    assert "already holds 1 users, 1 audit entries" in result.output
    assert "--into-existing-database" in result.output and "Traceback" not in result.output
    assert usernames(session) == {"root"}
    assert session.scalar(select(func.count(Post.id))) == 0
    assert session.scalar(select(func.count(Customer.id))) == 0
    assert not is_demo_database(session)


def test_explicit_flag_loads_data_but_never_the_demo_accounts(session: Session, demo) -> None:
    make_user(session, "root", "admin")
    session.commit()
    result = demo("--into-existing-database")
    assert result.exit_code == 0, result.output
    assert "No demo accounts created" in result.output
    assert "demo-care-2026" not in result.output
    assert usernames(session) == {"root"}
    assert session.scalar(select(func.count(Post.id))) > 0
    assert not is_demo_database(session)


def test_empty_database_becomes_a_demo_database_and_can_run_again(session: Session, demo) -> None:
    first = demo()
    assert first.exit_code == 0, first.output
    assert "Demo sign-in" in first.output and "demo-care-2026" in first.output
    assert is_demo_database(session) and usernames(session) == DEMO_USERS
    again = demo()  # the demo's own database is not "real data"
    assert again.exit_code == 0, again.output
    assert usernames(session) == DEMO_USERS


def test_demo_accounts_are_refused_outside_a_demo_database(session: Session) -> None:
    with pytest.raises(accounts.AccountError, match="only created in a database created by"):
        accounts.ensure_demo_users(session, "demo-password-1")
    assert usernames(session) == set()


def test_replayed_posts_count_as_real_data(session: Session, demo) -> None:
    from factories import add_scored_post

    add_scored_post(session, "p-1", "my parcel is late", 40)
    session.commit()
    result = demo()
    assert result.exit_code == 2 and "1 posts" in result.output
    assert usernames(session) == set() and not is_demo_database(session)
