"""Officer accounts: Flask-Login sessions, hashed passwords, roles, and slowing down repeated failed logins."""

import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_login import LoginManager, UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from .assessments import audit, now
from .db import connect, get_db

ROLES = ("officer", "admin")
FREE_FAILURES = 3  # failures allowed before each further attempt has to wait
WINDOW_SECONDS = 15 * 60
MAX_WAIT_SECONDS = 15 * 60

login_manager = LoginManager()
users_cli = AppGroup("users", help="Manage officer accounts.")


class User(UserMixin):
    def __init__(self, row: dict):
        self.id = str(row["id"])
        self.username = row["username"]
        self.role = row["role"]
        self.active = bool(row["active"])

    @property
    def is_active(self):
        return self.active

    @property
    def is_admin(self):
        return self.role == "admin"


@login_manager.user_loader
def load_user(user_id: str):
    rows = list(get_db().table("users").rows_where("id = ?", [user_id], limit=1)) if user_id.isdigit() else []
    return User(rows[0]) if rows else None


def find_user(db, username: str) -> dict | None:
    rows = list(db.table("users").rows_where("username = ?", [username], limit=1))
    return rows[0] if rows else None


def wait_before_next_attempt(db, username: str, at: float | None = None) -> int:
    """Return the seconds a login for username must still wait after its recent failures (0: go ahead)."""
    at = time.time() if at is None else at
    recent = [row["at"] for row in db.query(
        "SELECT at FROM login_failures WHERE username = ? AND at > ? ORDER BY at", [username, at - WINDOW_SECONDS])]
    if len(recent) < FREE_FAILURES:
        return 0
    wait = min(2 ** (len(recent) - FREE_FAILURES + 1), MAX_WAIT_SECONDS)
    return max(0, int(recent[-1] + wait - at + 0.999))


def authenticate(db, username: str, password: str) -> tuple[User | None, int]:
    """Return (user, 0) for good credentials, (None, 0) for bad ones, (None, seconds) while slowed down."""
    wait = wait_before_next_attempt(db, username)
    if wait:
        return None, wait
    row = find_user(db, username)
    if row and row["active"] and check_password_hash(row["password_hash"], password):
        db.execute("DELETE FROM login_failures WHERE username = ?", [username])
        return User(row), 0
    db.table("login_failures").insert({"username": username, "at": time.time()})
    audit(db, username or "?", "login_failed")
    return None, 0


def create_user(db, username: str, password: str, role: str) -> dict:
    db.table("users").insert({"username": username, "password_hash": generate_password_hash(password),
                              "role": role, "active": 1, "created_at": now()})
    audit(db, "cli", "user_create", after={"username": username, "role": role})
    return find_user(db, username)


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="officer", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of prompting.")
@with_appcontext
def create_command(username, role, password_stdin):
    """Create an officer or admin account (the password is prompted for, or read with --password-stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("the password must have at least 8 characters")
    db = connect(current_app.config["DATABASE"])
    try:
        if find_user(db, username):
            raise click.ClickException(f"user {username!r} exists already")
        create_user(db, username, password, role)
    finally:
        db.close()
    click.echo(f"Created {role} {username}.")


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


@login_manager.unauthorized_handler
def unauthorized():
    """Send people to the login page; the JSON API answers 401 in its usual error shape."""
    from flask import jsonify, redirect, request, url_for

    from .messages import text
    from .requests import request_language

    if request.path.startswith("/api/"):
        response = jsonify({"errors": {"_request": [text("login_required", request_language())]}})
        response.status_code = 401
        return response
    return redirect(url_for("officer.login", next=request.full_path.rstrip("?")))


def init_app(app):
    login_manager.init_app(app)
    app.cli.add_command(users_cli)
