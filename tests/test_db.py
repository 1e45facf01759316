"""Concurrent writers: a write transaction takes SQLite's write lock first, so it never fails half-way."""

import sqlite3

import sqlite_utils

from subsidy.db import connect, write_transaction


def test_a_read_then_write_transaction_is_not_broken_by_another_writer(tmp_path):
    path = str(tmp_path / "w.sqlite3")
    first, second = connect(path), connect(path)
    first["t"].insert({"x": 0})
    with write_transaction(first):
        first.execute("SELECT count(*) FROM t").fetchone()  # reads first, as sqlite-utils does
        other = sqlite3.connect(path, timeout=0.05)
        try:
            other.execute("INSERT INTO t (x) VALUES (2)")  # the other writer must wait its turn …
            raise AssertionError("another connection wrote inside our write transaction")
        except sqlite3.OperationalError as error:
            assert "locked" in str(error)
        finally:
            other.close()
        first["t"].insert({"x": 1})  # … and ours, which read first, still writes
    assert [row["x"] for row in second["t"].rows] == [0, 1]


def test_a_plain_deferred_transaction_would_fail_at_once(tmp_path):
    # What write_transaction avoids: BEGIN, read, another commit, then the write fails without waiting.
    path = str(tmp_path / "d.sqlite3")
    first, second = connect(path), connect(path)
    first["t"].insert({"x": 0})
    first.conn.execute("BEGIN")
    first.execute("SELECT count(*) FROM t").fetchone()
    second["t"].insert({"x": 2})
    try:
        first.execute("INSERT INTO t (x) VALUES (3)")
        raise AssertionError("expected SQLite to refuse the upgrade")
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
    finally:
        first.conn.rollback()


def test_write_transactions_nest_and_roll_back(tmp_path):
    db = sqlite_utils.Database(str(tmp_path / "n.sqlite3"))
    db["t"].insert({"x": 0})
    try:
        with write_transaction(db):
            db["t"].insert({"x": 1})
            with write_transaction(db):
                db["t"].insert({"x": 2})
            raise RuntimeError("undo")
    except RuntimeError:
        pass
    assert [row["x"] for row in db["t"].rows] == [0]
