"""Checking an officer's password, with failed attempts slowed down per account and client address.

Slowing down by account alone let anyone lock an officer out: twelve wrong passwords for a known name, from
anywhere, made the right password wait. Failures therefore count per (account, address): a guesser slows
down only their own attempts, and the officer, from their own address, still logs in. Guessing from many
addresses is bounded per address by the login rate limit (RATELIMIT_LOGIN, throttle.py).

An attempt is recorded as a failure before the password is checked, in the same write transaction as the count
that allowed it: parallel attempts see each other, so exactly FREE_FAILURES get through however many workers
serve them. A right password then clears the record.
"""

import functools
import time

from werkzeug.security import check_password_hash, generate_password_hash

from .assessments import audit
from .db import write_transaction
from .sessions import User

FREE_FAILURES = 3  # failures allowed before each further attempt has to wait
WINDOW_SECONDS = 15 * 60
MAX_WAIT_SECONDS = 15 * 60
MAX_USERNAME = 64
MAX_PASSWORD = 1024  # longer is refused when set, and checked as no password at all when typed


@functools.cache
def _unknown_account_hash() -> str:
    """A hash to check against when the account does not exist, so an unknown name takes as long as a known one."""
    return generate_password_hash("no such account")


def username_problem(username: str) -> str | None:
    """Return why a typed username cannot be one (too long, control characters), or None."""
    if len(username) > MAX_USERNAME:
        return "username_long"
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
           for ch in username):
        return "username_control"
    return None


def wait_before_next_attempt(db, username: str, address: str, at: float | None = None) -> int:
    """Return the seconds a login for username from address must still wait (0: go ahead)."""
    at = time.time() if at is None else at
    recent = [row["at"] for row in db.query(
        "SELECT at FROM login_failures WHERE username = ? AND address = ? AND at > ? ORDER BY at",
        [username, address, at - WINDOW_SECONDS])]
    if len(recent) < FREE_FAILURES:
        return 0
    wait = min(2 ** (len(recent) - FREE_FAILURES + 1), MAX_WAIT_SECONDS)
    return max(0, int(recent[-1] + wait - at + 0.999))


def authenticate(db, username: str, password: str, address: str) -> tuple[User | None, int]:
    """Return (user, 0) for good credentials, (None, 0) for bad ones, (None, seconds) while slowed down.

    username must have passed username_problem(); address is the client's (throttle.client_address()).
    """
    with write_transaction(db):
        db.execute("DELETE FROM login_failures WHERE at <= ?", [time.time() - WINDOW_SECONDS])
        wait = wait_before_next_attempt(db, username, address)
        if wait:
            return None, wait
        db.table("login_failures").insert({"username": username, "address": address, "at": time.time()})
    rows = list(db.table("users").rows_where("username = ?", [username], limit=1))
    row = rows[0] if rows else None
    password = password if len(password) <= MAX_PASSWORD else ""
    good = check_password_hash(row["password_hash"] if row else _unknown_account_hash(), password) and row is not None
    if good and row["active"]:
        with write_transaction(db):
            db.execute("DELETE FROM login_failures WHERE username = ? AND address = ?", [username, address])
        return User(row), 0
    audit(db, username or "?", "login_failed", after={"address": address})
    return None, 0
