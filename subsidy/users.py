"""Officer accounts, managed on the server: create, change a password, disable, enable, list.

Changing a password or disabling an account ends every session the account has (sessions.py). Logging in and
slowing down failed logins are in logins.py.
"""

import re
import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from werkzeug.security import generate_password_hash

from .assessments import audit, now
from .db import connect, write_transaction
from .logins import MAX_PASSWORD, MAX_USERNAME
from .sessions import end_sessions

ROLES = ("officer", "admin")
MIN_PASSWORD = 8
USERNAME = re.compile(rf"^[\w.@-]{{1,{MAX_USERNAME}}}$")  # letters (any script), digits, _ . @ -

users_cli = AppGroup("users", help="Manage officer accounts.")


def find_user(db, username: str) -> dict | None:
    rows = list(db.table("users").rows_where("username = ?", [username], limit=1))
    return rows[0] if rows else None


def create_user(db, username: str, password: str, role: str) -> dict:
    with write_transaction(db):
        db.table("users").insert({"username": username, "password_hash": generate_password_hash(password),
                                  "role": role, "active": 1, "created_at": now()})
        audit(db, "cli", "user_create", after={"username": username, "role": role})
    return find_user(db, username)


def set_password(db, user: dict, password: str) -> None:
    """Change an account's password and end every session it has."""
    hashed = generate_password_hash(password)
    with write_transaction(db):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [hashed, user["id"]])
        end_sessions(db, user["id"])
        audit(db, "cli", "password_change", after={"username": user["username"]})


def set_active(db, user: dict, active: bool) -> None:
    """Enable or disable an account; disabling ends every session it has."""
    with write_transaction(db):
        db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), user["id"]])
        if not active:
            end_sessions(db, user["id"])
        audit(db, "cli", "user_enable" if active else "user_disable", after={"username": user["username"]})


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise click.ClickException(f"the password may have at most {MAX_PASSWORD} characters")
    return password


def _existing(db, username: str) -> dict:
    user = find_user(db, username)
    if user is None:
        raise click.ClickException(f"there is no user {username!r}")
    return user


PASSWORD_STDIN = click.option("--password-stdin", is_flag=True,
                              help="Read the password from standard input instead of prompting.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="officer", show_default=True)
@PASSWORD_STDIN
@with_appcontext
def create_command(username, role, password_stdin):
    """Create an officer or admin account (the password is prompted for, or read with --password-stdin)."""
    if not USERNAME.match(username):
        raise click.ClickException(f"a username has 1 to {MAX_USERNAME} letters, digits, '_', '.', '@' or '-'")
    password = _read_password(password_stdin)
    db = connect(current_app.config["DATABASE"])
    try:
        if find_user(db, username):
            raise click.ClickException(f"user {username!r} exists already")
        create_user(db, username, password, role)
    finally:
        db.close()
    click.echo(f"Created {role} {username}.")


@users_cli.command("password")
@click.argument("username")
@PASSWORD_STDIN
@with_appcontext
def password_command(username, password_stdin):
    """Set a new password for USERNAME; every session the account has ends."""
    db = connect(current_app.config["DATABASE"])
    try:
        user = _existing(db, username)
        set_password(db, user, _read_password(password_stdin))
    finally:
        db.close()
    click.echo(f"Changed the password of {username}; its sessions have ended.")


@users_cli.command("disable")
@click.argument("username")
@with_appcontext
def disable_command(username):
    """Disable USERNAME: it can no longer log in, and every session it has ends."""
    _set_active_command(username, False)
    click.echo(f"Disabled {username}; its sessions have ended.")


@users_cli.command("enable")
@click.argument("username")
@with_appcontext
def enable_command(username):
    """Enable USERNAME again."""
    _set_active_command(username, True)
    click.echo(f"Enabled {username}.")


def _set_active_command(username: str, active: bool):
    db = connect(current_app.config["DATABASE"])
    try:
        set_active(db, _existing(db, username), active)
    finally:
        db.close()


@users_cli.command("list")
@with_appcontext
def list_command():
    """List the accounts."""
    db = connect(current_app.config["DATABASE"])
    try:
        for row in db.table("users").rows_where(order_by="username"):
            click.echo(f"{row['username']:<24} {row['role']:<8} {'active' if row['active'] else 'disabled'}")
    finally:
        db.close()


def init_app(app):
    app.cli.add_command(users_cli)
