from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session
from tamper import execute

from monitor.cli import main
from monitor.commands.audit import audit
from monitor.commands.users import users

main.add_command(users)
main.add_command(audit)


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(main, list(args), **kw)


def test_add_list_set_role_and_verify(run, session: Session) -> None:
    added = run("users", "add", "root", "--role", "admin", input="long enough pw\nlong enough pw\n")
    assert added.exit_code == 0, added.output
    assert "Created admin root" in added.output and "long enough pw" not in added.output
    mismatch = run("users", "add", "bob", "--role", "agent", input="long enough pw\nother one pw\n")
    assert mismatch.exit_code != 0
    short = run("users", "add", "bob", "--role", "agent", input="short\nshort\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    assert (
        run("users", "add", "bob", "--role", "agent", input="long enough pw\n" * 2).exit_code == 0
    )
    assert "bob is now senior" in run("users", "set-role", "bob", "senior").output
    listing = run("users", "list").output
    assert "root" in listing and "senior" in listing
    ok = run("audit", "verify")
    assert ok.exit_code == 0 and "3 entries, chain intact" in ok.output

    execute(session, "UPDATE audit_log SET action = 'user.delete' WHERE id = 2")
    broken = run("audit", "verify")
    assert broken.exit_code == 1 and "chain broken at entry 2" in broken.output


def test_every_command_has_help() -> None:
    for group in (users, audit):
        assert group.help
        for command in group.commands.values():
            assert command.help, command.name
            for param in command.params:
                if param.param_type_name == "option":
                    assert getattr(param, "help", None), f"{command.name} {param.name}"
