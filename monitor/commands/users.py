"""`monitor users`: create the first admin and manage accounts from the shell.

The shell user already has the database, so these commands act as the `cli` system actor;
every change still goes through the same services and into the audit log.
"""

from __future__ import annotations

import getpass

import click

from monitor.auth import accounts
from monitor.auth.permissions import Actor
from monitor.commands.common import app_context
from monitor.db.engine import transaction
from monitor.vocab import Role


def _cli_actor() -> Actor:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Actor(user_id=None, username=f"cli:{who}", role=Role.ADMIN)


@click.group()
def users() -> None:
    """Dashboard accounts: add users, list them, change roles, unlock, reset passwords."""


@users.command("add")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    required=True,
    help="What the user may do: agent, senior, supervisor, analyst (read/export) or admin.",
)
@click.option("--email", default=None, help="E-mail address (used to match single sign-on).")
@click.password_option(
    "--password",
    prompt="Password",
    confirmation_prompt=True,
    help="The password (asked for, hidden, when not given; at least 10 characters).",
)
def add(username: str, role: str, email: str | None, password: str) -> None:
    """Create a user who signs in with USERNAME and a password."""
    app = app_context(migrate=True)
    with transaction(app.sessions) as session:
        user = accounts.create_user(session, _cli_actor(), username, password, role, email=email)
        click.echo(f"Created {user.role} {user.username} (id {user.id}).")


@users.command("list")
def list_() -> None:
    """Show every user with role, status and lockout."""
    app = app_context()
    with app.sessions() as session:
        rows = accounts.list_users(session)
    if not rows:
        click.echo(
            "No users yet: create the first admin with `monitor users add NAME --role admin`."
        )
        return
    for user in rows:
        state = "active" if user.active else "inactive"
        if user.locked_until is not None:
            state += f", locked until {user.locked_until:%Y-%m-%d %H:%M} UTC"
        click.echo(f"{user.username:<24} {user.role:<11} {user.email or '-':<30} {state}")


@users.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice([role.value for role in Role]))
def set_role(username: str, role: str) -> None:
    """Change USERNAME's role to ROLE (takes effect on their next page load)."""
    app = app_context()
    with transaction(app.sessions) as session:
        user = accounts.set_role(session, _cli_actor(), username, role)
        click.echo(f"{user.username} is now {user.role}.")


@users.command("unlock")
@click.argument("username")
def unlock(username: str) -> None:
    """Lift USERNAME's sign-in lockout now (and reset the failed-attempt count); audited."""
    app = app_context()
    with transaction(app.sessions) as session:
        user = accounts.unlock_user(session, _cli_actor(), username)
        click.echo(f"{user.username} is unlocked and may sign in again.")


@users.command("set-password")
@click.argument("username")
def set_password(username: str) -> None:
    """Set a new password for USERNAME, asked for twice and hidden (never taken from the
    command line, where it would land in the shell history); signs them out everywhere."""
    app = app_context()
    with app.sessions() as session:
        if accounts.get_user(session, username) is None:
            raise accounts.AccountError(f"no user named {username!r}: see `monitor users list`")
    password = click.prompt(
        f"New password for {username}", hide_input=True, confirmation_prompt=True
    )
    with transaction(app.sessions) as session:
        user = accounts.set_password(session, _cli_actor(), username, password)
        click.echo(
            f"Password of {user.username} changed; their sessions were signed out and any "
            "lockout lifted."
        )
