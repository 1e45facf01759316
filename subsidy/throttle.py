"""Rate limits that every worker shares: counts per client address in a small SQLite file beside the database.

Counters in each worker's memory let N workers allow N times a limit (24–30 wrong passwords a minute got through
where 10 were meant to). Here every worker counts in one table, each count one write transaction that reads and
adds, so 1, 3 or 9 workers allow exactly the configured number.

A window is a sliding run of one-second buckets: a limit of 10 per minute allows a request while the buckets of
the last 60 seconds hold fewer than 10. The file is separate from the database so that counting never waits
behind a save holding the database's write lock, and it is written without fsync (WAL, synchronous=OFF): losing
the last counts in a power cut is harmless, a disk flush per request is not.

Cost, measured on the busy 2-core machine (in-process, CPU time, medians of 40 alternating runs of 50 requests):
a counted request takes 45–100 µs of CPU; on POST /api/v1/evaluate (about 4–5 ms of CPU each there) counting
every request cost 5,410 against 4,957 µs, so the evaluate path counts on leases (hit(): one write per client,
worker and tenth of a second) and then costs 5,777 against 5,728 µs, within the noise. Logins and PDFs, rare
and the limits that protect accounts and the renderer, count every request exactly.
"""

import functools
import ipaddress
import os
import sqlite3
import threading
import time

from flask import current_app, request
from werkzeug.exceptions import TooManyRequests

UNITS = {"second": 1, "minute": 60, "hour": 3600}
LONGEST_WINDOW = 3600
CLEAN_EVERY_SECONDS = 60
BUSY_TIMEOUT_S = 5
LEASE_SHARE = 16
MAX_LEASES = 10_000
EVALUATE_LEASE_SECONDS = 0.1

_local = threading.local()


def parse(text: str) -> tuple[int, int]:
    """Read "10 per minute" as (10, 60)."""
    count, _, unit = text.strip().partition(" per ")
    return int(count), UNITS[unit.strip().rstrip("s")]


class _Lease:
    """What one worker may still allow for a key without counting in the shared table, until a moment."""

    __slots__ = ("allowance", "pending", "until", "wait")

    def __init__(self, allowance: int, until: float, wait: int):
        self.allowance, self.pending, self.until, self.wait = allowance, 0, until, wait


class _State:
    """One thread's connections, leases and last clean-up (a forked worker starts afresh: nothing survives fork)."""

    def __init__(self):
        self.pid = os.getpid()
        self.connections: dict[str, sqlite3.Connection] = {}
        self.leases: dict[tuple, _Lease] = {}
        self.cleaned = 0


def _state() -> "_State":
    state = getattr(_local, "state", None)
    if state is None or state.pid != os.getpid():
        state = _local.state = _State()
    return state


def _connect(path: str) -> sqlite3.Connection:
    """Return this thread's connection to the counters at path, creating the file and table on first use."""
    connections = _state().connections
    conn = connections.get(path)
    if conn is None:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))  # 0600: it holds client addresses
        # Workers starting together wait for each other here, where SQLite's busy timeout is fine.
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=True)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("""CREATE TABLE IF NOT EXISTS hits (
                            key TEXT NOT NULL, second INTEGER NOT NULL, count INTEGER NOT NULL,
                            PRIMARY KEY (key, second)) WITHOUT ROWID""")
        # Then none: SQLite's own waits 1, 2, 5, 10 … ms between tries, far longer than the few tens of
        # microseconds another worker holds this lock; _begin() retries at a finer grain.
        conn.execute("PRAGMA busy_timeout = 0")
        connections[path] = conn
    return conn


