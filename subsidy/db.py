"""The SQLite database in instance/: one connection per request, WAL mode, migrations applied by init-db."""

import os
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
    private_file(path)
    db = sqlite_utils.Database(path)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    return db


def private_file(path: str):
    """Make the database file readable by the service's user only (0600), creating it so if it is new.

    It holds password hashes and the firms' tokens. SQLite gives the WAL and shared-memory files it creates
    the mode of the database file, so they are 0600 too.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        os.chmod(path, 0o600)
    for companion in (f"{path}-wal", f"{path}-shm"):
        if os.path.exists(companion):
            os.chmod(companion, 0o600)


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

    private_file(target)
    with sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000) as live, sqlite3.connect(target) as copy:
        live.backup(copy, pages=pages_per_step)
    copy.close()
    live.close()


def restore(source: str, target: str):
    """Replace the database at target with the backup at source, through the backup API.

    The backup is checked first: an SQLite database of this service whose audit log's hash chain and
    append-only triggers verify. A backup edited by hand is refused, whatever else it holds.
    """
    import sqlite3

    from .auditlog import check, open_checked

    conn = open_checked(source)
    try:
        problems = check(conn)
    finally:
        conn.close()
    if problems:
        raise click.ClickException(f"{source} is refused: its audit log does not verify:\n  " + "\n  ".join(problems))
    private_file(target)
    with sqlite3.connect(source) as backup_db, sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000) as live:
        backup_db.backup(live)
    backup_db.close()
    live.close()
    private_file(target)


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
    from .auditlog import audit_cli

    for command in (init_db_command, backup_command, restore_command, audit_cli):
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
def m003_journey_entries(db):
    """How the firm typed its money (the unit and the text of each amount) per revision, to reopen it as typed."""
    db.execute("""
        CREATE TABLE revision_entries (
            assessment_id INTEGER NOT NULL REFERENCES assessments(id),
            revision INTEGER NOT NULL,
            unit TEXT NOT NULL,
            typed TEXT NOT NULL DEFAULT '{}',
            sections TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (assessment_id, revision)
        )""")


@migrations()
def m003_journey_confirmations(db):
    """An officer's answer on each self-declared fact: confirmed, not confirmed, or (absent) still pending."""
    db.execute("ALTER TABLE reviews ADD COLUMN confirmations TEXT NOT NULL DEFAULT '{}'")


@migrations()
def m003_journey_contacts(db):
    """The address a firm asked to be told at, when it submitted, and the language to write in."""
    db.execute("""
        CREATE TABLE contacts (
            assessment_id INTEGER PRIMARY KEY REFERENCES assessments(id),
            email TEXT NOT NULL,
            lang TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""")


@migrations()
def m003_journey_batch_summaries(db):
    """The on-screen summary of a finished batch job, worked out once."""
    db.execute("""
        CREATE TABLE batch_summaries (
            job_id INTEGER PRIMARY KEY REFERENCES batch_jobs(id),
            summary TEXT NOT NULL
        )""")


@migrations()
def m003_journey_credit_codes(db):
    """Find the other filings of a credit code quickly (the queue flags them)."""
    db.execute("CREATE INDEX assessments_by_credit_code ON assessments (credit_code)")


@migrations()
def m003_docs_documents(db):
    """The signed PDFs the service issued, each kept as the exact bytes served, with their SHA-256.

    In the database rather than as files: a backup and a restore carry them with the filings and the audit
    log they belong to, a write is one transaction with its audit row, and there is one file to keep 0600.
    An issued document is a record: the database refuses to change or delete it.
    """
    db.execute("""
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            assessment_id INTEGER NOT NULL REFERENCES assessments(id),
            kind TEXT NOT NULL CHECK (kind IN ('estimate', 'decision')),
            revision INTEGER NOT NULL,
            lang TEXT NOT NULL CHECK (lang IN ('zh', 'en')),
            sha256 TEXT NOT NULL,
            pdf BLOB NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (assessment_id, kind, revision, lang)
        )""")
    db.execute("CREATE INDEX documents_by_hash ON documents (sha256)")
    for verb in ("UPDATE", "DELETE"):
        db.execute(f"""
            CREATE TRIGGER documents_no_{verb.lower()} BEFORE {verb} ON documents
            BEGIN SELECT RAISE(ABORT, 'issued documents cannot change'); END""")


@migrations()
def m004_docs_audit_chain(db):
    """Chain the audit log with SHA-256 (rows already there are chained here, in id order) and guard the chain."""
    from .auditlog import TRIGGERS, chain_existing

    db.execute("ALTER TABLE audit_log ADD COLUMN prev_hash TEXT")
    db.execute("ALTER TABLE audit_log ADD COLUMN hash TEXT")
    # The append-only triggers refuse the one UPDATE that chains existing rows: lift them for it, then put them
    # back with the trigger that makes every new row extend the chain.
    for name in ("audit_log_no_update", "audit_log_no_delete"):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    chain_existing(db)
    for sql in TRIGGERS.values():
        db.execute(sql)


@migrations()
def m003_runtime_sessions_and_login_failures(db):
    """Session versions (to end an account's sessions), and failed logins counted per account and address."""
    db.execute("ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE login_failures ADD COLUMN address TEXT NOT NULL DEFAULT ''")
    db.execute("DROP INDEX login_failures_by_user")
    db.execute("CREATE INDEX login_failures_by_account ON login_failures (username, address, at)")


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
