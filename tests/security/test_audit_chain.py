"""The audit log proves itself: a SHA-256 chain, guarded by triggers, checked by `audit verify` and by restore."""

import os
import sqlite3
import stat
import subprocess

import pytest
import sqlite_utils

from subsidy import auditlog
from subsidy.db import connect, init_db, migrations
from tests.security.filings import file_firm


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def backup(app, client, example, runner, tmp_path):
    """A backup of a database with a few audited actions in it."""
    filing = file_firm(client, example)
    client.put("/" + filing["links"]["self"].split("/", 3)[3], json=example)
    path = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    return path


def sqlite3_cli(path, sql: str):
    """Edit a database with the sqlite3 command-line shell, as an attacker with the file would."""
    return subprocess.run(["sqlite3", str(path), sql], capture_output=True, text=True, timeout=30)


def test_every_row_extends_the_chain_and_audit_verify_says_so(app, client, example, runner):
    file_firm(client, example)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "hash chain intact, triggers in place" in result.output
    db = connect(app.config["DATABASE"])
    rows = list(db.query("SELECT * FROM audit_log ORDER BY id"))
    assert rows[0]["prev_hash"] == auditlog.GENESIS
    for before, row in zip(rows, rows[1:], strict=False):
        assert row["prev_hash"] == before["hash"] == auditlog.row_hash(before["prev_hash"], before)
    assert rows[-1]["hash"] in result.output  # the head, for the operator to keep
    db.close()


def test_the_database_refuses_a_row_that_does_not_extend_the_chain(app):
    db = connect(app.config["DATABASE"])
    for prev_hash in (None, auditlog.GENESIS, "f" * 64):
        with pytest.raises(sqlite3.IntegrityError, match="must extend the hash chain"):
            db.execute("INSERT INTO audit_log (at, actor, action, prev_hash, hash) VALUES ('t', 'x', 'y', ?, ?)",
                       [prev_hash, "a" * 64])
    db.close()


def test_audit_verify_catches_a_row_rewritten_in_a_restored_backup(backup, runner, app):
    # Lift the guard, rewrite one row, put the guard back: only the chain can tell.
    edit = sqlite3_cli(backup, "DROP TRIGGER audit_log_no_update; "
                               "UPDATE audit_log SET actor = 'nobody' WHERE id = 2; "
                               f"{auditlog.TRIGGERS['audit_log_no_update']};")
    assert edit.returncode == 0, edit.stderr
    result = runner.invoke(args=["audit", "verify", "--database", str(backup)])
    assert result.exit_code == 1 and "row 2: its content does not match its hash" in result.output
    refused = runner.invoke(args=["restore", "--yes", str(backup)])
    assert refused.exit_code == 1 and "is refused: its audit log does not verify" in refused.output
    assert "Traceback" not in refused.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # the live database was not touched


def test_restore_refuses_a_backup_edited_with_insert_or_replace(backup, runner):
    # A row that does not name the head as its predecessor is refused by the database itself…
    refused = sqlite3_cli(backup, "INSERT OR REPLACE INTO audit_log (id, at, actor, action, prev_hash, hash) "
                                  f"VALUES (1, '2020-01-01', 'nobody', 'nothing', '{auditlog.GENESIS}', 'x')")
    assert refused.returncode != 0 and "must extend the hash chain" in refused.stderr
    # …and one that does replaces row 1 (REPLACE deletes without firing the DELETE trigger): the chain tells.
    head = sqlite3_cli(backup, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").stdout.strip()
    edit = sqlite3_cli(backup, "INSERT OR REPLACE INTO audit_log (id, at, actor, action, prev_hash, hash) "
                               f"VALUES (1, '2020-01-01', 'nobody', 'nothing', '{head}', '{'0' * 64}')")
    assert edit.returncode == 0, edit.stderr
    assert sqlite3_cli(backup, "SELECT actor FROM audit_log WHERE id = 1").stdout.strip() == "nobody"
    result = runner.invoke(args=["restore", "--yes", str(backup)])
    assert result.exit_code == 1 and "row 1:" in result.output and "does not verify" in result.output


def test_restore_refuses_a_backup_whose_triggers_were_dropped(backup, runner):
    assert sqlite3_cli(backup, "DROP TRIGGER audit_log_no_delete").returncode == 0
    refused = runner.invoke(args=["restore", "--yes", str(backup)])
    assert refused.exit_code == 1 and "trigger audit_log_no_delete is missing" in refused.output


def test_restore_refuses_a_backup_whose_trigger_was_replaced_by_a_harmless_one(backup, runner):
    edit = sqlite3_cli(backup, "DROP TRIGGER audit_log_no_update; CREATE TRIGGER audit_log_no_update "
                               "BEFORE UPDATE ON audit_log BEGIN SELECT 1; END;")
    assert edit.returncode == 0
    refused = runner.invoke(args=["restore", "--yes", str(backup)])
    assert refused.exit_code == 1 and "trigger audit_log_no_update was changed" in refused.output


def test_a_row_removed_from_the_middle_is_found(backup, runner):
    edit = sqlite3_cli(backup, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 2; "
                               f"{auditlog.TRIGGERS['audit_log_no_delete']};")
    assert edit.returncode == 0
    result = runner.invoke(args=["audit", "verify", "--database", str(backup)])
    assert result.exit_code == 1 and "does not follow the row before it" in result.output


@pytest.mark.parametrize("content", [b"", b"not a database at all\n" * 100, b"SQLite format 3\x00" + b"\xff" * 4000])
def test_restore_refuses_a_file_that_is_not_a_database_with_a_clear_message(runner, tmp_path, content):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(content)
    result = runner.invoke(args=["restore", "--yes", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and ("not an SQLite database" in result.output
                                                or "is not a backup of this service" in result.output)


def test_a_good_backup_restores(backup, runner):
    result = runner.invoke(args=["restore", "--yes", str(backup)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_rows_from_before_the_chain_are_chained_by_the_migration(tmp_path):
    path = str(tmp_path / "old.sqlite3")
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m003_docs_documents")  # the schema before the chain, with its old triggers
    db.execute("INSERT INTO audit_log (at, actor, action) VALUES ('2026-11-01T09:00:00+08:00', 'cli', 'user_create')")
    db.execute("INSERT INTO audit_log (at, actor, action, after) VALUES ('2026-11-02T09:00:00+08:00', 'firm', 'create', "
               "'{\"revision\":1}')")
    db.conn.commit()
    db.close()
    init_db(path)
    conn = sqlite3.connect(path)
    assert auditlog.check(conn) == []
    assert conn.execute("SELECT count(*) FROM audit_log WHERE hash IS NULL").fetchone()[0] == 0
    conn.close()


def test_the_database_its_wal_and_backups_are_readable_by_the_service_only(app, client, example, runner, tmp_path):
    old = os.umask(0o022)  # what a shell usually has: files would be 0644 unless made private on purpose
    try:
        file_firm(client, example)
        path = app.config["DATABASE"]
        db = connect(path)
        db.execute("SELECT count(*) FROM audit_log").fetchone()
        for name in (path, f"{path}-wal", f"{path}-shm"):
            assert stat.S_IMODE(os.stat(name).st_mode) == 0o600, name
        db.close()
        target = tmp_path / "copy.sqlite3"
        assert runner.invoke(args=["backup", str(target)]).exit_code == 0
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
        os.chmod(path, 0o644)
        init_db(path)  # an existing database is made private again on start
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    finally:
        os.umask(old)
