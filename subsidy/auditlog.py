"""The append-only audit log as a SHA-256 hash chain, and the check that the chain and its guards are intact.

Each row stores the hash of the row before it (prev_hash) and its own hash: SHA-256 over prev_hash and the row's
canonical content. Rewriting, inserting or removing a row anywhere breaks the chain from there on. The database
guards it too: triggers refuse UPDATE and DELETE, and an INSERT whose prev_hash is not the current head.
Whoever can rewrite the file can recompute a whole chain: `audit verify` prints the head hash, so an operator
who keeps it elsewhere (with each backup) can tell.
"""

import hashlib
import json
import sqlite3

import click
from flask import current_app
from flask.cli import with_appcontext

from .db import write_transaction

GENESIS = "0" * 64
COLUMNS = ("id", "at", "actor", "action", "assessment_id", "reference", "before", "after")
# The guards, as the database must hold them; `audit verify` compares the stored SQL with these.
TRIGGERS = {
    "audit_log_no_update": "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                           "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "audit_log_no_delete": "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                           "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "audit_log_chained": "CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log "
                         "WHEN NEW.hash IS NULL OR NEW.prev_hash IS NOT coalesce("
                         "(SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '" + GENESIS + "') "
                         "BEGIN SELECT RAISE(ABORT, 'audit_log rows must extend the hash chain'); END",
}


def row_hash(prev_hash: str, row: dict) -> str:
    """Return SHA-256 over the previous hash and the row's content in a canonical JSON form."""
    content = json.dumps([row[column] for column in COLUMNS], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def head(db) -> tuple[int, str]:
    """Return (last id, last hash) of the chain: (0, GENESIS) when the log is empty."""
    row = db.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def append(db, row: dict) -> dict:
    """Append one row to the chain, inside a write transaction so that no other row can take its place."""
    with write_transaction(db):
        last_id, last_hash = head(db)
        row = {**row, "id": last_id + 1}
        row.update(prev_hash=last_hash, hash=row_hash(last_hash, row))
        db.table("audit_log").insert(row)
    return row


def check(conn) -> list[str]:
    """Return what is wrong with the audit log of a sqlite3 connection: broken links, changed rows, guards."""
    problems = []
    stored = {name: " ".join((sql or "").split()) for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")}
    for name, sql in TRIGGERS.items():
        if name not in stored:
            problems.append(f"trigger {name} is missing")
        elif stored[name] != sql:
            problems.append(f"trigger {name} was changed")
    previous = GENESIS
    cursor = conn.execute(f"SELECT {', '.join(COLUMNS)}, prev_hash, hash FROM audit_log ORDER BY id")
    for values in cursor:
        row = dict(zip((*COLUMNS, "prev_hash", "hash"), values, strict=True))
        if row["prev_hash"] != previous:
            problems.append(f"row {row['id']}: does not follow the row before it (a row was removed or inserted)")
        if row["hash"] != row_hash(row["prev_hash"] or "", row):
            problems.append(f"row {row['id']}: its content does not match its hash (the row was rewritten)")
        previous = row["hash"]
        if len(problems) >= 20:
            problems.append("… (stopped after 20 problems)")
            break
    return problems


def chain_existing(db):
    """Give every row already in the log its place in the chain (the migration that introduces the chain)."""
    previous = GENESIS
    for row in list(db.query(f"SELECT {', '.join(COLUMNS)} FROM audit_log ORDER BY id")):
        digest = row_hash(previous, row)
        db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", [previous, digest, row["id"]])
        previous = digest


@click.group("audit", help="Check the audit log.")
def audit_cli():
    pass


@audit_cli.command("verify")
@click.option("--database", type=click.Path(exists=True, dir_okay=False),
              help="Check this database file (a backup) instead of the service's.")
@with_appcontext
def verify_command(database):
    """Check the audit log's hash chain and that its append-only triggers are in place."""
    path = database or current_app.config["DATABASE"]
    conn = open_checked(path)
    try:
        problems = check(conn)
        rows = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        last = conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    if problems:
        raise click.ClickException(f"the audit log of {path} does not verify:\n  " + "\n  ".join(problems))
    click.echo(f"Audit log verified: {rows} rows, hash chain intact, triggers in place. "
               f"Head: {last[0] if last else GENESIS}")


def open_checked(path: str) -> sqlite3.Connection:
    """Open a database file read-only, or raise a ClickException saying why it is not one we can check."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise click.ClickException(f"{path} fails SQLite's integrity check")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"assessments", "revisions", "audit_log"} <= tables:
            raise click.ClickException(f"{path} is not a backup of this service's database")
        columns = {row[1] for row in conn.execute("PRAGMA table_info(audit_log)")}
        if not {"prev_hash", "hash"} <= columns:
            raise click.ClickException(f"{path} has no audit hash chain (made before it existed: run init-db on it)")
    except sqlite3.DatabaseError as error:
        conn.close()
        raise click.ClickException(f"{path} is not an SQLite database ({error})") from error
    except click.ClickException:
        conn.close()
        raise
    return conn
