"""The SQLite database in instance/: one connection per request, WAL mode, migrations applied by init-db."""

from contextlib import contextmanager

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


@contextmanager
def write_transaction(db: sqlite_utils.Database):
    """Run a block of writes in one transaction that takes the write lock at once (BEGIN IMMEDIATE).

    A plain BEGIN reads first (sqlite-utils looks at the schema) and upgrades to a write later; if another
    worker committed in between, SQLite answers "database is locked" at once, without waiting: WAL and the busy
    timeout cannot help then. Taking the lock first makes concurrent writers queue for up to the busy timeout.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


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


def backup(source: str, target: str, pages_per_step: int = 256):
    """Copy the database to target with SQLite's online backup: safe while the service writes to it."""
    import sqlite3

    with sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000) as live, sqlite3.connect(target) as copy:
        live.backup(copy, pages=pages_per_step)
    copy.close()
    live.close()


def restore(source: str, target: str):
    """Replace the database at target with the backup at source (checked first), through the backup API."""
    import sqlite3

    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as check:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise click.ClickException(f"{source} fails SQLite's integrity check")
        tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    check.close()
    if not {"assessments", "revisions", "audit_log"} <= tables:
        raise click.ClickException(f"{source} is not a backup of this service's database")
    with sqlite3.connect(source) as backup_db, sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000) as live:
        backup_db.backup(live)
    backup_db.close()
    live.close()


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(target):
    """Write a consistent copy of the database to TARGET (safe while serving)."""
    backup(current_app.config["DATABASE"], target)
    click.echo(f"Backed up {current_app.config['DATABASE']} to {target}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(source, yes):
    """Replace the database with the backup SOURCE (stop the service first)."""
    if not yes:
        click.confirm(f"Replace {current_app.config['DATABASE']} with {source}?", abort=True)
    restore(source, current_app.config["DATABASE"])
    click.echo(f"Restored {source} into {current_app.config['DATABASE']}")


def init_app(app):
    app.teardown_appcontext(close_db)
    for command in (init_db_command, backup_command, restore_command):
        app.cli.add_command(command)


@migrations()
def m001_assessments(db):
    """Assessments, their revisions, and the append-only audit log."""
    db.execute("""
        CREATE TABLE assessments (
            id INTEGER PRIMARY KEY,
            reference TEXT NOT NULL UNIQUE,
            token TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL DEFAULT 'draft',
            company_name TEXT NOT NULL,
            credit_code TEXT NOT NULL,
            latest_revision INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE revisions (
            id INTEGER PRIMARY KEY,
            assessment_id INTEGER NOT NULL REFERENCES assessments(id),
            revision INTEGER NOT NULL,
            profile TEXT NOT NULL,
            result_zh TEXT NOT NULL,
            result_en TEXT NOT NULL,
            policy_id TEXT NOT NULL,
            policy_version TEXT NOT NULL,
            total_fen INTEGER NOT NULL,
            total_exact_fen INTEGER NOT NULL,
            total_up_to_fen INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            code TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (assessment_id, revision)
        )""")
    db.execute("""
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            assessment_id INTEGER,
            reference TEXT,
            before TEXT,
            after TEXT
        )""")
    # Append-only, enforced by the database itself, whatever the code above it does.
    for verb in ("UPDATE", "DELETE"):
        db.execute(f"""
            CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""")
    db.execute("CREATE INDEX revisions_by_assessment ON revisions (assessment_id, revision)")
    db.execute("CREATE INDEX audit_by_assessment ON audit_log (assessment_id, id)")


@migrations()
def m002_officers(db):
    """Officer accounts, failed logins, reviews of submitted filings, and batch screening jobs."""
    db.execute("""
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('officer', 'admin')),
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        )""")
    db.execute("CREATE TABLE login_failures (id INTEGER PRIMARY KEY, username TEXT NOT NULL, at REAL NOT NULL)")
    db.execute("CREATE INDEX login_failures_by_user ON login_failures (username, at)")
    db.execute("""
        CREATE TABLE reviews (
            assessment_id INTEGER PRIMARY KEY REFERENCES assessments(id),
            revision INTEGER NOT NULL,
            overrides TEXT NOT NULL DEFAULT '{}',
            evidence TEXT NOT NULL DEFAULT '{}',
            clause_decisions TEXT NOT NULL DEFAULT '{}',
            verified_zh TEXT,
            verified_en TEXT,
            final_decision TEXT,
            final_note TEXT,
            officer TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            decided_at TEXT
        )""")
    db.execute("""
        CREATE TABLE batch_jobs (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            officer TEXT NOT NULL,
            filename TEXT NOT NULL,
            status TEXT NOT NULL,
            total INTEGER NOT NULL,
            processed INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            finished_at TEXT
        )""")
    db.execute("""
        CREATE TABLE batch_rows (
            job_id INTEGER NOT NULL REFERENCES batch_jobs(id),
            position INTEGER NOT NULL,
            line INTEGER NOT NULL,
            input TEXT NOT NULL,
            outcome TEXT,
            PRIMARY KEY (job_id, position)
        )""")
    db.execute("CREATE INDEX assessments_by_status ON assessments (status, updated_at)")


@migrations()
def m003_registry_jobs_and_variants(db):
    """Registry screening and simulation jobs run in the background, and policy variants kept as drafts."""
    db.execute("""
        CREATE TABLE policy_variants (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            version TEXT NOT NULL,
            digest TEXT NOT NULL,
            title TEXT NOT NULL,
            source TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status = 'draft'),
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (name, digest)
        )""")
    db.execute("""
        CREATE TABLE registry_jobs (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('screen', 'simulate')),
            officer TEXT NOT NULL,
            registry TEXT NOT NULL,
            variant_id INTEGER REFERENCES policy_variants(id),
            status TEXT NOT NULL,
            stage TEXT,
            progress REAL NOT NULL DEFAULT 0,
            error TEXT,
            summary TEXT,
            created_at TEXT NOT NULL,
            finished_at TEXT
        )""")
