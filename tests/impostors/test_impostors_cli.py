"""`monitor impostors check/list/export` against a real database and the shipped config."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy.orm import Session

from monitor.cli import main
from monitor.db.types import utcnow
from monitor.ingest import store_posts
from monitor.sources.base import AuthorInfo, IncomingPost


def test_check_list_and_export(db_url: str, session: Session, tmp_path: Path) -> None:
    customer, impostor = AuthorInfo("x", "1", "dana"), AuthorInfo("x", "2", "ShopNowHe1p")
    t0 = utcnow() - timedelta(hours=1)  # replies older than a week are not re-examined
    store_posts(session, [IncomingPost("x", "10", "mention", customer, "@ShopNowHelp help", t0)])
    store_posts(
        session,
        [IncomingPost("x", "11", "mention", impostor, "@dana call +1 888 402 7719 on WhatsApp",
                      t0 + timedelta(minutes=2), in_reply_to_id="10")],
    )  # fmt: skip
    session.commit()
    runner, env = CliRunner(), {"MONITOR_DATABASE_URL": db_url}
    checked = runner.invoke(main, ["impostors", "check", "--no-fetch"], env=env)
    assert checked.exit_code == 0, checked.output
    assert "1 replies examined, 1 flagged" in checked.output
    listed = runner.invoke(main, ["impostors", "list"], env=env)
    assert "ShopNowHe1p" in listed.output and "phone number" in listed.output
    target = tmp_path / "out" / "impostors.xlsx"
    exported = runner.invoke(
        main, ["impostors", "export", "--format", "xlsx", "-o", str(target)], env=env
    )
    assert exported.exit_code == 0 and target.stat().st_size > 0, exported.output
    folder = runner.invoke(main, ["impostors", "export", "-o", str(tmp_path)], env=env)
    assert folder.exit_code != 0 and "is a folder" in folder.output