def _begin(conn: sqlite3.Connection):
    """Take the write lock (BEGIN IMMEDIATE), retrying every 50–200 µs for up to BUSY_TIMEOUT_S."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.00005
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.0002)


def hit(path: str, key: str, limit: str, lease_seconds: float = 0.0, now: float | None = None) -> int:
    """Count one request under key; return 0 if the limit allows it, else the seconds until it would.

    lease_seconds 0 counts every request in the shared table: exact (logins, PDFs). Above 0, a worker that
    counted may allow up to 1/LEASE_SHARE of what was left on its own for that long, and counts those requests
    with its next one: one write per key, worker and lease instead of one per request (the evaluate path). Near
    the limit a lease holds nothing and every request is counted; a burst can only pass the limit by what the
    other workers' leases held, each a sixteenth of what was left when it was taken.
    """
    state = _state()
    lease = state.leases.get((path, key)) if lease_seconds else None
    if lease is not None and time.monotonic() < lease.until:
        if lease.wait:
            return lease.wait
        if lease.allowance > 0:
            lease.allowance -= 1
            lease.pending += 1
            return 0
    count, window = parse(limit)
    second = int(time.time() if now is None else now)
    pending = lease.pending if lease is not None else 0
    conn = _connect(path)
    _begin(conn)  # the read and the write below are one step for every worker
    try:
        if pending:  # requests this worker allowed on its lease
            conn.execute("INSERT INTO hits (key, second, count) VALUES (?, ?, ?) "
                         "ON CONFLICT (key, second) DO UPDATE SET count = count + excluded.count",
                         (key, second, pending))
        used, oldest = conn.execute("SELECT coalesce(sum(count), 0), min(second) FROM hits "
                                    "WHERE key = ? AND second > ?", (key, second - window)).fetchone()
        if used >= count:
            wait = max(1, oldest + window - second)
        else:
            wait = 0
            used += 1
            conn.execute("INSERT INTO hits (key, second, count) VALUES (?, ?, 1) "
                         "ON CONFLICT (key, second) DO UPDATE SET count = count + 1", (key, second))
        if second - state.cleaned > CLEAN_EVERY_SECONDS:
            conn.execute("DELETE FROM hits WHERE second <= ?", (second - LONGEST_WINDOW,))
            state.cleaned = second
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    if lease_seconds:
        if len(state.leases) >= MAX_LEASES:  # forget idle clients: their leases only ever hold a few requests
            state.leases.clear()
        state.leases[(path, key)] = _Lease((count - used) // LEASE_SHARE, time.monotonic() + lease_seconds, wait)
    return wait


def client_address() -> str:
    """Return the client's address as limits count it: an IPv6 client by its /64, which one host usually holds."""
    address = request.remote_addr or "-"
    if ":" not in address:
        return address[:64]  # IPv4 (or a name): counted as it is
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def check(setting: str, scope: str, lease_seconds: float = 0.0):
    """Count this request against app.config[setting] for scope and the client's address; raise 429 past it."""
    config = current_app.config
    wait = hit(config["RATELIMIT_DATABASE"], f"{scope}|{client_address()}", config[setting], lease_seconds)
    if wait:
        raise TooManyRequests(retry_after=wait)


class Limiter:
    """Decorates views with a limit per client address kept in the shared counters."""

    def limit(self, setting: str, methods=("POST",), lease_seconds: float = 0.0):
        """Limit a view to the rate in app.config[setting] (e.g. "10 per minute"), per client address."""
        def decorate(view):
            @functools.wraps(view)
            def limited(*args, **kwargs):
                if request.method in methods:
                    check(setting, request.endpoint, lease_seconds)
                return view(*args, **kwargs)
            return limited
        return decorate


limiter = Limiter()


def init_app(app):
    # The counters live beside the database unless configured: <database>.limits.sqlite3.
    if not app.config.get("RATELIMIT_DATABASE"):
        app.config["RATELIMIT_DATABASE"] = os.path.splitext(app.config["DATABASE"])[0] + ".limits.sqlite3"
    app.config.setdefault("RATELIMIT_LOGIN", "10 per minute")
    app.config.setdefault("RATELIMIT_EVALUATE", "600 per minute")
    app.config.setdefault("RATELIMIT_PDF", "20 per minute")
    for setting in ("RATELIMIT_LOGIN", "RATELIMIT_EVALUATE", "RATELIMIT_PDF"):
        try:  # a typo stops start-up, not the first request
            count, _ = parse(app.config[setting])
        except (KeyError, ValueError):
            count = 0
        if count < 1:
            raise ValueError(f"{setting} must read like '10 per minute' (per second, minute or hour), "
                             f"not {app.config[setting]!r}")
