"""Security headers on every response, and rate limits on logging in and on evaluating.

The Content-Security-Policy is strict: scripts, styles and images come from this site only (the QR code and
charts are drawn inline as SVG, no script or style attribute is used anywhere), nothing may frame the pages.
"""

import functools
import threading
import time
from collections import deque

from flask import current_app, request
from werkzeug.exceptions import TooManyRequests

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

class RateLimiter:
    """A sliding-window limit per client address and per view, kept in each worker's memory.

    flask-limiter did the same job but checked every request twice and cost about a tenth of an evaluation's
    CPU (benchmarks/http_bench.py); this keeps only what the service uses.
    """

    UNITS = {"second": 1, "minute": 60, "hour": 3600}
    MAX_KEYS = 50_000  # forget idle clients beyond this many

    def __init__(self):
        self._hits: dict[tuple, deque] = {}
        self._lock = threading.Lock()

    def for_app(self) -> "RateLimiter":
        """Return the counters of the current app (each app, in tests each test's app, counts on its own)."""
        return current_app.extensions.setdefault("rate_limiter", RateLimiter())

    @classmethod
    def parse(cls, text: str) -> tuple[int, int]:
        """Read "10 per minute" as (10, 60)."""
        count, _, unit = text.strip().partition(" per ")
        return int(count), cls.UNITS[unit.strip().rstrip("s")]

    def hit(self, key: tuple, limit: str, now: float | None = None) -> int:
        """Count one request; return 0 if it is allowed, else the seconds until it would be."""
        count, window = self.parse(limit)
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self.MAX_KEYS:
                    self._forget_idle(now, window)
                hits = self._hits[key] = deque()
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= count:
                return max(1, int(hits[0] + window - now + 0.999))
            hits.append(now)
            return 0

    def _forget_idle(self, now: float, window: int):
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - window]:
            del self._hits[key]

    def limit(self, setting: str, methods=("POST",)):
        """Limit a view to the rate in app.config[setting], per client address."""
        def decorate(view):
            @functools.wraps(view)
            def limited(*args, **kwargs):
                if request.method in methods:
                    counters = self.for_app()
                    wait = counters.hit((request.endpoint, request.remote_addr), current_app.config[setting])
                    if wait:
                        raise TooManyRequests(retry_after=wait)
                return view(*args, **kwargs)
            return limited
        return decorate


limiter = RateLimiter()


def _add_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app):
    app.config.setdefault("RATELIMIT_LOGIN", "10 per minute")
    app.config.setdefault("RATELIMIT_EVALUATE", "600 per minute")
    app.after_request(_add_headers)
