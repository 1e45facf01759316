"""Backup while serving, and restore: every assessment, revision and audit row comes back."""

import sqlite3


def counts(path):
    with sqlite3.connect(path) as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("assessments", "revisions", "audit_log")}


def test_backup_and_restore_keep_every_row(app, client, runner, example, tmp_path):
    for _ in range(3):
        saved = client.post("/api/v1/assessments", json=example).get_json()
    client.put(saved["links"]["self"], json=example)
    before = counts(app.config["DATABASE"])
    assert before == {"assessments": 3, "revisions": 4, "audit_log": 4}
    target = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert counts(target) == before
    client.post("/api/v1/assessments", json=example)  # written after the backup, gone after the restore
    result = runner.invoke(args=["restore", "--yes", str(target)])
    assert result.exit_code == 0, result.output
    assert counts(app.config["DATABASE"]) == before
    again = client.get(saved["links"]["self"]).get_json()
    assert again["revision"] == 2 and again["result"]["total_fen"] == 1462000000
    # the append-only triggers come back too
    with sqlite3.connect(app.config["DATABASE"]) as db:
        triggers = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"audit_log_no_update", "audit_log_no_delete"} <= triggers


def test_a_backup_taken_during_writes_is_consistent(app, client, example, tmp_path):
    import threading

    from subsidy.db import backup

    stop = threading.Event()

    def writer():
        while not stop.is_set():
            client_ = app.test_client()
            client_.post("/api/v1/assessments", json=example)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for index in range(3):
            target = tmp_path / f"live-{index}.sqlite3"
            backup(app.config["DATABASE"], str(target), pages_per_step=1)
            with sqlite3.connect(target) as db:
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                assessments, revisions = db.execute(
                    "SELECT (SELECT count(*) FROM assessments), (SELECT count(*) FROM revisions)").fetchone()
            assert assessments == revisions  # each create writes both in one transaction
    finally:
        stop.set()
        thread.join()


def test_restore_refuses_a_file_that_is_not_a_backup(runner, tmp_path):
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE x (y)")
    result = runner.invoke(args=["restore", "--yes", str(other)])
    assert result.exit_code != 0 and "not a backup" in result.output
