"""The SQLite database in instance/: one connection per request, WAL mode, migrations applied by init-db."""

import click
import sqlite_utils
from flask import current_app, g
from flask.cli import with_appcontext
from sqlite_utils import Migrations

migrations = Migrations("subsidy")
BUSY_TIMEOUT_MS = 10_000


def connect(path: str) -> sqlite_utils.Database:
    """Open the database with WAL (readers never block the writer) and a busy timeout for concurrent workers."""
    db = sqlite_utils.Database(path)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    return db


def get_db() -> sqlite_utils.Database:
    """Return this request's connection, opening it on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(exception=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db(path: str):
    """Create the database if needed and apply every pending migration."""
    db = connect(path)
    try:
        migrations.apply(db)
    finally:
        db.close()


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database in instance/ and apply pending migrations (safe to run again)."""
    init_db(current_app.config["DATABASE"])
    click.echo(f"Database ready: {current_app.config['DATABASE']}")


def init_app(app):
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
